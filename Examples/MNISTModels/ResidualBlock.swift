import Autodiff
import ODENet
import Requirements

/// torchdiffeq's pre-activation `ResBlock`:
///
///     out = relu(norm1(x));  shortcut = downsample?(out) ?? x
///     return conv2(relu(norm2(conv1(out)))) + shortcut
///
/// `conv1` is 3×3 with the block's stride, `conv2` 3×3, `downsample` 1×1 with the stride; none has a
/// bias. Members are named `norm1`, `downsample`, `conv1`, `norm2`, `conv2` (PyTorch's order).
public final class ResidualBlock<Scalar: TensorScalar>: Layer, CustomStringConvertible {
    /// Normalisation of the input.
    public let norm1: GroupNorm<Scalar>
    /// The 1×1 strided shortcut applied to the pre-activation, or nil for the identity shortcut.
    public let downsample: Conv2d<Scalar>?
    /// The first 3×3 convolution (strided).
    public let conv1: Conv2d<Scalar>
    /// Normalisation between the convolutions.
    public let norm2: GroupNorm<Scalar>
    /// The second 3×3 convolution.
    public let conv2: Conv2d<Scalar>

    /// Creates a block of `inputChannels` → `channels`; `downsample` adds the 1×1 strided shortcut
    /// (needed whenever `stride` ≠ 1 or the channel counts differ).
    public init(_ inputChannels: Int, _ channels: Int, stride: Int = 1, downsample: Bool = false,
                using generator: inout SeededGenerator) {
        require(downsample || (stride == 1 && inputChannels == channels),
                  "ResidualBlock: stride \(stride) or \(inputChannels) → \(channels) channels needs a downsample shortcut")
        norm1 = odenetGroupNorm(inputChannels)
        self.downsample = downsample
            ? Conv2d(inputChannels, channels, kernelSize: 1, stride: stride, bias: false, using: &generator) : nil
        conv1 = Conv2d(inputChannels, channels, kernelSize: 3, stride: stride, padding: 1, bias: false, using: &generator)
        norm2 = odenetGroupNorm(channels)
        conv2 = Conv2d(channels, channels, kernelSize: 3, padding: 1, bias: false, using: &generator)
    }

    /// `norm1`, `downsample` (when present), `conv1`, `norm2`, `conv2`.
    public var namedMembers: [(name: String, member: Any)] {
        var members: [(name: String, member: Any)] = [("norm1", norm1)]
        if let downsample { members.append(("downsample", downsample)) }
        members += [("conv1", conv1), ("norm2", norm2), ("conv2", conv2)]
        return members
    }

    /// Applies the block to `input` [N, C, H, W].
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let activated = relu(norm1(input))
        let shortcut = downsample.map { $0(activated) } ?? input
        return conv2(relu(norm2(conv1(activated)))) + shortcut
    }

    /// `ResidualBlock(in: C, out: O, stride: s, downsample: true)`.
    public var description: String {
        "ResidualBlock(in: \(norm1.channels), out: \(conv1.outputChannels), stride: \(conv1.stride), "
            + "downsample: \(downsample != nil))"
    }
}
