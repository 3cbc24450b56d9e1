#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Autodiff
import Requirements

/// A swiss roll in three dimensions, as scikit-learn's `make_swiss_roll` (without a hole) draws it:
/// t uniform on [3π/2, 9π/2) and height h uniform on [0, 21), the point (t cos t, h, t sin t), then
/// N(0, noise²) added to every coordinate.
///
/// - Parameters:
///   - count: The number of points, at least 1.
///   - noise: The standard deviation of the Gaussian noise on each coordinate, finite and ≥ 0.
///   - as: The scalar type of the result (`Float` or `Double`); the points are computed in `Double`.
///   - generator: The source of randomness.
/// - Returns: A `[count, 3]` tensor of points.
public func makeSwissRoll<Scalar: TensorScalar>(count: Int, noise: Double, as: Scalar.Type = Scalar.self,
                                                using generator: inout some RandomNumberGenerator) -> Tensor<Scalar> {
    swissRollPoints(count: count, noise: noise, using: &generator).tensor(Scalar.self)
}

/// The points of ``makeSwissRoll(count:noise:as:using:)`` before the conversion to a tensor.
func swissRollPoints(count: Int, noise: Double, using generator: inout some RandomNumberGenerator) -> ToyPoints {
    require(count >= 1, "makeSwissRoll: count must be at least 1, got \(count)")
    require(noise.isFinite && noise >= 0, "makeSwissRoll: noise must be a finite standard deviation ≥ 0, got \(noise)")
    var points = ToyPoints(dimension: 3, reservingCapacity: count)
    for _ in 0..<count {
        let t = 1.5 * Double.pi * (1 + 2 * generator.sampleUniform())
        let height = 21 * generator.sampleUniform()
        points.append(t * cos(t), height, t * sin(t))
    }
    points.addNoise(standardDeviation: noise, using: &generator)
    return points
}
