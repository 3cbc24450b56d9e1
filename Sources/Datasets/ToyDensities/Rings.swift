#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// FFJORD's `rings`: four concentric circles of radii 3, 2.25, 1.5 and 0.75 (1, 0.75, 0.5 and 0.25 scaled
/// by 3). The three outer circles get ⌊count/4⌋ points each and the innermost the rest, at equally spaced
/// angles 2πj/m (m points on that circle, the endpoint excluded); the rows are shuffled and N(0, 0.08²)
/// noise is added to every coordinate (after the scaling).
func ringPoints(count: Int, using generator: inout some RandomNumberGenerator) -> ToyPoints {
    let radii = [1.0, 0.75, 0.5, 0.25], scale = 3.0, noise = 0.08
    let outerCount = count / 4
    var points = ToyPoints(dimension: 2, reservingCapacity: count)
    for (index, radius) in radii.enumerated() {
        let ringCount = index < 3 ? outerCount : count - 3 * outerCount
        for angle in equallySpacedAngles(ringCount) {
            points.append(scale * radius * cos(angle), scale * radius * sin(angle))
        }
    }
    points.shuffle(using: &generator)
    points.addNoise(standardDeviation: noise, using: &generator)
    return points
}
