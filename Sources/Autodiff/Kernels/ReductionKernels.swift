#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Reductions along one axis of a contiguous tensor read as [outer, extent, inner]. Two fast contiguous
// paths: `inner == 1` (last axis: one contiguous row per output) and `inner > 1` (leading/middle axes:
// whole contiguous rows of `inner` elements combined element-wise). The softmax family walks strided
// rows (stride `inner`), which is contiguous for the usual last axis.

/// e^x through libm, one element at a time.
///
/// NOTE: placeholder for the vectorised exp kernel being written separately; after the merge, the
/// softmax family and the losses should call that instead (these two helpers are the only call sites).
@inline(__always)
func libmExp<S: TensorScalar>(_ x: S) -> S {
    if S.self == Float.self { return unsafeBitCast(expf(unsafeBitCast(x, to: Float.self)), to: S.self) }
    return unsafeBitCast(exp(unsafeBitCast(x, to: Double.self)), to: S.self)
}

/// ln x through libm, one element at a time (placeholder, see `libmExp`).
@inline(__always)
func libmLog<S: TensorScalar>(_ x: S) -> S {
    if S.self == Float.self { return unsafeBitCast(logf(unsafeBitCast(x, to: Float.self)), to: S.self) }
    return unsafeBitCast(log(unsafeBitCast(x, to: Double.self)), to: S.self)
}

enum ReductionKernels {
    /// out[o, j] = scale · Σ_k x[o, k, j].
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func sum<S: TensorScalar>(_ x: UnsafePointer<S>, outer: Int, extent: Int, inner: Int, scale: S,
                                     into out: UnsafeMutablePointer<S>) {
        if inner == 1 {
            for o in 0..<outer { out[o] = rowSum(x + o * extent, count: extent) * scale }
            return
        }
        for o in 0..<outer {
            let destination = out + o * inner, source = x + o * extent * inner
            if extent == 0 { destination.update(repeating: 0, count: inner); continue }
            destination.update(from: source, count: inner)
            for k in 1..<Swift.max(extent, 1) { Kernels.add(destination, source + k * inner, destination, count: inner) }
            if scale != 1 { for j in 0..<inner { destination[j] *= scale } }
        }
    }

    /// Σ x[0..<count], 32 lanes at a time; rows longer than 4096 are halved recursively (pairwise) to
    /// keep the rounding error growing like log n rather than n.
    @inline(__always)
    static func rowSum<S: TensorScalar>(_ x: UnsafePointer<S>, count: Int) -> S {
        if count > 4096 {
            let half = (count / 2) & ~31
            return rowSum(x, count: half) + rowSum(x + half, count: count - half)
        }
        typealias V = SIMD16<S>
        var a0 = V(), a1 = V()
        var i = 0
        while i + 32 <= count {
            a0 += UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
            a1 += UnsafeRawPointer(x + i + 16).loadUnaligned(as: V.self)
            i += 32
        }
        var total = (a0 + a1).sum()
        while i < count { total += x[i]; i += 1 }
        return total
    }

    /// The first index of the largest element of x[0..<count] (count > 0); a NaN counts as largest.
    /// (Concrete SIMD types: the generic lane comparisons are not vectorised after specialisation.)
    @inline(__always)
    static func rowArgmax<S: TensorScalar>(_ x: UnsafePointer<S>, count: Int) -> Int {
        let raw = UnsafeRawPointer(x)
        var m: S, nan: Bool, vectorized: Int
        if S.self == Float.self {
            vectorized = count & ~15
            let (maximum, sawNaN) = rowMaximum(raw.assumingMemoryBound(to: Float.self), count: vectorized)
            (m, nan) = (unsafeBitCast(maximum, to: S.self), sawNaN)
        } else {
            vectorized = count & ~7
            let (maximum, sawNaN) = rowMaximum(raw.assumingMemoryBound(to: Double.self), count: vectorized)
            (m, nan) = (unsafeBitCast(maximum, to: S.self), sawNaN)
        }
        for i in vectorized..<count {
            if x[i] > m { m = x[i] }
            if x[i].isNaN { nan = true }
        }
        if nan { for k in 0..<count where x[k].isNaN { return k } }
        // Skip whole blocks that do not contain m, then scan the first that does.
        var start = 0
        if S.self == Float.self {
            start = firstBlock(containing: unsafeBitCast(m, to: Float.self), raw.assumingMemoryBound(to: Float.self), count: vectorized)
        } else {
            start = firstBlock(containing: unsafeBitCast(m, to: Double.self), raw.assumingMemoryBound(to: Double.self), count: vectorized)
        }
        for k in start..<count where x[k] == m { return k }
        return 0
    }

