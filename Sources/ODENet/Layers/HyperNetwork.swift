import Autodiff
import Requirements

/// The hypernetwork of torchdiffeq's continuous-normalizing-flow example: an MLP of the time that emits
/// the weights of a one-hidden-layer field (``HyperNetworkDynamics``).
///
///     p = fc3(tanh(fc2(tanh(fc1(t)))))      fc1: 1 → H,  fc2: H → H,  fc3: H → 3·W·D + W
///
/// `p` is split in this order into `Wt` [W, D], `U` [W, D], `G` [W, D] and `B` [W] (torchdiffeq reshapes
/// them to [W, D, 1], [W, 1, D], [W, 1, D], [W, 1, 1]; the values are the same), and the hypernetwork
/// returns `Wt`, `B` and the gated output weights `U ⊙ σ(G)`. The layers are named `fc1`, `fc2`, `fc3`,
/// each with PyTorch's default initialisation.
public final class HyperNetwork<Scalar: TensorScalar>: TypedModule, CustomStringConvertible {
    /// The module's parameter scalar.
    public typealias ParameterScalar = Scalar

    /// The first layer, 1 → H, with tanh.
    public let fc1: Linear<Scalar>
    /// The second layer, H → H, with tanh.
    public let fc2: Linear<Scalar>
    /// The output layer, H → 3·W·D + W.
    public let fc3: Linear<Scalar>
    /// D, the features of the state of the generated field.
    public let stateDimensions: Int
    /// W, the hidden units of the generated field.
    public let width: Int

    /// Creates the hypernetwork with PyTorch's default initialisation, drawn in the order fc1, fc2, fc3.
    ///
    /// - Parameters:
    ///   - stateDimensions: D, the features of the state (2 in torchdiffeq's example).
    ///   - hiddenDimensions: H, the hidden features of the hypernetwork (32 there).
    ///   - width: W, the hidden units of the generated field (64 there).
    ///   - generator: The source of the initial weights.
    public init(stateDimensions: Int, hiddenDimensions: Int, width: Int,
                using generator: inout some RandomNumberGenerator) {
        require(stateDimensions > 0 && hiddenDimensions > 0 && width > 0,
                "HyperNetwork: dimensions D = \(stateDimensions), H = \(hiddenDimensions), W = \(width) must be positive")
        self.stateDimensions = stateDimensions
        self.width = width
        fc1 = Linear(1, hiddenDimensions, activation: .tanh, using: &generator)
        fc2 = Linear(hiddenDimensions, hiddenDimensions, activation: .tanh, using: &generator)
        fc3 = Linear(hiddenDimensions, 3 * width * stateDimensions + width, using: &generator)
    }

    /// H, the hidden features of the hypernetwork.
    public var hiddenDimensions: Int { fc1.outputDimensions }

    /// The layers under torchdiffeq's names: `fc1`, `fc2`, `fc3`.
    public var namedMembers: [(name: String, member: Any)] { [("fc1", fc1), ("fc2", fc2), ("fc3", fc3)] }

    /// The weights of the field at `time`.
    ///
    /// - Parameter time: t, one element.
    /// - Returns: `weight` [W, D] (the hidden layer's weight, row w = `Wt_w`), `bias` [W] and `scale` [W, D]
    ///   (the gated output weights `U ⊙ σ(G)`).
    public func callAsFunction(_ time: Tensor<Scalar>)
        -> (weight: Tensor<Scalar>, bias: Tensor<Scalar>, scale: Tensor<Scalar>) {
        require(time.scalarCount == 1, "HyperNetwork: time has shape \(time.shape), not one element")
        let p = fc3(fc2(fc1(time.reshaped([1]))))
        let block = width * stateDimensions
        let weight = p.sliced(0..<block).reshaped([width, stateDimensions])
        let u = p.sliced(block..<2 * block).reshaped([width, stateDimensions])
        let g = p.sliced(2 * block..<3 * block).reshaped([width, stateDimensions])
        let bias = p.sliced(3 * block..<3 * block + width)
        return (weight, bias, u * sigmoid(g))
    }

    /// `HyperNetwork(D: 2, H: 32, W: 64)`.
    public var description: String { "HyperNetwork(D: \(stateDimensions), H: \(hiddenDimensions), W: \(width))" }
}
