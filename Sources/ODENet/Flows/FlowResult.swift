import Autodiff

/// What a pass through a continuous normalizing flow returns, every tensor recorded so that a loss built
/// from it can be differentiated.
public struct FlowResult<Scalar: TensorScalar> {
    /// The points at the far end: base points for a pass from the data, data points for one from the base.
    public var points: Tensor<Scalar>
    /// log p(x) of each data point under the flow, `[batch]`.
    public var logLikelihood: Tensor<Scalar>
    /// RNODE's kinetic-energy integral per point, `[batch]` (nil when not regularised).
    public var kineticEnergy: Tensor<Scalar>?
    /// RNODE's Jacobian-norm integral per point, `[batch]` (nil when not regularised).
    public var jacobianFrobenius: Tensor<Scalar>?
    /// λ_K·mean(kinetic energy) + λ_J·mean(Jacobian norm), a scalar (0 without regularisation).
    public var regularizationLoss: Tensor<Scalar>

    /// The negative mean log-likelihood (nats), the loss of maximum-likelihood training; add
    /// `regularizationLoss` for RNODE.
    public var negativeLogLikelihood: Tensor<Scalar> { -logLikelihood.mean() }
}
