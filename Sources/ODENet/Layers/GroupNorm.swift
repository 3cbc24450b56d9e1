import Autodiff
import Requirements

/// Group normalisation over NCHW (or [N, C, …]) inputs, PyTorch's `nn.GroupNorm`: the channels are
/// split into `groups` groups, each sample's group is normalised to zero mean and unit (biased)
/// variance, then scaled by `weight[c]` and shifted by `bias[c]`.
///
/// With `affine` the scale starts at ones and the shift at zeros, PyTorch's default; without it there
/// are no parameters.
///
///     let norm = GroupNorm<Float>(32, 64)   // 32 groups of 2 channels
public final class GroupNorm<Scalar: TensorScalar>: Layer, CustomStringConvertible {
    /// The per-channel scale γ, [channels], or nil without `affine`.
    public let weight: Parameter<Scalar>?
    /// The per-channel shift β, [channels], or nil without `affine`.
    public let bias: Parameter<Scalar>?
    /// The number of groups; divides `channels`.
    public let groups: Int
    /// The number of channels C.
    public let channels: Int
    /// Added to the variance before the square root.
    public let epsilon: Double

    /// Creates the layer; `groups` must divide `channels`.
    ///
    /// - Parameters:
    ///   - groups: The number of channel groups normalised separately.
    ///   - channels: The number of channels C.
    ///   - epsilon: Added to the variance for stability.
    ///   - affine: Whether the layer has a per-channel scale and offset (`weight`, `bias`).
    public init(_ groups: Int, _ channels: Int, epsilon: Double = 1e-5, affine: Bool = true) {
        require(groups > 0 && channels > 0 && channels % groups == 0,
                "GroupNorm: \(groups) groups must divide \(channels) channels")
        require(epsilon >= 0, "GroupNorm: epsilon \(epsilon) must be ≥ 0")
        self.groups = groups
        self.channels = channels
        self.epsilon = epsilon
        self.weight = affine ? Parameter(.ones([channels])) : nil
        self.bias = affine ? Parameter(.zeros([channels])) : nil
    }

    /// Normalises `input` [N, C, …].
    ///
    /// - Parameter input: A tensor of C channels, [N, C, …].
    /// - Returns: The normalised tensor, shaped like `input`.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        require(input.rank >= 2 && input.shape[1] == channels,
                "GroupNorm: input shape \(input.shape) is not [N, \(channels), …]")
        return groupNorm(input, groups: groups, weight: weight?.value, bias: bias?.value, epsilon: Scalar(epsilon))
    }

    /// `GroupNorm(groups: G, channels: C, epsilon: ε, affine: true)`.
    public var description: String {
        "GroupNorm(groups: \(groups), channels: \(channels), epsilon: \(epsilon), affine: \(weight != nil))"
    }
}
