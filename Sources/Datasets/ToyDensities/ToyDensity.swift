import Autodiff
import Requirements

/// The two-dimensional toy densities that continuous normalizing flows are demonstrated on, named and
/// generated as in FFJORD (Grathwohl, Chen, Bettencourt, Sutskever & Duvenaud, ICLR 2019), whose
/// `lib/toy_data.py` function `inf_train_gen` draws them.
///
/// The raw values are FFJORD's names, so `ToyDensity(rawValue: "8gaussians")` reads a command-line
/// argument. Samples follow the same distributions as FFJORD's, not NumPy's random streams:
///
///     var generator = SeededGenerator(seed: 0)
///     let batch = ToyDensity.twoSpirals.sample(512, as: Float.self, using: &generator)   // [512, 2]
///     print(ToyDensity.twoSpirals.entropy)          // the best reachable mean NLL, in nats
public enum ToyDensity: String, CaseIterable, Sendable {
    /// Eight Gaussians of standard deviation 0.5/1.414 centered on a circle of radius 4/1.414.
    case eightGaussians = "8gaussians"
    /// Five curved arms (FFJORD's `pinwheel`).
    case pinwheel
    /// Uniform on the eight black squares of a 4×4 checkerboard on [−4, 4)².
    case checkerboard
    /// Four noisy concentric circles of radii 3, 2.25, 1.5 and 0.75.
    case rings
    /// Two interleaved spirals of 540° each.
    case twoSpirals = "2spirals"
    /// scikit-learn's `make_moons` with noise 0.1, scaled by 2 and shifted by (−1, −0.2).
    case moons
    /// scikit-learn's `make_swiss_roll` with noise 1, its first and third coordinates divided by 5.
    case swissroll
    /// scikit-learn's `make_circles` with factor 0.5 and noise 0.08, scaled by 3.
    case circles

    /// Draws `count` points, as FFJORD's `inf_train_gen(name, batch_size: count)` does.
    ///
    /// Two generators of FFJORD return fewer rows than asked (`pinwheel` a multiple of 5, `2spirals` an
    /// even number); these return exactly `count`, with the extra points described at their cases. The
    /// points are computed in `Double` and rounded to `Scalar` at the end.
    ///
    /// - Parameters:
    ///   - count: The number of points, at least 1.
    ///   - as: The scalar type of the result (`Float` or `Double`).
    ///   - generator: The source of randomness.
    /// - Returns: A `[count, 2]` tensor of points.
    public func sample<Scalar: TensorScalar>(_ count: Int, as: Scalar.Type = Scalar.self,
                                             using generator: inout some RandomNumberGenerator) -> Tensor<Scalar> {
        require(count >= 1, "ToyDensity.\(self).sample: count must be at least 1, got \(count)")
        let points: ToyPoints
        switch self {
        case .eightGaussians: points = eightGaussiansPoints(count: count, using: &generator)
        case .pinwheel: points = pinwheelPoints(count: count, using: &generator)
        case .checkerboard: points = checkerboardPoints(count: count, using: &generator)
        case .rings: points = ringPoints(count: count, using: &generator)
        case .twoSpirals: points = twoSpiralPoints(count: count, using: &generator)
        case .moons:
            // make_moons(n, noise=0.1) · 2 + (−1, −0.2)
            points = moonPoints(count: count, noise: 0.1, using: &generator)
                .mapped(dimension: 2) { [2 * $0[$0.startIndex] - 1, 2 * $0[$0.startIndex + 1] - 0.2] }
        case .swissroll:
            // make_swiss_roll(n, noise=1.0)[:, [0, 2]] / 5
            points = swissRollPoints(count: count, noise: 1, using: &generator)
                .mapped(dimension: 2) { [$0[$0.startIndex] / 5, $0[$0.startIndex + 2] / 5] }
        case .circles:
            // make_circles(n, factor=0.5, noise=0.08) · 3
            points = circlePoints(count: count, noise: 0.08, factor: 0.5, using: &generator)
                .mapped(dimension: 2) { [3 * $0[$0.startIndex], 3 * $0[$0.startIndex + 1]] }
        }
        return points.tensor(Scalar.self)
    }
}
