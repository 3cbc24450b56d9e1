import FusedMultiplyAdd

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Glibc's scalar sine (the fallback for large arguments).
@usableFromInline func libmSine(_ x: Double) -> Double { sin(x) }
/// Glibc's scalar cosine (the fallback for large arguments).
@usableFromInline func libmCosine(_ x: Double) -> Double { cos(x) }

// SIMD8<Double> polynomial kernels: the same algorithms as the `Float` ones, with longer series and
// 64-bit bit patterns. Error bounds are asserted by `TranscendentalAccuracyTests` against Glibc's Float80
// functions, with and without FMA; measured maxima in parentheses (plain build / native build).

extension Kernels {
    @inlinable @inline(__always)
    static func bits(_ v: SIMD8<Double>) -> SIMD8<Int64> { unsafeBitCast(v, to: SIMD8<Int64>.self) }

    @inlinable @inline(__always)
    static func doubles(_ v: SIMD8<Int64>) -> SIMD8<Double> { unsafeBitCast(v, to: SIMD8<Double>.self) }

    /// |v|, by clearing the sign bits.
    @inlinable @inline(__always)
    static func magnitude(_ v: SIMD8<Double>) -> SIMD8<Double> { doubles(bits(v) & 0x7fff_ffff_ffff_ffff) }

    /// `v` clamped to `[low, high]`; NaN lanes stay NaN.
    @inlinable @inline(__always)
    static func clamped(_ v: SIMD8<Double>, _ low: Double, _ high: Double) -> SIMD8<Double> {
        v.replacing(with: high, where: v .> high).replacing(with: low, where: v .< low)
    }

    /// Splits x = n·ln2 + r with |r| ≤ ln2/2; ln2's first part has 43 bits, so n·ln2hi is exact for
    /// |n| < 2¹⁰. Returns r and n as integers.
    @inlinable @inline(__always)
    static func reduceByLog2(_ x: SIMD8<Double>) -> (r: SIMD8<Double>, n: SIMD8<Int64>) {
        let shifter = 6_755_399_441_055_744.0 // 1.5·2⁵²
        let t = multiplyAdd(x, SIMD8(repeating: 1.442_695_040_888_963_4), SIMD8(repeating: shifter))
        let nf = t - shifter
        let n = bits(t) &- 0x4338_0000_0000_0000
        var r = multiplyAdd(nf, SIMD8(repeating: -0.693_147_180_559_890_3), x)
        r = multiplyAdd(nf, SIMD8(repeating: -5.497_923_018_708_371e-14), r)
        return (r, n)
    }

    /// e^r − 1 for |r| ≤ 0.35: Taylor series to r¹³ (truncation < 0.1 ulp).
    @inlinable @inline(__always)
    static func expm1Polynomial(_ r: SIMD8<Double>) -> SIMD8<Double> {
        var p = SIMD8<Double>(repeating: 1.0 / 6_227_020_800)
        p = multiplyAdd(p, r, SIMD8(repeating: 1.0 / 479_001_600))
        p = multiplyAdd(p, r, SIMD8(repeating: 1.0 / 39_916_800))
        p = multiplyAdd(p, r, SIMD8(repeating: 1.0 / 3_628_800))
        p = multiplyAdd(p, r, SIMD8(repeating: 1.0 / 362_880))
        p = multiplyAdd(p, r, SIMD8(repeating: 1.0 / 40320))
        p = multiplyAdd(p, r, SIMD8(repeating: 1.0 / 5040))
        p = multiplyAdd(p, r, SIMD8(repeating: 1.0 / 720))
        p = multiplyAdd(p, r, SIMD8(repeating: 1.0 / 120))
        p = multiplyAdd(p, r, SIMD8(repeating: 1.0 / 24))
        p = multiplyAdd(p, r, SIMD8(repeating: 1.0 / 6))
        p = multiplyAdd(p, r, SIMD8(repeating: 0.5))
        return multiplyAdd(r * r, p, r)
    }

