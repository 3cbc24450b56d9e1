import Autodiff
import Requirements

/// A time-dependent linear layer for Neural ODE dynamics on vectors: t is appended to the state as one
/// more input feature, then a ``Linear`` of D + 1 → out features is applied.
///
///     f(t, z) = activation([z, t]·Wᵀ + b)     z: [..., D],  W: [out, D + 1]
///
/// The time enters as a recorded tensor, so ∂/∂t flows. The inner layer is named `_layer` (parameters
/// `_layer.weight`, `_layer.bias`), like the `ConcatLinear` modules of torchdiffeq-based code (FFJORD).
/// Note that those put t *first*; here it is the *last* input column, `weight[:, D]`, so swap that
/// column to the front when moving weights to or from such code.
///
///     let f = TimeConcatenatedLinear<Float>(2, 50, activation: .tanh, using: &generator)
///     let h = f(Tensor(0.5), z)   // [batch, 2] → [batch, 50]
public final class TimeConcatenatedLinear<Scalar: TensorScalar>: Dynamics, CustomStringConvertible {
    /// The linear map of `[state, time]`.
    public let layer: Linear<Scalar>

    /// Creates the layer with a `Linear(inputDimensions + 1, outputDimensions)` inside.
    ///
    /// - Parameters:
    ///   - inputDimensions: The number of state features D.
    ///   - outputDimensions: The number of output features.
    ///   - bias: Whether the layer has a bias.
    ///   - activation: The activation fused into the layer.
    ///   - generator: The source of the initial weights.
    public init(_ inputDimensions: Int, _ outputDimensions: Int, bias: Bool = true,
                activation: Activation = .identity, using generator: inout some RandomNumberGenerator) {
        layer = Linear(inputDimensions + 1, outputDimensions, bias: bias, activation: activation, using: &generator)
    }

    /// Wraps an existing layer, whose last input feature receives the time.
    ///
    /// - Parameter layer: A layer with D + 1 input features for a state of D features.
    public init(_ layer: Linear<Scalar>) {
        require(layer.inputDimensions >= 2,
                "TimeConcatenatedLinear: the layer needs ≥ 2 input features, has \(layer.inputDimensions)")
        self.layer = layer
    }

    /// The inner layer, named `_layer`.
    public var namedMembers: [(name: String, member: Any)] { [("_layer", layer)] }

    /// Evaluates the layer on `[state, time]` for `state` [..., D] and a one-element `time`.
    ///
    /// - Parameters:
    ///   - time: t, one element.
    ///   - state: The state, [..., D].
    /// - Returns: The layer applied to the state with t appended as a last feature.
    public func callAsFunction(_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) -> Tensor<Scalar> {
        require(time.scalarCount == 1, "TimeConcatenatedLinear: time has shape \(time.shape), not one element")
        require(state.rank >= 1 && state.shape[state.rank - 1] + 1 == layer.inputDimensions,
                "TimeConcatenatedLinear: state shape \(state.shape) does not end in \(layer.inputDimensions - 1)")
        let timeColumn = time.reshaped([]).broadcast(to: Array(state.shape.dropLast()) + [1])
        return layer(concatenated([state, timeColumn], axis: -1))
    }

    /// `TimeConcatenatedLinear(in: D, out: O, bias: true)` with D the state features (without t).
    public var description: String {
        "TimeConcatenatedLinear(in: \(layer.inputDimensions - 1), out: \(layer.outputDimensions), bias: \(layer.bias != nil)"
            + (layer.activation == .identity ? ")" : ", activation: \(layer.activation))")
    }
}
