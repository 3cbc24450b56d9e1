import Autodiff
import Requirements

/// The density a continuous normalizing flow maps its data to: a centred Gaussian with independent
/// coordinates.
public enum BaseDensity: Sendable, Equatable, CustomStringConvertible {
    /// N(0, I).
    case standardNormal
    /// N(0, σ²I) with the given variance σ² for every coordinate (torchdiffeq's `cnf.py` uses 0.1).
    case isotropicGaussian(variance: Double)
    /// N(0, diag(σ²)) with one variance per coordinate.
    case diagonalGaussian(variances: [Double])

    /// The variance of coordinate `index` of a `dimensions`-dimensional state.
    func variance(_ index: Int, dimensions: Int) -> Double {
        switch self {
        case .standardNormal: return 1
        case .isotropicGaussian(let variance): return variance
        case .diagonalGaussian(let variances):
            require(variances.count == dimensions,
                    "BaseDensity: \(variances.count) variances for a \(dimensions)-dimensional state")
            return variances[index]
        }
    }

    /// Checks that every variance is positive and finite.
    func validate(dimensions: Int) {
        for i in 0..<dimensions {
            let v = variance(i, dimensions: dimensions)
            require(v.isFinite && v > 0, "BaseDensity: variance \(v) of coordinate \(i) is not positive and finite")
        }
    }

    /// The log-density of each row of `z` (`[batch, D]`), recorded so that it can be differentiated.
    ///
    /// - Parameter z: Points, one per row.
    /// - Returns: log p(z), `[batch]`.
    public func logDensity<Scalar: TensorScalar>(_ z: Tensor<Scalar>) -> Tensor<Scalar> {
        require(z.rank == 2, "BaseDensity.logDensity: points must be [batch, D], got shape \(z.shape)")
        let d = z.shape[1]
        validate(dimensions: d)
        let variances = (0..<d).map { variance($0, dimensions: d) }
        let constant = -0.5 * variances.reduce(0) { $0 + log(2 * Double.pi * $1) }
        let precision = Tensor<Scalar>(shape: [1, d], scalars: variances.map { Scalar(-0.5 / $0) })
        return (z * z * precision).sum(axis: 1) + Tensor(Scalar(constant))
    }

    /// `count` samples, `[count, dimensions]`.
    ///
    /// - Parameters:
    ///   - count: The number of samples.
    ///   - dimensions: D.
    ///   - scalarType: The samples' scalar type (inferred from the context when omitted).
    ///   - generator: The source of randomness.
    /// - Returns: The samples, one per row.
    public func sample<Scalar: TensorScalar>(_ count: Int, dimensions: Int, as scalarType: Scalar.Type = Scalar.self,
                                             using generator: inout some RandomNumberGenerator) -> Tensor<Scalar> {
        require(count >= 1 && dimensions >= 1,
                "BaseDensity.sample: need count ≥ 1 and dimensions ≥ 1, got \(count) and \(dimensions)")
        validate(dimensions: dimensions)
        let noise = Tensor<Scalar>.randomNormal([count, dimensions], using: &generator)
        let scale = Tensor<Scalar>(shape: [1, dimensions],
                                   scalars: (0..<dimensions).map { Scalar(variance($0, dimensions: dimensions).squareRoot()) })
        return withoutDerivative(at: noise * scale)
    }

    /// `standardNormal`, `isotropicGaussian(variance: v)` or `diagonalGaussian(variances: […])`.
    public var description: String {
        switch self {
        case .standardNormal: return "standardNormal"
        case .isotropicGaussian(let v): return "isotropicGaussian(variance: \(v))"
        case .diagonalGaussian(let v): return "diagonalGaussian(variances: \(v))"
        }
    }
}
