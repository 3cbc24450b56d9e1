import Autodiff
import ODENet

/// The ODE-Net's dynamics, torchdiffeq's `ODEfunc(dim)`:
///
///     f(t, x) = norm3(conv2(t, relu(norm2(conv1(t, relu(norm1(x)))))))
///
/// with `conv1`, `conv2` = `ConcatConv2d(dim → dim, 3×3, padding 1)` (a t-channel before the input).
/// Members `norm1`, `conv1`, `norm2`, `conv2`, `norm3`, PyTorch's order.
public final class ConvODEFunction<Scalar: TensorScalar>: Dynamics, CustomStringConvertible {
    /// Normalisation of the state.
    public let norm1: GroupNorm<Scalar>
    /// The first time-concatenated convolution.
    public let conv1: ConcatConv2d<Scalar>
    /// Normalisation between the convolutions.
    public let norm2: GroupNorm<Scalar>
    /// The second time-concatenated convolution.
    public let conv2: ConcatConv2d<Scalar>
    /// Normalisation of the output.
    public let norm3: GroupNorm<Scalar>

    /// Creates the field on states of `channels` channels (64 in the paper).
    public init(channels: Int = 64, using generator: inout SeededGenerator) {
        norm1 = odenetGroupNorm(channels)
        conv1 = ConcatConv2d(channels, channels, kernelSize: 3, padding: 1, using: &generator)
        norm2 = odenetGroupNorm(channels)
        conv2 = ConcatConv2d(channels, channels, kernelSize: 3, padding: 1, using: &generator)
        norm3 = odenetGroupNorm(channels)
    }

    /// `norm1`, `conv1`, `norm2`, `conv2`, `norm3`.
    public var namedMembers: [(name: String, member: Any)] {
        [("norm1", norm1), ("conv1", conv1), ("norm2", norm2), ("conv2", conv2), ("norm3", norm3)]
    }

    /// dx/dt at `time` for `state` [N, C, H, W].
    public func callAsFunction(_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) -> Tensor<Scalar> {
        var out = relu(norm1(state))
        out = conv1(time, out)
        out = relu(norm2(out))
        out = conv2(time, out)
        return norm3(out)
    }

    /// `ConvODEFunction(channels: C)`.
    public var description: String { "ConvODEFunction(channels: \(norm1.channels))" }
}
