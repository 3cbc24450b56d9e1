import Autodiff
import Requirements

/// A time-dependent linear layer whose output is gated and shifted by functions of t, FFJORD's
/// `ConcatSquashLinear`:
///
///     f(t, z) = (z·Wᵀ + b) ⊙ σ(t·g + c) + t·h      z: [..., in],  W: [out, in],  b, g, c, h: [out]
///
/// The gate `σ(t·g + c)` and the shift `t·h` are per-feature and shared by the whole batch; t enters as a
/// recorded tensor, so ∂/∂t flows, and every operation differentiates twice (continuous normalizing flows
/// need the divergence of the field and its gradient).
///
/// The three inner layers carry FFJORD's names and order: `_layer` (`Linear(in, out)`), `_hyper_bias`
/// (`Linear(1, out, bias: false)`, h) and `_hyper_gate` (`Linear(1, out)`, g and c), so a `state_dict`
/// moves between the two as is. Each starts with PyTorch's default initialisation.
///
///     let layer = ConcatSquashLinear<Float>(2, 64, using: &generator)
///     let h = layer(Tensor(0.5), z)   // [batch, 2] → [batch, 64]
///
/// Like ``TimeConcatenatedLinear`` it conforms to ``Dynamics`` even though its output need not have the
/// state's shape; a field built from it (``ConcatSquashMLP``) maps back to the state's features.
public final class ConcatSquashLinear<Scalar: TensorScalar>: Dynamics, CustomStringConvertible {
    /// The linear map of the state, `_layer`.
    public let layer: Linear<Scalar>
    /// The time-dependent shift `t·h` (no bias), `_hyper_bias`.
    public let hyperBias: Linear<Scalar>
    /// The pre-activation of the time-dependent gate `t·g + c`, `_hyper_gate`.
    public let hyperGate: Linear<Scalar>

    /// Creates the layer with PyTorch's default initialisation, drawn in FFJORD's order (`_layer`,
    /// `_hyper_bias`, `_hyper_gate`).
    ///
    /// - Parameters:
    ///   - inputDimensions: The number of state features.
    ///   - outputDimensions: The number of output features.
    ///   - generator: The source of the initial weights.
    public init(_ inputDimensions: Int, _ outputDimensions: Int, using generator: inout some RandomNumberGenerator) {
        layer = Linear(inputDimensions, outputDimensions, using: &generator)
        hyperBias = Linear(1, outputDimensions, bias: false, using: &generator)
        hyperGate = Linear(1, outputDimensions, using: &generator)
    }

    /// Wraps existing layers.
    ///
    /// - Parameters:
    ///   - layer: The map of the state, `in → out`, with or without a bias.
    ///   - hyperBias: The shift, `1 → out`, with or without a bias.
    ///   - hyperGate: The gate's pre-activation, `1 → out`, with or without a bias.
    public init(layer: Linear<Scalar>, hyperBias: Linear<Scalar>, hyperGate: Linear<Scalar>) {
        let out = layer.outputDimensions
        require(hyperBias.inputDimensions == 1 && hyperBias.outputDimensions == out,
                "ConcatSquashLinear: hyperBias is \(hyperBias), not 1 → \(out)")
        require(hyperGate.inputDimensions == 1 && hyperGate.outputDimensions == out,
                "ConcatSquashLinear: hyperGate is \(hyperGate), not 1 → \(out)")
        self.layer = layer
        self.hyperBias = hyperBias
        self.hyperGate = hyperGate
    }

    /// The number of state features.
    public var inputDimensions: Int { layer.inputDimensions }
    /// The number of output features.
    public var outputDimensions: Int { layer.outputDimensions }

    /// The inner layers under FFJORD's names: `_layer`, `_hyper_bias`, `_hyper_gate`.
    public var namedMembers: [(name: String, member: Any)] {
        [("_layer", layer), ("_hyper_bias", hyperBias), ("_hyper_gate", hyperGate)]
    }

    /// Evaluates the layer for `state` [..., in] at a one-element `time`.
    ///
    /// - Parameters:
    ///   - time: t, one element.
    ///   - state: The state, [..., in].
    /// - Returns: `layer(state) ⊙ σ(hyperGate(t)) + hyperBias(t)`, [..., out].
    public func callAsFunction(_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) -> Tensor<Scalar> {
        require(time.scalarCount == 1, "ConcatSquashLinear: time has shape \(time.shape), not one element")
        require(state.rank >= 1 && state.shape[state.rank - 1] == inputDimensions,
                "ConcatSquashLinear: state shape \(state.shape) does not end in \(inputDimensions)")
        let t = time.reshaped([1])
        return layer(state) * sigmoid(hyperGate(t)) + hyperBias(t)
    }

    /// `ConcatSquashLinear(in: 2, out: 64)`.
    public var description: String { "ConcatSquashLinear(in: \(inputDimensions), out: \(outputDimensions))" }
}