    /// The start of the first 16-element block of x[0..<count] (count a multiple of 16) holding `value`,
    /// or `count`.
    @inline(__always)
    static func firstBlock(containing value: Float, _ x: UnsafePointer<Float>, count: Int) -> Int {
        let target = SIMD16<Float>(repeating: value)
        for i in stride(from: 0, to: count, by: 16)
        where any(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) .== target) { return i }
        return count
    }

    /// The start of the first 8-element block of x[0..<count] (count a multiple of 8) holding `value`,
    /// or `count`.
    @inline(__always)
    static func firstBlock(containing value: Double, _ x: UnsafePointer<Double>, count: Int) -> Int {
        let target = SIMD8<Double>(repeating: value)
        for i in stride(from: 0, to: count, by: 8)
        where any(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Double>.self) .== target) { return i }
        return count
    }

    /// The largest element of x[0..<count] (count a multiple of 16) ignoring NaN (−∞ when empty), and
    /// whether there was a NaN.
    @inline(__always)
    static func rowMaximum(_ x: UnsafePointer<Float>, count: Int) -> (Float, Bool) {
        var best = SIMD16<Float>(repeating: -.infinity)
        var nan = SIMDMask<SIMD16<Int32>>(repeating: false)
        for i in stride(from: 0, to: count, by: 16) {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            best.replace(with: v, where: v .> best)
            nan .|= v .!= v
        }
        return (best.max(), any(nan))
    }

    /// The largest element of x[0..<count] (count a multiple of 8) ignoring NaN (−∞ when empty), and
    /// whether there was a NaN.
    @inline(__always)
    static func rowMaximum(_ x: UnsafePointer<Double>, count: Int) -> (Double, Bool) {
        var best = SIMD8<Double>(repeating: -.infinity)
        var nan = SIMDMask<SIMD8<Int64>>(repeating: false)
        for i in stride(from: 0, to: count, by: 8) {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Double>.self)
            best.replace(with: v, where: v .> best)
            nan .|= v .!= v
        }
        return (best.max(), any(nan))
    }

    /// out[o, k, j] = scale · g[o, j]: the pullback of `sum`.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func expand<S: TensorScalar>(_ g: UnsafePointer<S>, outer: Int, extent: Int, inner: Int, scale: S,
                                        into out: UnsafeMutablePointer<S>) {
        if inner == 1 {
            for o in 0..<outer { (out + o * extent).update(repeating: g[o] * scale, count: extent) }
            return
        }
        for o in 0..<outer {
            let source = g + o * inner
            for k in 0..<extent {
                let destination = out + (o * extent + k) * inner
                for j in 0..<inner { destination[j] = source[j] * scale }
            }
        }
    }

    /// out[o, j] = max_k x[o, k, j] and where[o, j] = the first k attaining it (NaN wins: it propagates).
    /// Precondition: extent > 0.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func max<S: TensorScalar>(_ x: UnsafePointer<S>, outer: Int, extent: Int, inner: Int,
                                     into out: UnsafeMutablePointer<S>, argmax: UnsafeMutablePointer<Int>) {
        if inner == 1 {
            for o in 0..<outer {
                let row = x + o * extent
                let k = rowArgmax(row, count: extent)
                argmax[o] = k
                out[o] = row[k]
            }
            return
        }
        for o in 0..<outer {
            let source = x + o * extent * inner, best = out + o * inner, at = argmax + o * inner
            best.update(from: source, count: inner)
            at.update(repeating: 0, count: inner)
            for k in 1..<Swift.max(extent, 1) {
                let row = source + k * inner
                for j in 0..<inner {
                    let v = row[j], b = best[j]
                    if v > b || (v.isNaN && !b.isNaN) { best[j] = v; at[j] = k }
                }
            }
        }
    }

    /// The row maximum m and ln Σ_k e^{x[k·stride] − m}, so that ln Σ e^x = m + that; an all −∞ row
    /// gives m = 0 and −∞. Kept apart so that callers can form `(x − m) − ln Σ` without the rounding
    /// of `m + ln Σ` (large logits in Float).
    @inline(__always)
    static func shiftAndLogSum<S: TensorScalar>(_ x: UnsafePointer<S>, stride: Int, count: Int) -> (shift: S, logSum: S) {
        var m = maximum(x, stride: stride, count: count)
        if m.isInfinite { m = m > 0 ? m : 0 }
        var s: S = 0
        for k in 0..<count { s += libmExp(x[k * stride] - m) }
        return (m, libmLog(s))
    }

    /// max_k x[k·stride] (−∞ when count is 0; NaN if any element is NaN), vectorised when contiguous.
    @inline(__always)
    static func maximum<S: TensorScalar>(_ x: UnsafePointer<S>, stride: Int, count: Int) -> S {
        var m = -S.infinity
        var start = 0
        if stride == 1 {
            let raw = UnsafeRawPointer(x)
            var nan: Bool
            if S.self == Float.self {
                start = count & ~15
                let r = rowMaximum(raw.assumingMemoryBound(to: Float.self), count: start)
                (m, nan) = (unsafeBitCast(r.0, to: S.self), r.1)
            } else {
                start = count & ~7
                let r = rowMaximum(raw.assumingMemoryBound(to: Double.self), count: start)
                (m, nan) = (unsafeBitCast(r.0, to: S.self), r.1)
            }
            if nan { return .nan }
        }
        for k in start..<count { let v = x[k * stride]; if v > m || v.isNaN { m = v } }
        return m
    }

    /// ln Σ_k e^{x[k·stride]}, computed as m + ln Σ e^{x − m} with m the row maximum.
    @inline(__always)
    static func logSumExpRow<S: TensorScalar>(_ x: UnsafePointer<S>, stride: Int, count: Int) -> S {
        let (m, l) = shiftAndLogSum(x, stride: stride, count: count)
        return m + l
    }

    /// out[o, j] = ln Σ_k e^{x[o, k, j]}.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func logSumExp<S: TensorScalar>(_ x: UnsafePointer<S>, outer: Int, extent: Int, inner: Int,
                                           into out: UnsafeMutablePointer<S>) {
        for o in 0..<outer {
            for j in 0..<inner {
                out[o * inner + j] = logSumExpRow(x + o * extent * inner + j, stride: inner, count: extent)
            }
        }
    }

    /// out[o, k, j] = g[o, j] · e^{x[o, k, j] − l[o, j]}: the pullback of `logSumExp` (l its value).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func logSumExpPullback<S: TensorScalar>(_ x: UnsafePointer<S>, _ l: UnsafePointer<S>, _ g: UnsafePointer<S>,
                                                   outer: Int, extent: Int, inner: Int, into out: UnsafeMutablePointer<S>) {
        for o in 0..<outer {
            for k in 0..<extent {
                let base = (o * extent + k) * inner
                for j in 0..<inner { out[base + j] = g[o * inner + j] * libmExp(x[base + j] - l[o * inner + j]) }
            }
        }
    }

    /// y = softmax (or log-softmax when `logarithm`) of x along the middle axis, stable (max shifted).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func softmax<S: TensorScalar>(_ x: UnsafePointer<S>, outer: Int, extent: Int, inner: Int,
                                         logarithm: Bool, into y: UnsafeMutablePointer<S>) {
        for o in 0..<outer {
            for j in 0..<inner {
                let row = x + o * extent * inner + j, out = y + o * extent * inner + j
                if logarithm {
                    let (m, l) = shiftAndLogSum(row, stride: inner, count: extent)
                    for k in 0..<extent { out[k * inner] = (row[k * inner] - m) - l }
                } else {
                    let m = maximum(row, stride: inner, count: extent)
                    var s: S = 0
                    for k in 0..<extent { let e = libmExp(row[k * inner] - m); out[k * inner] = e; s += e }
                    let r = 1 / s
                    for k in 0..<extent { out[k * inner] *= r }
                }
            }
        }
    }

    /// The softmax pullback: gx = y ⊙ (g − Σ g ⊙ y); for log-softmax (y the log-probabilities)
    /// gx = g − e^y · Σ g.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func softmaxPullback<S: TensorScalar>(_ y: UnsafePointer<S>, _ g: UnsafePointer<S>, outer: Int, extent: Int,
                                                 inner: Int, logarithm: Bool, into gx: UnsafeMutablePointer<S>) {
        for o in 0..<outer {
            for j in 0..<inner {
                let start = o * extent * inner + j
                let yr = y + start, gr = g + start, out = gx + start
                var dot: S = 0
                if logarithm {
                    for k in 0..<extent { dot += gr[k * inner] }
                    for k in 0..<extent { out[k * inner] = gr[k * inner] - libmExp(yr[k * inner]) * dot }
                } else {
                    for k in 0..<extent { dot += gr[k * inner] * yr[k * inner] }
                    for k in 0..<extent { out[k * inner] = yr[k * inner] * (gr[k * inner] - dot) }
                }
            }
        }
    }
}
