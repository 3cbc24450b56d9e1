#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// FFJORD's `pinwheel`: five arms. A point of arm k (k = 0 … 4) starts as f = (1 + 0.3 ε₁, 0.1 ε₂) with
/// ε standard normal, is rotated clockwise by the angle a = 2πk/5 + 0.25·exp(f₀) — the output is
/// (f₀ cos a + f₁ sin a, −f₀ sin a + f₁ cos a) — and scaled by 2; the rows are shuffled.
///
/// FFJORD gives every arm ⌊count/5⌋ points and so returns 5⌊count/5⌋ rows; here the first count mod 5 arms
/// get one point more, so that exactly `count` rows come back (the same batch when 5 divides `count`).
func pinwheelPoints(count: Int, using generator: inout some RandomNumberGenerator) -> ToyPoints {
    let radialStandardDeviation = 0.3, tangentialStandardDeviation = 0.1, arms = 5, rate = 0.25
    var points = ToyPoints(dimension: 2, reservingCapacity: count)
    for arm in 0..<arms {
        let armCount = count / arms + (arm < count % arms ? 1 : 0)
        let armAngle = 2 * Double.pi * Double(arm) / Double(arms)
        for _ in 0..<armCount {
            let radial = 1 + radialStandardDeviation * generator.sampleNormal()
            let tangential = tangentialStandardDeviation * generator.sampleNormal()
            let angle = armAngle + rate * exp(radial)
            let (c, s) = (cos(angle), sin(angle))
            points.append(2 * (radial * c + tangential * s), 2 * (-radial * s + tangential * c))
        }
    }
    points.shuffle(using: &generator)
    return points
}
