#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// FFJORD's `2spirals`: ⌈count/2⌉ points of the first arm, the angle n = √u · 3π (540°, so that n is
/// denser at the outer end) for u uniform on [0, 1), the point (−n cos n + 0.5 v₁, n sin n + 0.5 v₂) with v
/// uniform on [0, 1)²; the second arm is the first ⌊count/2⌋ of these points negated (each point of the
/// second arm mirrors one of the first, as in FFJORD); everything is divided by 3 and N(0, 0.1²) noise is
/// added to every coordinate. The rows are not shuffled: the first arm comes first.
///
/// FFJORD draws ⌊count/2⌋ points per arm and so returns 2⌊count/2⌋ rows; here an odd `count` gives the
/// first arm one unmirrored point more, so that exactly `count` rows come back.
func twoSpiralPoints(count: Int, using generator: inout some RandomNumberGenerator) -> ToyPoints {
    let turn = 540 * (2 * Double.pi) / 360, boxSide = 0.5, divisor = 3.0, noise = 0.1
    let firstArmCount = count - count / 2
    var firstArm = ToyPoints(dimension: 2, reservingCapacity: firstArmCount)
    for _ in 0..<firstArmCount {
        let n = generator.sampleUniform().squareRoot() * turn
        let x = -cos(n) * n + boxSide * generator.sampleUniform()
        let y = sin(n) * n + boxSide * generator.sampleUniform()
        firstArm.append(x / divisor, y / divisor)
    }
    var points = firstArm
    points.coordinates.append(contentsOf: firstArm.coordinates[0 ..< 2 * (count / 2)].map { -$0 })
    points.addNoise(standardDeviation: noise, using: &generator)
    return points
}