    /// e^x, lane by lane. Max error 1 ulp (measured 0.93 / 0.99); +∞ above 709.78, subnormal results below −708.4,
    /// +0 below −745.13; NaN → NaN.
    @inlinable @inline(__always)
    static func exp(_ x: SIMD8<Double>) -> SIMD8<Double> {
        let (r, n) = reduceByLog2(clamped(x, -746, 710))
        let p = expm1Polynomial(r) + 1
        let n1 = n &>> 1, n2 = n &- n1
        let y = p * doubles((n1 &+ 1023) &<< 52) * doubles((n2 &+ 1023) &<< 52)
        return y.replacing(with: x, where: x .!= x)
    }

    /// e^x − 1, accurate near 0. Max error 2 ulp (measured 1.88 / 1.77); +∞ above 709.78, −1 below
    /// −37.5; NaN → NaN.
    @inlinable @inline(__always)
    static func expm1(_ x: SIMD8<Double>) -> SIMD8<Double> {
        let (r, n) = reduceByLog2(clamped(x, -40, 710))
        let em = expm1Polynomial(r)
        let half = doubles((n &+ 1022) &<< 52) // 2ⁿ⁻¹, finite for n = 1024
        let y = 2 * multiplyAdd(half, em, half - 0.5)
        return y.replacing(with: .infinity, where: x .> 709.782_712_893_384)
            .replacing(with: x, where: x .!= x)
    }

    /// log(1 + f) + k·ln2 + correction for f ∈ [√½ − 1, √2 − 1]: f − s·(f − R) with s = f/(2 + f),
    /// R = 2s²/3 + … + 2s¹⁸/19 (truncation < 0.2 ulp).
    @inlinable @inline(__always)
    static func logCore(_ f: SIMD8<Double>, _ k: SIMD8<Double>, _ correction: SIMD8<Double>) -> SIMD8<Double> {
        let s = f / (2 + f)
        let z = s * s
        let halfSquare = 0.5 * f * f
        var p = SIMD8<Double>(repeating: 2.0 / 19)
        p = multiplyAdd(p, z, SIMD8(repeating: 2.0 / 17))
        p = multiplyAdd(p, z, SIMD8(repeating: 2.0 / 15))
        p = multiplyAdd(p, z, SIMD8(repeating: 2.0 / 13))
        p = multiplyAdd(p, z, SIMD8(repeating: 2.0 / 11))
        p = multiplyAdd(p, z, SIMD8(repeating: 2.0 / 9))
        p = multiplyAdd(p, z, SIMD8(repeating: 2.0 / 7))
        p = multiplyAdd(p, z, SIMD8(repeating: 2.0 / 5))
        p = multiplyAdd(p, z, SIMD8(repeating: 2.0 / 3))
        let r = p * z
        let low = multiplyAdd(k, SIMD8(repeating: 5.497_923_018_708_371e-14), correction)
        let tail = multiplyAdd(s, halfSquare + r, low)
        return multiplyAdd(k, SIMD8(repeating: 0.693_147_180_559_890_3), f - (halfSquare - tail))
    }

    /// Natural logarithm. Max error 1 ulp (measured 0.96) over all positive doubles including subnormals;
    /// log(±0) = −∞, log(x < 0) = NaN, log(+∞) = +∞, NaN → NaN.
    @inlinable @inline(__always)
    static func log(_ x: SIMD8<Double>) -> SIMD8<Double> {
        let tiny = x .< Double.leastNormalMagnitude
        let scaled = x.replacing(with: x * 4_503_599_627_370_496, where: tiny) // 2⁵²
        let shifted = bits(scaled) &- 0x3FE6_A09E_667F_3BCD // bits of √½
        let k = (shifted &>> 52) &- SIMD8<Int64>(repeating: 0).replacing(with: 52, where: tiny)
        let f = doubles((shifted & 0x000F_FFFF_FFFF_FFFF) &+ 0x3FE6_A09E_667F_3BCD) - 1
        let kf = doubles(k &+ 0x4338_0000_0000_0000) - 6_755_399_441_055_744
        return logCore(f, kf, SIMD8(repeating: 0))
            .replacing(with: x, where: .!(x .< .infinity))
            .replacing(with: .nan, where: x .< 0)
            .replacing(with: -.infinity, where: x .== 0)
    }

    /// log(1 + u) for u ∈ [0, 1], with the rounding error of 1 + u added back.
    @inlinable @inline(__always)
    static func log1pOfUnitInterval(_ u: SIMD8<Double>) -> SIMD8<Double> {
        let m = 1 + u
        let correction = (u - (m - 1)) / m
        let upper = m .> 1.414_213_562_373_095
        let reduced = m.replacing(with: m * 0.5, where: upper)
        let k = SIMD8<Double>(repeating: 0).replacing(with: 1, where: upper)
        return logCore(reduced - 1, k, correction)
    }

