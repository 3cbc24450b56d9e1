import Autodiff
import Requirements

/// A stack of ``ConcatSquashLinear`` layers with tanh between them: the vector field of FFJORD's toy
/// two-dimensional flows (its `ODEnet` with `layer_type="concatsquash"` and `nonlinearity="tanh"`).
///
///     h₀ = z,  hₖ = tanh(Lₖ(t, hₖ₋₁)) for k < n,  f(t, z) = Lₙ(t, hₙ₋₁)
///
/// `dimensions` lists the features from the state through the hidden layers back to the state, e.g.
/// `[2, 64, 64, 64, 2]`; one layer joins each neighbouring pair. The layers are the array `layers`, so
/// parameters are named `layers.0._layer.weight`, `layers.0._hyper_bias.weight`, … as in FFJORD.
///
///     let field = ConcatSquashMLP<Float>(dimensions: [2, 64, 64, 64, 2], using: &generator)
///     let dz = field(Tensor(0.5), z)   // [batch, 2] → [batch, 2]
public final class ConcatSquashMLP<Scalar: TensorScalar>: Dynamics, CustomStringConvertible {
    /// The layers, from the state's features to the output's.
    public let layers: [ConcatSquashLinear<Scalar>]

    /// Creates the field with one ``ConcatSquashLinear`` per neighbouring pair of `dimensions`, each with
    /// PyTorch's default initialisation, drawn layer by layer.
    ///
    /// - Parameters:
    ///   - dimensions: The features of the state, of each hidden layer and of the output (at least two
    ///     entries, all positive); the first and last are equal for a vector field.
    ///   - generator: The source of the initial weights.
    public init(dimensions: [Int], using generator: inout some RandomNumberGenerator) {
        require(dimensions.count >= 2 && dimensions.allSatisfy { $0 > 0 },
                "ConcatSquashMLP: dimensions \(dimensions) need at least two positive entries")
        var layers: [ConcatSquashLinear<Scalar>] = []
        for (input, output) in zip(dimensions, dimensions.dropFirst()) {
            layers.append(ConcatSquashLinear(input, output, using: &generator))
        }
        self.layers = layers
    }

    /// Wraps existing layers, each taking the previous one's outputs.
    ///
    /// - Parameter layers: At least one layer; each layer's input features equal the previous one's output.
    public init(layers: [ConcatSquashLinear<Scalar>]) {
        require(!layers.isEmpty, "ConcatSquashMLP: needs at least one layer")
        for (previous, next) in zip(layers, layers.dropFirst()) {
            require(previous.outputDimensions == next.inputDimensions,
                    "ConcatSquashMLP: \(previous) is followed by \(next)")
        }
        self.layers = layers
    }

    /// The features of the input, each hidden layer and the output.
    public var dimensions: [Int] { [layers[0].inputDimensions] + layers.map(\.outputDimensions) }

    /// Evaluates the field for `state` [..., dimensions.first] at a one-element `time`.
    ///
    /// - Parameters:
    ///   - time: t, one element.
    ///   - state: The state, [..., dimensions.first].
    /// - Returns: The output, [..., dimensions.last].
    public func callAsFunction(_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) -> Tensor<Scalar> {
        var h = state
        for (index, layer) in layers.enumerated() {
            h = layer(time, h)
            if index < layers.count - 1 { h = tanh(h) }
        }
        return h
    }

    /// `ConcatSquashMLP(dimensions: [2, 64, 64, 64, 2])`.
    public var description: String { "ConcatSquashMLP(dimensions: \(dimensions))" }
}
