import Autodiff
import Requirements

/// A fully connected layer, PyTorch's `nn.Linear`, optionally fused with an activation:
///
///     y = activation(x·Wᵀ + b)     x: [..., in],  W: [out, in],  b: [out],  y: [..., out]
///
/// `weight` and `bias` start uniform on ±1/√in (PyTorch's default, `kaiming_uniform_(a: √5)`); their
/// names `weight` and `bias` match PyTorch's `state_dict`. The fused activation runs in the same tape
/// entry as the product (one pass over the output); `.identity` is a plain affine map.
///
///     var generator = SeededGenerator(seed: 0)
///     let layer = Linear<Float>(2, 50, activation: .tanh, using: &generator)
///     let y = layer(x)   // [batch, 2] → [batch, 50]
///
/// Without `using:` the weights come from the default generator (`Random.seed(_:)` sets its seed).
public final class Linear<Scalar: TensorScalar>: Layer, CustomStringConvertible {
    /// The weight matrix, [outputDimensions, inputDimensions].
    public let weight: Parameter<Scalar>
    /// The offset, [outputDimensions], or nil.
    public let bias: Parameter<Scalar>?
    /// The activation applied to the affine map.
    public var activation: Activation

    /// Creates a layer with PyTorch's default initialisation.
    ///
    /// - Parameters:
    ///   - inputDimensions: The number of input features.
    ///   - outputDimensions: The number of output features.
    ///   - bias: Whether the layer has a bias.
    ///   - activation: The activation fused into the layer.
    ///   - generator: The source of the initial weights.
    public init(_ inputDimensions: Int, _ outputDimensions: Int, bias: Bool = true,
                activation: Activation = .identity, using generator: inout some RandomNumberGenerator) {
        require(inputDimensions > 0 && outputDimensions > 0,
                "Linear: dimensions \(inputDimensions) → \(outputDimensions) must be positive")
        self.weight = Parameter(Initialization.kaimingUniform([outputDimensions, inputDimensions], using: &generator))
        self.bias = bias
            ? Parameter(Initialization.defaultBias([outputDimensions], fanIn: inputDimensions, using: &generator))
            : nil
        self.activation = activation
    }

    /// Creates a layer from given values: `weight` [out, in] and `bias` [out] or nil.
    ///
    /// - Parameters:
    ///   - weight: The weight matrix, [out, in].
    ///   - bias: The offset, [out], or nil.
    ///   - activation: The activation fused into the layer.
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>?, activation: Activation = .identity) {
        require(weight.rank == 2, "Linear: weight shape \(weight.shape) is not [out, in]")
        if let bias {
            require(bias.shape == [weight.shape[0]],
                    "Linear: bias shape \(bias.shape) does not match weight shape \(weight.shape) (expected [\(weight.shape[0])])")
        }
        self.weight = Parameter(weight)
        self.bias = bias.map(Parameter.init)
        self.activation = activation
    }

    /// The number of input features.
    public var inputDimensions: Int { weight.shape[1] }
    /// The number of output features.
    public var outputDimensions: Int { weight.shape[0] }

    /// Applies the layer to `input` [..., inputDimensions].
    ///
    /// - Parameter input: The features, [..., inputDimensions].
    /// - Returns: The outputs, [..., outputDimensions].
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        require(input.rank >= 1 && input.shape[input.rank - 1] == inputDimensions,
                "Linear: input shape \(input.shape) does not end in \(inputDimensions) (weight shape \(weight.shape))")
        return linear(input, weight: weight.value, bias: bias?.value, activation: activation)
    }

    /// `Linear(in: 2, out: 50, bias: true)`, plus `activation: …` when not the identity.
    public var description: String {
        "Linear(in: \(inputDimensions), out: \(outputDimensions), bias: \(bias != nil)"
            + (activation == .identity ? ")" : ", activation: \(activation))")
    }
}