    /// Hyperbolic tangent with the sign of x: −t/(t + 2) for |x| < 0.55, 1 − 2e/(1 + e) above, with
    /// t = e^(−2|x|) − 1 and e = e^(−2|x|). Max error 3 ulp (measured 2.51, from the error of t at small
    /// |x|); ±1 for |x| ≥ 19.1; NaN → NaN.
    @inlinable @inline(__always)
    static func tanh(_ x: SIMD8<Double>) -> SIMD8<Double> {
        let a = magnitude(x)
        let (r, n) = reduceByLog2(clamped(a * -2, -40, 0))
        let em = expm1Polynomial(r)
        let half = doubles((n &+ 1022) &<< 52)
        let t = 2 * multiplyAdd(half, em, half - 0.5) // e^(−2|x|) − 1
        let e = 2 * multiplyAdd(half, em, half) // e^(−2|x|)
        // −t/(t + 2) for small |x|, 1 − 2e/(1 + e) for large, with one division (see the Float kernel).
        let small = a .< 0.55
        let q = (e + e).replacing(with: -t, where: small) / (1 + e).replacing(with: t + 2, where: small)
        let y = (1 - q).replacing(with: q, where: small)
        return doubles(bits(y) | (bits(x) & Int64.min)).replacing(with: x, where: x .!= x)
    }

    /// Logistic sigmoid from e = e^(−|x|): 1/(1 + e) for x ≥ 0, e/(1 + e) for x < 0. Max error 3 ulp
    /// (measured 2.22) including subnormal results; NaN → NaN.
    @inlinable @inline(__always)
    static func sigmoid(_ x: SIMD8<Double>) -> SIMD8<Double> {
        let e = exp(-magnitude(x))
        return SIMD8<Double>(repeating: 1).replacing(with: e, where: x .< 0) / (1 + e)
    }

    /// Softplus log(1 + eˣ) = max(x, 0) + log(1 + e^(−|x|)). Max error 2 ulp (measured 1.64);
    /// NaN → NaN.
    @inlinable @inline(__always)
    static func softplus(_ x: SIMD8<Double>) -> SIMD8<Double> {
        x.replacing(with: 0, where: x .< 0) + log1pOfUnitInterval(exp(-magnitude(x)))
    }

    /// ELU: x for x > 0, α(eˣ − 1) otherwise. Max error 2 ulp for α = 1 (measured 1.13);
    /// NaN → NaN.
    @inlinable @inline(__always)
    static func elu(_ x: SIMD8<Double>, alpha: Double) -> SIMD8<Double> {
        let negative = alpha * expm1(x.replacing(with: 0, where: x .> 0))
        return negative.replacing(with: x, where: x .> 0)
    }

    /// Square root, with the hardware instruction; correctly rounded.
    @inlinable @inline(__always)
    static func sqrt(_ x: SIMD8<Double>) -> SIMD8<Double> { x.squareRoot() }

    /// Largest |x| for which sine and cosine use the vector range reduction (the three-part π/2 keeps
    /// n·P1 and n·P2 exact up to here); beyond it, Glibc.
    @inlinable static var trigonometricReductionLimit: Double { 1e5 }

