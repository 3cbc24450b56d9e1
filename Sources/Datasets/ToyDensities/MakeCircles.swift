#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Autodiff
import Requirements

/// Two concentric circles, as scikit-learn's `make_circles` draws them: ⌊count/2⌋ points on the unit
/// circle at the equally spaced angles 2πj/⌊count/2⌋ (the endpoint 2π excluded), the remaining
/// ⌈count/2⌉ on the circle of radius `factor` in the same way, shuffled, then N(0, noise²) added to
/// every coordinate.
///
/// The rows are in random order; a point's circle is not returned (with a small `noise` its radius
/// tells it).
///
/// - Parameters:
///   - count: The number of points, at least 1.
///   - noise: The standard deviation of the Gaussian noise on each coordinate, finite and ≥ 0.
///   - factor: The inner circle's radius relative to the outer one, in [0, 1).
///   - as: The scalar type of the result (`Float` or `Double`); the points are computed in `Double`.
///   - generator: The source of randomness (the shuffle and the noise).
/// - Returns: A `[count, 2]` tensor of points.
public func makeCircles<Scalar: TensorScalar>(count: Int, noise: Double, factor: Double, as: Scalar.Type = Scalar.self,
                                              using generator: inout some RandomNumberGenerator) -> Tensor<Scalar> {
    circlePoints(count: count, noise: noise, factor: factor, using: &generator).tensor(Scalar.self)
}

/// The points of ``makeCircles(count:noise:factor:as:using:)`` before the conversion to a tensor.
func circlePoints(count: Int, noise: Double, factor: Double,
                  using generator: inout some RandomNumberGenerator) -> ToyPoints {
    require(count >= 1, "makeCircles: count must be at least 1, got \(count)")
    require(noise.isFinite && noise >= 0, "makeCircles: noise must be a finite standard deviation ≥ 0, got \(noise)")
    require(factor >= 0 && factor < 1, "makeCircles: factor must be in [0, 1), got \(factor)")
    let outerCount = count / 2
    var points = ToyPoints(dimension: 2, reservingCapacity: count)
    for angle in equallySpacedAngles(outerCount) { points.append(cos(angle), sin(angle)) }
    for angle in equallySpacedAngles(count - outerCount) { points.append(factor * cos(angle), factor * sin(angle)) }
    points.shuffle(using: &generator)
    points.addNoise(standardDeviation: noise, using: &generator)
    return points
}
