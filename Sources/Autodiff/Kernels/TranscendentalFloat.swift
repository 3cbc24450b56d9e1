import FusedMultiplyAdd

// SIMD16<Float> polynomial kernels for the transcendental functions behind the element-wise ops.
//
// Every function is branch-free over 16 lanes (masks select special cases), uses `multiplyAdd` for its
// Horner steps, and builds powers of two from integer bit patterns. The error bounds in the doc comments
// are asserted by `TranscendentalAccuracyTests` (about 3 million points per function: dense sweeps, random
// bit patterns of every binade, special values; reference: Glibc's Float80 functions), with and without
// FMA; the measured maxima are quoted in parentheses (plain build / native build).

extension Kernels {
    @inlinable @inline(__always)
    static func bits(_ v: SIMD16<Float>) -> SIMD16<Int32> { unsafeBitCast(v, to: SIMD16<Int32>.self) }

    @inlinable @inline(__always)
    static func floats(_ v: SIMD16<Int32>) -> SIMD16<Float> { unsafeBitCast(v, to: SIMD16<Float>.self) }

    /// |v|, by clearing the sign bits.
    @inlinable @inline(__always)
    static func magnitude(_ v: SIMD16<Float>) -> SIMD16<Float> { floats(bits(v) & 0x7fff_ffff) }

    /// `v` clamped to `[low, high]`; NaN lanes stay NaN.
    @inlinable @inline(__always)
    static func clamped(_ v: SIMD16<Float>, _ low: Float, _ high: Float) -> SIMD16<Float> {
        v.replacing(with: high, where: v .> high).replacing(with: low, where: v .< low)
    }

    /// Splits x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite: ln2 in two parts, the first with 16 bits so
    /// n·ln2hi is exact). Requires |x| < 2²¹; returns r and n as integers.
    @inlinable @inline(__always)
    static func reduceByLog2(_ x: SIMD16<Float>) -> (r: SIMD16<Float>, n: SIMD16<Int32>) {
        let shifter: Float = 12_582_912 // 1.5·2²³: adding it rounds to an integer in the low mantissa bits
        let t = multiplyAdd(x, SIMD16(repeating: 1.442_695_04), SIMD16(repeating: shifter))
        let nf = t - shifter
        let n = bits(t) &- 0x4B40_0000
        var r = multiplyAdd(nf, SIMD16(repeating: -0.693_145_751_953_125), x)
        r = multiplyAdd(nf, SIMD16(repeating: -1.428_606_820_309_417_3e-6), r)
        return (r, n)
    }

    /// e^r − 1 for |r| ≤ 0.35: Taylor series to r⁸ (truncation < 0.03 ulp).
    @inlinable @inline(__always)
    static func expm1Polynomial(_ r: SIMD16<Float>) -> SIMD16<Float> {
        var p = SIMD16<Float>(repeating: Float(1.0 / 40320))
        p = multiplyAdd(p, r, SIMD16(repeating: Float(1.0 / 5040)))
        p = multiplyAdd(p, r, SIMD16(repeating: Float(1.0 / 720)))
        p = multiplyAdd(p, r, SIMD16(repeating: Float(1.0 / 120)))
        p = multiplyAdd(p, r, SIMD16(repeating: Float(1.0 / 24)))
        p = multiplyAdd(p, r, SIMD16(repeating: Float(1.0 / 6)))
        p = multiplyAdd(p, r, SIMD16(repeating: 0.5))
        return multiplyAdd(r * r, p, r)
    }

