import Autodiff
import Requirements

/// A time-dependent convolution for Neural ODE dynamics on images, torchdiffeq's ``ConcatConv2d``: a
/// channel filled with t is put *before* the input channels, then a ``Conv2d`` of C + 1 → O channels is
/// applied.
///
///     f(t, x) = conv([t·1, x])     x: [N, C, H, W],  t·1: [N, 1, H, W]
///
/// The inner convolution is named `_layer`, so parameters are `_layer.weight` and `_layer.bias`, the
/// `state_dict` keys of torchdiffeq's module. The time is used as a recorded tensor, so ∂/∂t flows.
///
///     let f = ConcatConv2d<Float>(64, 64, kernelSize: 3, padding: 1, using: &generator)
///     let dz = try f(Tensor(0.5), z)
public final class ConcatConv2d<Scalar: TensorScalar>: Dynamics, CustomStringConvertible {
    /// The convolution over the C + 1 channels (channel 0 is the time).
    public let layer: Conv2d<Scalar>

    /// Creates the layer; the convolution has `inputChannels + 1` input channels and PyTorch's default
    /// initialisation. The kernel size defaults to 3, as in torchdiffeq.
    ///
    /// - Parameters:
    ///   - inputChannels: The number of state channels C (the convolution sees C + 1).
    ///   - outputChannels: The number of output channels O.
    ///   - kernelSize: The side of the square kernel.
    ///   - stride: The step between output pixels.
    ///   - padding: The zeros added on each side of each spatial axis.
    ///   - bias: Whether the convolution has a bias.
    ///   - generator: The source of the initial weights.
    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int = 3, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, using generator: inout some RandomNumberGenerator) {
        layer = Conv2d(inputChannels + 1, outputChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                       bias: bias, using: &generator)
    }

    /// Wraps an existing convolution, whose first input channel receives the time.
    ///
    /// - Parameter layer: A convolution with C + 1 input channels for a state of C channels.
    public init(_ layer: Conv2d<Scalar>) {
        require(layer.inputChannels >= 2, "ConcatConv2d: the convolution needs ≥ 2 input channels, has \(layer.inputChannels)")
        self.layer = layer
    }

    /// The inner convolution, named `_layer` as in torchdiffeq.
    public var namedMembers: [(name: String, member: Any)] { [("_layer", layer)] }

    /// Evaluates the convolution of `[t, state]` for `state` [N, C, H, W] and a one-element `time`.
    ///
    /// - Parameters:
    ///   - time: t, one element.
    ///   - state: The state, [N, C, H, W].
    /// - Returns: The convolution of the state with a constant channel t prepended, [N, O, H', W'].
    public func callAsFunction(_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) -> Tensor<Scalar> {
        require(time.scalarCount == 1, "ConcatConv2d: time has shape \(time.shape), not one element")
        require(state.rank == 4 && state.shape[1] + 1 == layer.inputChannels,
                "ConcatConv2d: state shape \(state.shape) is not [N, \(layer.inputChannels - 1), H, W]")
        let timeChannel = time.reshaped([]).broadcast(to: [state.shape[0], 1, state.shape[2], state.shape[3]])
        return layer(concatenated([timeChannel, state], axis: 1))
    }

    /// `ConcatConv2d(in: C, out: O, …)` with the data channels C (without the time channel).
    public var description: String {
        "ConcatConv2d(in: \(layer.inputChannels - 1), out: \(layer.outputChannels), kernel: \(layer.kernelSize), "
            + "stride: \(layer.stride), padding: \(layer.padding), bias: \(layer.bias != nil))"
    }
}
