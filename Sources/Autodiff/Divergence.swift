import Requirements

/// The divergence of a vector field per sample of a batch, div f = tr(∂f/∂z) — the log-density change of a
/// continuous normalizing flow (Chen et al. 2018, §4) — exactly (one pullback per feature) or by
/// Hutchinson's estimator εᵀ(∂f/∂z)ε (one pullback; Grathwohl et al. 2019, FFJORD). Both are recorded
/// when called inside a function being differentiated, so the divergence can be differentiated with
/// respect to the field's parameters (and the state).

/// The distribution of the probe vectors of Hutchinson's trace estimator; both have E[εεᵀ] = I.
public enum HutchinsonNoise: String, Sendable, CaseIterable {
    /// Standard normal entries.
    case gaussian
    /// Entries ±1 with equal probability (lower variance for the same cost).
    case rademacher

    /// A probe tensor of `shape` drawn from this distribution.
    ///
    /// - Parameters:
    ///   - shape: the shape of the state (`[batch, features…]`).
    ///   - scalarType: the tensor's scalar type (inferred from the context when omitted).
    ///   - generator: the random source; hold the draw fixed over a solve, as FFJORD does.
    /// - Returns: the probe ε.
    public func sample<Scalar: TensorScalar>(
        _ shape: [Int], as scalarType: Scalar.Type = Scalar.self, using generator: inout some RandomNumberGenerator
    ) -> Tensor<Scalar> {
        switch self {
        case .gaussian:
            return Tensor<Scalar>.randomNormal(shape, using: &generator)
        case .rademacher:
            let count = shape.reduce(1, *)
            var scalars = [Scalar](repeating: 0, count: count)
            var bits: UInt64 = 0
            for i in 0..<count {
                if i % 64 == 0 { bits = generator.next() }
                scalars[i] = (bits >> UInt64(i % 64)) & 1 == 0 ? -1 : 1
            }
            return Tensor(shape: shape, scalars: scalars)
        }
    }
}

/// Evaluates the vector field `f` on a batch and returns its value with the exact divergence of each
/// sample: Σᵢ ∂fᵢ/∂zᵢ, from one pullback per feature (D pullbacks of one evaluation for `[B, D]`, however
/// large B is). Samples must not interact in `f`.
///
/// - Parameters:
///   - z: the states, `[batch, features…]`.
///   - f: the field; `f(z)` has the shape of `z`.
/// - Returns: f(z) and the divergence, `[batch]`.
/// - Throws: what `f` throws, or the error of a failing pullback.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func valueWithDivergence<Scalar>(
    at z: Tensor<Scalar>, of f: (Tensor<Scalar>) throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, divergence: Tensor<Scalar>) {
    let result = try exactDivergence(at: z, noise: nil, of: f)
    return (result.value, result.divergence)
}

/// Evaluates the vector field `f` on a batch and returns its value, the exact divergence of each sample
/// (as ``valueWithDivergence(at:of:)``) and the vector–Jacobian product εᵀ∂f/∂z for a given ε, all from one
/// evaluation of `f`: a continuous normalizing flow with the exact trace and RNODE's Jacobian term needs both.
///
/// - Parameters:
///   - z: the states, `[batch, features…]`.
///   - noise: ε, shaped like `z`.
///   - f: the field; `f(z)` has the shape of `z`.
/// - Returns: f(z), the divergence `[batch]`, and εᵀ∂f/∂z, shaped like `z`.
/// - Throws: what `f` throws, or the error of a failing pullback.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func valueWithDivergence<Scalar>(
    at z: Tensor<Scalar>, noise: Tensor<Scalar>, of f: (Tensor<Scalar>) throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, divergence: Tensor<Scalar>, noiseVJP: Tensor<Scalar>) {
    require(noise.shape == z.shape, "divergence: noise shape \(noise.shape) differs from the state's \(z.shape)")
    let result = try exactDivergence(at: z, noise: noise, of: f)
    return (result.value, result.divergence, result.noiseVJP!)
}

/// The exact divergence by D pullbacks of one evaluation, and the pullback of `noise` when given.
func exactDivergence<Scalar>(
    at z: Tensor<Scalar>, noise: Tensor<Scalar>?, of f: (Tensor<Scalar>) throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, divergence: Tensor<Scalar>, noiseVJP: Tensor<Scalar>?) {
    require(z.rank >= 2, "divergence: the state must be [batch, features…], got shape \(z.shape)")
    return try withoutActuallyEscaping(f) { f in
        let (value, pullback) = try valueWithPullback(at: [z]) { try f($0[0]) }
        require(value.shape == z.shape, "divergence: the field maps shape \(z.shape) to \(value.shape)")
        let batch = z.shape[0], features = z.scalarCount / Swift.max(batch, 1)
        var divergence = Tensor<Scalar>.zeros([batch])
        for i in 0..<features {
            let selector = Tensor<Scalar>.featureSelector(i, shape: [batch, features]).reshaped(z.shape)
            let row = try pullback(selector)[0]           // ∂f_i/∂z for every sample
            divergence = divergence + (row * selector).reshaped([batch, features]).sum(axis: 1)
        }
        let product = try noise.map { try pullback($0)[0] }
        return (value, divergence, product)
    }
}

/// Evaluates the vector field `f` on a batch and returns its value, Hutchinson's estimate εᵀ(∂f/∂z)ε of
/// each sample's divergence, and the vector–Jacobian product εᵀ∂f/∂z it came from (whose squared norm
/// estimates the Jacobian's Frobenius norm, RNODE's regulariser). One pullback.
///
/// - Parameters:
///   - z: the states, `[batch, features…]`.
///   - noise: the probe ε, shaped like `z` (see ``HutchinsonNoise``); unbiased when E[εεᵀ] = I.
///   - f: the field; `f(z)` has the shape of `z`.
/// - Returns: f(z), the estimate `[batch]`, and εᵀ∂f/∂z, shaped like `z`.
/// - Throws: what `f` throws, or the error of a failing pullback.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func valueWithDivergenceEstimate<Scalar>(
    at z: Tensor<Scalar>, noise: Tensor<Scalar>, of f: (Tensor<Scalar>) throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, divergence: Tensor<Scalar>, noiseVJP: Tensor<Scalar>) {
    require(z.rank >= 2, "divergence: the state must be [batch, features…], got shape \(z.shape)")
    require(noise.shape == z.shape, "divergence: noise shape \(noise.shape) differs from the state's \(z.shape)")
    return try withoutActuallyEscaping(f) { f in
        let (value, pullback) = try valueWithPullback(at: [z]) { try f($0[0]) }
        require(value.shape == z.shape, "divergence: the field maps shape \(z.shape) to \(value.shape)")
        let product = try pullback(noise)[0]
        let batch = z.shape[0]
        let estimate = (product * noise).reshaped([batch, -1]).sum(axis: 1)
        return (value, estimate, product)
    }
}
