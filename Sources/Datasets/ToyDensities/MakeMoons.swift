#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Autodiff
import Requirements

/// Two interleaving half circles, as scikit-learn's `make_moons` draws them: ⌊count/2⌋ points
/// (cos θ, sin θ) and the remaining ⌈count/2⌉ points (1 − cos θ, 1/2 − sin θ), each set at equally spaced
/// angles θ from 0 to π with both ends included, shuffled, then N(0, noise²) added to every coordinate.
///
/// - Parameters:
///   - count: The number of points, at least 1.
///   - noise: The standard deviation of the Gaussian noise on each coordinate, finite and ≥ 0.
///   - as: The scalar type of the result (`Float` or `Double`); the points are computed in `Double`.
///   - generator: The source of randomness (the shuffle and the noise).
/// - Returns: A `[count, 2]` tensor of points.
public func makeMoons<Scalar: TensorScalar>(count: Int, noise: Double, as: Scalar.Type = Scalar.self,
                                            using generator: inout some RandomNumberGenerator) -> Tensor<Scalar> {
    moonPoints(count: count, noise: noise, using: &generator).tensor(Scalar.self)
}

/// ``makeMoons(count:noise:as:using:)`` with scikit-learn's labels: 0 for a point of the upper half circle
/// (cos θ, sin θ), 1 for the lower one. The same generator state gives the same points as `makeMoons`.
///
/// - Parameters:
///   - count: The number of points, at least 1.
///   - noise: The standard deviation of the Gaussian noise on each coordinate, finite and ≥ 0.
///   - as: The scalar type of the points.
///   - generator: The source of randomness (the shuffle and the noise).
/// - Returns: A `[count, 2]` tensor of points and their labels.
public func makeLabeledMoons<Scalar: TensorScalar>(count: Int, noise: Double, as: Scalar.Type = Scalar.self,
                                                   using generator: inout some RandomNumberGenerator)
    -> (points: Tensor<Scalar>, labels: [Int]) {
    let (points, labels) = labeledMoonPoints(count: count, noise: noise, using: &generator)
    return (points.tensor(Scalar.self), labels)
}

/// The points of ``makeMoons(count:noise:as:using:)`` before the conversion to a tensor.
func moonPoints(count: Int, noise: Double, using generator: inout some RandomNumberGenerator) -> ToyPoints {
    labeledMoonPoints(count: count, noise: noise, using: &generator).points
}

/// The moons and their labels (0: upper half circle, 1: lower).
func labeledMoonPoints(count: Int, noise: Double, using generator: inout some RandomNumberGenerator)
    -> (points: ToyPoints, labels: [Int]) {
    require(count >= 1, "makeMoons: count must be at least 1, got \(count)")
    require(noise.isFinite && noise >= 0, "makeMoons: noise must be a finite standard deviation ≥ 0, got \(noise)")
    let upperCount = count / 2
    var points = ToyPoints(dimension: 2, reservingCapacity: count)
    for angle in halfTurnAngles(upperCount) { points.append(cos(angle), sin(angle)) }
    for angle in halfTurnAngles(count - upperCount) { points.append(1 - cos(angle), 0.5 - sin(angle)) }
    let order = points.shuffle(using: &generator)
    points.addNoise(standardDeviation: noise, using: &generator)
    return (points, order.map { $0 < upperCount ? 0 : 1 })
}

/// `count` equally spaced angles from 0 to π, both included (NumPy's `linspace(0, π, count)`; one point
/// is at 0).
private func halfTurnAngles(_ count: Int) -> [Double] {
    count == 1 ? [0] : (0..<count).map { Double.pi * Double($0) / Double(count - 1) }
}
