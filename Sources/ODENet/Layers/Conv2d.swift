import Autodiff
import Requirements

/// A 2-D convolution over NCHW images, PyTorch's `nn.Conv2d` (square kernel, equal stride and
/// padding in both directions, no dilation or groups).
///
///     y[n, o] = bias[o] + Σ_c weight[o, c] ⋆ x[n, c]
///
/// Input [N, C, H, W], output [N, O, OH, OW] with OH = ⌊(H + 2·padding − k) / stride⌋ + 1 (likewise OW).
/// `weight` is [O, C, k, k] and `bias` [O]; both start uniform on ±1/√(C·k·k), PyTorch's default.
///
///     var generator = SeededGenerator(seed: 0)
///     let conv = Conv2d<Float>(1, 64, kernelSize: 3, padding: 1, using: &generator)
///
/// Without `using:` the weights come from the default generator (`Random.seed(_:)` sets its seed).
public final class Conv2d<Scalar: TensorScalar>: Layer, CustomStringConvertible {
    /// The filters, [outputChannels, inputChannels, kernelSize, kernelSize].
    public let weight: Parameter<Scalar>
    /// The per-output-channel offset, [outputChannels], or nil.
    public let bias: Parameter<Scalar>?
    /// The step between output pixels.
    public let stride: Int
    /// The zeros added on each side of each spatial axis.
    public let padding: Int

    /// Creates a convolution with PyTorch's default initialisation.
    ///
    /// - Parameters:
    ///   - inputChannels: The number of input channels C.
    ///   - outputChannels: The number of output channels O.
    ///   - kernelSize: The side of the square kernel.
    ///   - stride: The step between output pixels.
    ///   - padding: The zeros added on each side of each spatial axis.
    ///   - bias: Whether the convolution has a bias.
    ///   - generator: The source of the initial weights.
    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, using generator: inout some RandomNumberGenerator) {
        require(inputChannels > 0 && outputChannels > 0 && kernelSize > 0,
                "Conv2d: channels \(inputChannels) → \(outputChannels) and kernel size \(kernelSize) must be positive")
        require(stride > 0 && padding >= 0, "Conv2d: stride \(stride) must be > 0 and padding \(padding) ≥ 0")
        let shape = [outputChannels, inputChannels, kernelSize, kernelSize]
        self.weight = Parameter(Initialization.kaimingUniform(shape, using: &generator))
        self.bias = bias
            ? Parameter(Initialization.defaultBias([outputChannels], fanIn: inputChannels * kernelSize * kernelSize,
                                                   using: &generator))
            : nil
        self.stride = stride
        self.padding = padding
    }

    /// Creates a convolution from given values: `weight` [O, C, k, k] (square) and `bias` [O] or nil.
    ///
    /// - Parameters:
    ///   - weight: The filters, [O, C, k, k].
    ///   - bias: One value per output channel, [O], or nil.
    ///   - stride: The step between output pixels.
    ///   - padding: The zeros added on each side of each spatial axis.
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>?, stride: Int = 1, padding: Int = 0) {
        require(weight.rank == 4 && weight.shape[2] == weight.shape[3],
                "Conv2d: weight shape \(weight.shape) is not [O, C, k, k]")
        if let bias {
            require(bias.shape == [weight.shape[0]],
                    "Conv2d: bias shape \(bias.shape) does not match weight shape \(weight.shape) (expected [\(weight.shape[0])])")
        }
        require(stride > 0 && padding >= 0, "Conv2d: stride \(stride) must be > 0 and padding \(padding) ≥ 0")
        self.weight = Parameter(weight)
        self.bias = bias.map(Parameter.init)
        self.stride = stride
        self.padding = padding
    }

    /// The number of input channels C.
    public var inputChannels: Int { weight.shape[1] }
    /// The number of output channels O.
    public var outputChannels: Int { weight.shape[0] }
    /// The side of the square kernel.
    public var kernelSize: Int { weight.shape[2] }

    /// Convolves `input` [N, C, H, W].
    ///
    /// - Parameter input: Images, [N, C, H, W].
    /// - Returns: [N, O, H', W'].
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        require(input.rank == 4 && input.shape[1] == inputChannels,
                "Conv2d: input shape \(input.shape) is not [N, \(inputChannels), H, W] for weight shape \(weight.shape)")
        return conv2d(input, weight: weight.value, bias: bias?.value, stride: stride, padding: padding)
    }

    /// `Conv2d(in: C, out: O, kernel: k, stride: s, padding: p, bias: true)`.
    public var description: String {
        "Conv2d(in: \(inputChannels), out: \(outputChannels), kernel: \(kernelSize), stride: \(stride), "
            + "padding: \(padding), bias: \(bias != nil))"
    }
}
