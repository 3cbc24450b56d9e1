import Glibc

/// The element-wise activation applied by `linear(_:weight:bias:activation:)` after its matrix product.
public enum Activation: Sendable, Hashable, CaseIterable {
    /// f(z) = z.
    case identity
    /// f(z) = tanh z; derivative 1 − f².
    case tanh
    /// f(z) = max(z, 0); derivative 1 where f > 0, else 0.
    case relu
    /// f(z) = 1 / (1 + e^(−z)); derivative f(1 − f).
    case sigmoid
}

/// The epilogue of a fused linear layer: bias and activation applied to the GEMM output in place, and
/// the activation's derivative (computed from the output) applied to a cotangent.
extension Kernels {
    /// y[r, j] = f(y[r, j] + bias[j]) for a `rows × columns` contiguous block.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func biasActivation<S: TensorScalar>(_ y: UnsafeMutablePointer<S>, rows: Int, columns: Int,
                                                bias: UnsafePointer<S>?, activation: Activation) {
        let count = rows * columns
        if let bias {
            for r in 0..<rows {
                let row = y + r * columns
                for j in 0..<columns { row[j] += bias[j] }
            }
        }
        switch activation {
        case .identity:
            break
        case .relu:
            for i in 0..<count { y[i] = Swift.max(y[i], 0) }
        case .tanh:
            if S.self == Float.self {
                tanhInPlace(UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), count: count)
            } else {
                for i in 0..<count { y[i] = S(Glibc.tanh(Double(y[i]))) }
            }
        case .sigmoid:
            if S.self == Float.self {
                sigmoidInPlace(UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), count: count)
            } else {
                for i in 0..<count { y[i] = S(1 / (1 + Glibc.exp(-Double(y[i])))) }
            }
        }
    }

    /// out[i] = g[i] · f′ where f′ is the activation's derivative expressed through its output y.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func activationBackward<S: TensorScalar>(_ g: UnsafePointer<S>, output y: UnsafePointer<S>,
                                                    _ out: UnsafeMutablePointer<S>, count: Int,
                                                    activation: Activation) {
        switch activation {
        case .identity: out.update(from: g, count: count)
        case .tanh: for i in 0..<count { out[i] = g[i] * (1 - y[i] * y[i]) }
        case .relu: for i in 0..<count { out[i] = y[i] > 0 ? g[i] : 0 }
        case .sigmoid: for i in 0..<count { out[i] = g[i] * (y[i] * (1 - y[i])) }
        }
    }

    /// Float tanh, 16 lanes at a time. HOOK: replace with the shared SIMD tanh kernel when it lands.
    ///
    /// |x| < 0.25: odd Taylor polynomial to x⁹ (truncation < 3e-9 relative). Otherwise
    /// 1 − 2/(e^{2|x|} + 1) with the sign restored, e^y from `simdExp`; the subtraction costs at most
    /// ~4 ulp near |x| = 0.25 and < 2 ulp above 0.5. Measured max error vs Double tanh: see GEMMKernelTests.
    @inline(__always)
    static func tanhInPlace(_ y: UnsafeMutablePointer<Float>, count: Int) {
        forEachChunk(y, count: count) { x in
            let ax = x.replacing(with: -x, where: x .< 0)
            let e = simdExp(pointwiseMin(2 * ax, SIMD16(repeating: 40)))
            var large = 1 - 2 / (e + 1)
            large.replace(with: -large, where: x .< 0)
            let x2 = x * x
            var p = SIMD16<Float>(repeating: 62.0 / 2835)
            p = multiplyAdd(p, x2, SIMD16(repeating: -17.0 / 315))
            p = multiplyAdd(p, x2, SIMD16(repeating: 2.0 / 15))
            p = multiplyAdd(p, x2, SIMD16(repeating: -1.0 / 3))
            let small = multiplyAdd(p * x2, x, x)
            return small.replacing(with: large, where: ax .>= 0.25)
        }
    }

    /// Float logistic sigmoid 1/(1 + e^{−x}), 16 lanes at a time (e^{−x} from `simdExp`, clamped).
    @inline(__always)
    static func sigmoidInPlace(_ y: UnsafeMutablePointer<Float>, count: Int) {
        forEachChunk(y, count: count) { x in
            1 / (1 + simdExp((-x).clamped(lowerBound: SIMD16(repeating: -88), upperBound: SIMD16(repeating: 88))))
        }
    }

    /// Applies `f` to `y` in place, 16 lanes at a time (the tail through a padded copy).
    @inline(__always)
    static func forEachChunk(_ y: UnsafeMutablePointer<Float>, count: Int,
                             _ f: (SIMD16<Float>) -> SIMD16<Float>) {
        var i = 0
        while i + 16 <= count {
            let raw = UnsafeMutableRawPointer(y + i)
            raw.storeBytes(of: f(raw.loadUnaligned(as: SIMD16<Float>.self)), as: SIMD16<Float>.self)
            i += 16
        }
        if i < count {
            var chunk = SIMD16<Float>()
            for l in 0..<(count - i) { chunk[l] = y[i + l] }
            chunk = f(chunk)
            for l in 0..<(count - i) { y[i + l] = chunk[l] }
        }
    }

    /// e^x for x in [−88, 88], 16 lanes: x = n·ln2 + r with |r| ≤ ln2/2, e^r by its Taylor polynomial
    /// to r⁷ (truncation < 3e-9 relative), 2ⁿ assembled in the exponent bits. ~2 ulp.
    @inline(__always)
    static func simdExp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        typealias V = SIMD16<Float>
        let shifter = V(repeating: 12_582_912)  // 1.5·2²³: adding it rounds to an integer in the low bits
        let t = multiplyAdd(x, V(repeating: 1.442_695_04), shifter)
        let n = t - shifter
        var r = multiplyAdd(n, V(repeating: -0.693_145_751_953_125), x)  // ln2 split into hi + lo
        r = multiplyAdd(n, V(repeating: -1.428_606_765_330_187e-6), r)
        var p = V(repeating: 1.0 / 5040)
        p = multiplyAdd(p, r, V(repeating: 1.0 / 720))
        p = multiplyAdd(p, r, V(repeating: 1.0 / 120))
        p = multiplyAdd(p, r, V(repeating: 1.0 / 24))
        p = multiplyAdd(p, r, V(repeating: 1.0 / 6))
        p = multiplyAdd(p, r, V(repeating: 0.5))
        p = multiplyAdd(p, r, V(repeating: 1))
        p = multiplyAdd(p, r, V(repeating: 1))
        let bits = unsafeBitCast(t, to: SIMD16<UInt32>.self) &- unsafeBitCast(shifter, to: SIMD16<UInt32>.self)
        let scale = unsafeBitCast((bits &+ 127) &<< 23, to: V.self)
        return p * scale
    }
}
