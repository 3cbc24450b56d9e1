import Autodiff

/// A field that computes its own divergence tr(∂f/∂z) in closed form, alongside its value, with the library's
/// differentiable operations (so that its gradient, a second-order quantity, can be taken). A continuous
/// normalizing flow built with ``TraceEstimator/closedForm`` uses it instead of D vector–Jacobian products:
/// one evaluation of the field, no pullbacks.
///
/// ``HyperNetworkDynamics`` conforms: for f(z) = tanh(z·Wᵀ + b)·S / width, the divergence is
/// Σ_u (1 − h_u²)·(Σ_i W_ui S_ui) / width.
public protocol ClosedFormDivergence<Scalar>: Dynamics {
    /// The field's value at (t, z) and the divergence of each sample.
    ///
    /// - Parameters:
    ///   - time: t, a rank-0 tensor.
    ///   - state: z, `[batch, D]`.
    /// - Returns: f(t, z), shaped like `state`, and tr(∂f/∂z) per sample, `[batch]`.
    /// - Throws: What evaluating the field throws.
    func valueWithDivergence(_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) throws
        -> (value: Tensor<Scalar>, divergence: Tensor<Scalar>)
}