    /// sin(r) and cos(r) for |r| ≤ π/4 by Taylor series (to r¹⁹ and r²⁰), and the quadrant n of
    /// x = n·π/2 + r.
    @inlinable @inline(__always)
    static func sinCosReduced(_ x: SIMD8<Double>) -> (sin: SIMD8<Double>, cos: SIMD8<Double>, n: SIMD8<Int64>) {
        let shifter = 6_755_399_441_055_744.0
        let t = multiplyAdd(x, SIMD8(repeating: 0.636_619_772_367_581_4), SIMD8(repeating: shifter))
        let nf = t - shifter
        let n = bits(t) &- 0x4338_0000_0000_0000
        // r + rLow = x − n·(P1 + P2 + P3) in double-double: x − n·P1 and n·P2 are exact.
        let y1 = multiplyAdd(nf, SIMD8(repeating: -1.570_796_326_734_125_6), x)
        let y2 = nf * 6.077_100_506_303_966e-11
        let high = y1 - y2
        let low = multiplyAdd(nf, SIMD8(repeating: -2.022_266_248_795_950_6e-21), (y1 - high) - y2)
        let r = high + low
        let rLow = (high - r) + low
        let z = r * r
        var s = SIMD8<Double>(repeating: -1.0 / 121_645_100_408_832_000)
        s = multiplyAdd(s, z, SIMD8(repeating: 1.0 / 355_687_428_096_000))
        s = multiplyAdd(s, z, SIMD8(repeating: -1.0 / 1_307_674_368_000))
        s = multiplyAdd(s, z, SIMD8(repeating: 1.0 / 6_227_020_800))
        s = multiplyAdd(s, z, SIMD8(repeating: -1.0 / 39_916_800))
        s = multiplyAdd(s, z, SIMD8(repeating: 1.0 / 362_880))
        s = multiplyAdd(s, z, SIMD8(repeating: -1.0 / 5040))
        s = multiplyAdd(s, z, SIMD8(repeating: 1.0 / 120))
        s = multiplyAdd(s, z, SIMD8(repeating: -1.0 / 6))
        let sine = r + multiplyAdd(r * z, s, rLow)
        var c = SIMD8<Double>(repeating: 1.0 / 2_432_902_008_176_640_000)
        c = multiplyAdd(c, z, SIMD8(repeating: -1.0 / 6_402_373_705_728_000))
        c = multiplyAdd(c, z, SIMD8(repeating: 1.0 / 20_922_789_888_000))
        c = multiplyAdd(c, z, SIMD8(repeating: -1.0 / 87_178_291_200))
        c = multiplyAdd(c, z, SIMD8(repeating: 1.0 / 479_001_600))
        c = multiplyAdd(c, z, SIMD8(repeating: -1.0 / 3_628_800))
        c = multiplyAdd(c, z, SIMD8(repeating: 1.0 / 40320))
        c = multiplyAdd(c, z, SIMD8(repeating: -1.0 / 720))
        c = multiplyAdd(c, z, SIMD8(repeating: 1.0 / 24))
        // 1 − z/2 rounded, its rounding error recovered exactly, then the rest of the series.
        let halfZ = 0.5 * z
        let w = 1 - halfZ
        let cosine = w + multiplyAdd(z * z, c, multiplyAdd(-r, rLow, (1 - w) - halfZ))
        return (sine, cosine, n)
    }

    /// sin(x) (`quadrantShift` 0) or cos(x) (`quadrantShift` 1) = sin(x + shift·π/2).
    @inlinable @inline(__always)
    static func sinCos(_ x: SIMD8<Double>, quadrantShift: Int64) -> SIMD8<Double> {
        let limit = trigonometricReductionLimit
        if any(.!(magnitude(x) .<= limit)) {
            var y = SIMD8<Double>()
            for i in 0..<8 { y[i] = quadrantShift == 0 ? libmSine(x[i]) : libmCosine(x[i]) }
            return y
        }
        let (sine, cosine, n) = sinCosReduced(x)
        let q = n &+ quadrantShift
        // Odd quadrants take the cosine (an integer blend: a mask from an integer comparison becomes
        // a branch per lane), quadrants 2 and 3 flip the sign.
        let odd = SIMD8<Int64>(repeating: 0) &- (q & 1)
        let y = bits(sine) ^ ((bits(sine) ^ bits(cosine)) & odd)
        return doubles(y ^ ((q & 2) &<< 62))
    }

    /// Sine. Max error 1 ulp (measured 0.81) for |x| ≤ 10⁵ (three-part Cody–Waite reduction by π/2); Glibc beyond, so
    /// sin(±∞) = NaN; NaN → NaN.
    @inlinable @inline(__always)
    static func sin(_ x: SIMD8<Double>) -> SIMD8<Double> { sinCos(x, quadrantShift: 0) }

    /// Cosine. Max error 1 ulp (measured 0.91) for |x| ≤ 10⁵; Glibc beyond, so cos(±∞) = NaN; NaN → NaN.
    @inlinable @inline(__always)
    static func cos(_ x: SIMD8<Double>) -> SIMD8<Double> { sinCos(x, quadrantShift: 1) }
}
