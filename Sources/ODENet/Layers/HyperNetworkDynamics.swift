import Autodiff
import Requirements

/// The vector field of torchdiffeq's continuous-normalizing-flow example (`CNF` with its `HyperNetwork`):
/// a one-hidden-layer network whose weights are produced from t by a ``HyperNetwork``.
///
///     (Wt, b, S) = hyper_net(t)                    Wt, S: [W, D],  b: [W]
///     f(t, z) = (1/W) Σ_w S_w · tanh(Wt_w·z + b_w)  = tanh(z·Wtᵀ + b)·S / W
///
/// that is, the mean over the W hidden units of their contributions. With D = 2, H = 32 and W = 64 (the
/// example's sizes) it has 15,904 parameters, named `hyper_net.fc1.weight`, `hyper_net.fc1.bias`, … as
/// in torchdiffeq's model. Every operation differentiates twice, as the divergence of a flow needs.
///
///     let field = HyperNetworkDynamics<Float>(stateDimensions: 2, hiddenDimensions: 32, width: 64,
///                                             using: &generator)
///     let dz = field(Tensor(0.5), z)   // [batch, 2] → [batch, 2]
public final class HyperNetworkDynamics<Scalar: TensorScalar>: Dynamics, CustomStringConvertible {
    /// The hypernetwork producing the field's weights from t, `hyper_net`.
    public let hyperNetwork: HyperNetwork<Scalar>

    /// Creates the field with PyTorch's default initialisation of its hypernetwork.
    ///
    /// - Parameters:
    ///   - stateDimensions: D, the features of the state.
    ///   - hiddenDimensions: H, the hidden features of the hypernetwork (32 in torchdiffeq's example).
    ///   - width: W, the hidden units of the field (64 there).
    ///   - generator: The source of the initial weights.
    public init(stateDimensions: Int, hiddenDimensions: Int = 32, width: Int = 64,
                using generator: inout some RandomNumberGenerator) {
        hyperNetwork = HyperNetwork(stateDimensions: stateDimensions, hiddenDimensions: hiddenDimensions,
                                    width: width, using: &generator)
    }

    /// Wraps an existing hypernetwork.
    ///
    /// - Parameter hyperNetwork: The hypernetwork producing the weights.
    public init(_ hyperNetwork: HyperNetwork<Scalar>) { self.hyperNetwork = hyperNetwork }

    /// The hypernetwork under torchdiffeq's name, `hyper_net`.
    public var namedMembers: [(name: String, member: Any)] { [("hyper_net", hyperNetwork)] }

    /// Evaluates dz/dt for `state` [..., D] at a one-element `time`.
    ///
    /// - Parameters:
    ///   - time: t, one element.
    ///   - state: The state, [..., D].
    /// - Returns: dz/dt, shaped like `state`.
    public func callAsFunction(_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) -> Tensor<Scalar> {
        let d = hyperNetwork.stateDimensions
        require(state.rank >= 1 && state.shape[state.rank - 1] == d,
                "HyperNetworkDynamics: state shape \(state.shape) does not end in \(d)")
        let (weight, bias, scale) = hyperNetwork(time)
        let hidden = linear(state, weight: weight, bias: bias, activation: .tanh)
        return hidden.matmul(scale) / Scalar(Double(hyperNetwork.width))
    }

    /// `HyperNetworkDynamics(D: 2, H: 32, W: 64)`.
    public var description: String {
        "HyperNetworkDynamics(D: \(hyperNetwork.stateDimensions), H: \(hyperNetwork.hiddenDimensions), W: \(hyperNetwork.width))"
    }
}

extension HyperNetworkDynamics: ClosedFormDivergence {
    /// f(t, z) and its divergence in closed form: with h = tanh(z·Wᵀ + b) and S the scale, both from the
    /// hypernetwork at t (W and S both `[width, D]`), ∂f_i/∂z_j = Σ_u S_ui (1 − h_u²) W_uj / width, so tr(∂f/∂z) = (1 − h²)·c / width
    /// with c_u = Σ_i W_ui S_ui — one evaluation, recorded ops only (differentiable twice).
    ///
    /// - Parameters:
    ///   - time: t, a rank-0 tensor.
    ///   - state: z, `[batch, D]`.
    /// - Returns: f(t, z) and the divergence of each row, `[batch]`.
    public func valueWithDivergence(_ time: Tensor<Scalar>, _ state: Tensor<Scalar>)
        -> (value: Tensor<Scalar>, divergence: Tensor<Scalar>) {
        let d = hyperNetwork.stateDimensions
        require(state.rank == 2 && state.shape[1] == d,
                "HyperNetworkDynamics.valueWithDivergence: state shape \(state.shape) is not [batch, \(d)]")
        let (weight, bias, scale) = hyperNetwork(time)
        let hidden = linear(state, weight: weight, bias: bias, activation: .tanh)
        let width = Scalar(Double(hyperNetwork.width))
        let value = hidden.matmul(scale) / width
        let coupling = (weight * scale).sum(axis: 1).reshaped([-1, 1])   // c_u = Σ_i W_ui S_ui
        let divergence = (1 - hidden * hidden).matmul(coupling).reshaped([-1]) / width
        return (value, divergence)
    }
}