    /// e^x, lane by lane. Max error 1 ulp (measured 0.93 / 0.97); overflows to +∞ above
    /// 88.72, gradually underflows (subnormal results) and reaches +0 below −103.97; NaN → NaN.
    @inlinable @inline(__always)
    static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let (r, n) = reduceByLog2(clamped(x, -104, 89))
        let p = expm1Polynomial(r) + 1
        // 2ⁿ as two factors so that subnormal results (n < −126) and n = 128 stay representable.
        let n1 = n &>> 1, n2 = n &- n1
        let y = p * floats((n1 &+ 127) &<< 23) * floats((n2 &+ 127) &<< 23)
        return y.replacing(with: x, where: x .!= x)
    }

    /// e^x − 1, accurate near 0. Max error 2 ulp (measured 1.39 / 1.43); +∞ above 88.72, −1 below
    /// −17.4; NaN → NaN.
    @inlinable @inline(__always)
    static func expm1(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let (r, n) = reduceByLog2(clamped(x, -30, 89))
        let em = expm1Polynomial(r)
        // 2ⁿ(em + 1) − 1 = 2·(2ⁿ⁻¹·em + (2ⁿ⁻¹ − ½)): the halved scale stays finite for n = 128.
        let half = floats((n &+ 126) &<< 23)
        let y = 2 * multiplyAdd(half, em, half - 0.5)
        return y.replacing(with: .infinity, where: x .> 88.722_83).replacing(with: x, where: x .!= x)
    }

    /// log(1 + f) + k·ln2 + correction for f ∈ [√½ − 1, √2 − 1], via s = f/(2 + f):
    /// log(1 + f) = f − s·(f − R), R = 2s²/3 + 2s⁴/5 + … (series to s⁸, truncation < 0.01 ulp).
    @inlinable @inline(__always)
    static func logCore(_ f: SIMD16<Float>, _ k: SIMD16<Float>, _ correction: SIMD16<Float>) -> SIMD16<Float> {
        let s = f / (2 + f)
        let z = s * s
        let halfSquare = 0.5 * f * f
        var p = SIMD16<Float>(repeating: Float(2.0 / 9))
        p = multiplyAdd(p, z, SIMD16(repeating: Float(2.0 / 7)))
        p = multiplyAdd(p, z, SIMD16(repeating: Float(2.0 / 5)))
        p = multiplyAdd(p, z, SIMD16(repeating: Float(2.0 / 3)))
        let r = p * z
        let low = multiplyAdd(k, SIMD16(repeating: 1.428_606_820_309_417_3e-6), correction)
        let tail = multiplyAdd(s, halfSquare + r, low)
        return multiplyAdd(k, SIMD16(repeating: 0.693_145_751_953_125), f - (halfSquare - tail))
    }

    /// Natural logarithm. Max error 1 ulp (measured 0.81) over all positive floats including
    /// subnormals;
    /// log(±0) = −∞, log(x < 0) = NaN, log(+∞) = +∞, NaN → NaN.
    @inlinable @inline(__always)
    static func log(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let tiny = x .< Float.leastNormalMagnitude
        let scaled = x.replacing(with: x * 8_388_608, where: tiny) // 2²³ lifts subnormals to normal
        let shifted = bits(scaled) &- 0x3F35_04F3 // bits of √½: mantissa lands in [√½, √2)
        let k = (shifted &>> 23) &- SIMD16<Int32>(repeating: 0).replacing(with: 23, where: tiny)
        let f = floats((shifted & 0x007F_FFFF) &+ 0x3F35_04F3) - 1
        let kf = floats(k &+ 0x4B40_0000) - 12_582_912 // exact integer-to-float for |k| < 2²²
        return logCore(f, kf, SIMD16(repeating: 0))
            .replacing(with: x, where: .!(x .< .infinity))
            .replacing(with: .nan, where: x .< 0)
            .replacing(with: -.infinity, where: x .== 0)
    }

    /// log(1 + u) for u ∈ [0, 1] (the softplus tail): 1 + u is rounded, and the rounding error is
    /// added back as a first-order correction.
    @inlinable @inline(__always)
    static func log1pOfUnitInterval(_ u: SIMD16<Float>) -> SIMD16<Float> {
        let m = 1 + u
        let correction = (u - (m - 1)) / m
        let upper = m .> 1.414_213_5
        let reduced = m.replacing(with: m * 0.5, where: upper)
        let k = SIMD16<Float>(repeating: 0).replacing(with: 1, where: upper)
        return logCore(reduced - 1, k, correction)
    }

    /// Hyperbolic tangent with the sign of x: −t/(t + 2) for |x| < 0.55 and 1 − 2e/(1 + e) above, from
    /// one reduction giving both t = e^(−2|x|) − 1 and e = e^(−2|x|). Max error 3 ulp (measured 2.23, near
    /// the switch); ±1 for |x| ≥ 9.1, exact for tiny and subnormal x; NaN → NaN.
    @inlinable @inline(__always)
    static func tanh(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let a = magnitude(x)
        let (r, n) = reduceByLog2(clamped(a * -2, -30, 0))
        let em = expm1Polynomial(r)
        let half = floats((n &+ 126) &<< 23)
        let t = 2 * multiplyAdd(half, em, half - 0.5) // e^(−2|x|) − 1
        let e = 2 * multiplyAdd(half, em, half) // e^(−2|x|)
        // Small |x|: −t/(t + 2), accurate relative to the small result. Large |x|: 1 − 2e/(1 + e), whose
        // correction term is small, so its rounding barely reaches the result. One division for both.
        let small = a .< 0.55
        let q = (e + e).replacing(with: -t, where: small) / (1 + e).replacing(with: t + 2, where: small)
        let y = (1 - q).replacing(with: q, where: small)
        return floats(bits(y) | (bits(x) & Int32.min)).replacing(with: x, where: x .!= x)
    }

    /// Logistic sigmoid 1/(1 + e^(−x)), from e = e^(−|x|) so nothing overflows: 1/(1 + e) for x ≥ 0,
    /// e/(1 + e) for x < 0. Max error 3 ulp (measured 2.24), including subnormal results below
    /// x = −87.3; 1 above x = 17.33 and +0 below x = −103.9; NaN → NaN.
    @inlinable @inline(__always)
    static func sigmoid(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let e = exp(-magnitude(x))
        return SIMD16<Float>(repeating: 1).replacing(with: e, where: x .< 0) / (1 + e)
    }

    /// Softplus log(1 + eˣ), computed stably as max(x, 0) + log(1 + e^(−|x|)). Max error 2 ulp
    /// (measured 1.53); softplus(+∞) = +∞, softplus(−∞) = +0, NaN → NaN.
    @inlinable @inline(__always)
    static func softplus(_ x: SIMD16<Float>) -> SIMD16<Float> {
        x.replacing(with: 0, where: x .< 0) + log1pOfUnitInterval(exp(-magnitude(x)))
    }

    /// ELU: x for x > 0, α(eˣ − 1) otherwise. Max error 2 ulp for α = 1 (measured 1.0; the
    /// product with another α adds its rounding); NaN → NaN.
    @inlinable @inline(__always)
    static func elu(_ x: SIMD16<Float>, alpha: Float) -> SIMD16<Float> {
        let negative = alpha * expm1(x.replacing(with: 0, where: x .> 0))
        return negative.replacing(with: x, where: x .> 0)
    }

    /// Square root, with the hardware instruction; correctly rounded.
    @inlinable @inline(__always)
    static func sqrt(_ x: SIMD16<Float>) -> SIMD16<Float> { x.squareRoot() }

    /// Eight lanes converted to `Double` (a lane loop the vectoriser turns into one conversion; the
    /// standard library's generic initializer is an out-of-line call).
    @inlinable @inline(__always)
    static func widened(_ v: SIMD8<Float>) -> SIMD8<Double> {
        var result = SIMD8<Double>()
        for i in 0..<8 { result[i] = Double(v[i]) }
        return result
    }

    /// Two vectors of eight `Double` lanes rounded to sixteen `Float` lanes.
    @inlinable @inline(__always)
    static func narrowed(_ low: SIMD8<Double>, _ high: SIMD8<Double>) -> SIMD16<Float> {
        var result = SIMD16<Float>()
        for i in 0..<8 { result[i] = Float(low[i]); result[i + 8] = Float(high[i]) }
        return result
    }

    /// Sine, evaluated by the `Double` kernel and rounded: max error 0.51 ulp (measured 0.50);
    /// Glibc beyond |x| = 10⁵; sin(±∞) = NaN.
    @inlinable @inline(__always)
    static func sin(_ x: SIMD16<Float>) -> SIMD16<Float> {
        narrowed(sin(widened(x.lowHalf)), sin(widened(x.highHalf)))
    }

    /// Cosine, evaluated by the `Double` kernel and rounded: max error 0.51 ulp (measured 0.50);
    /// Glibc beyond |x| = 10⁵; cos(±∞) = NaN.
    @inlinable @inline(__always)
    static func cos(_ x: SIMD16<Float>) -> SIMD16<Float> {
        narrowed(cos(widened(x.lowHalf)), cos(widened(x.highHalf)))
    }
}
