import Autodiff
import ODENet

/// torchdiffeq's `norm(dim)`: `GroupNorm(min(32, dim), dim)`.
public func odenetGroupNorm<Scalar: TensorScalar>(_ channels: Int) -> GroupNorm<Scalar> {
    GroupNorm(Swift.min(32, channels), channels)
}
