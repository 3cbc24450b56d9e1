import Autodiff
import ODENet

/// ode_demo's `ODEFunc`: f(t, y) = Linear(50→2)(tanh(Linear(2→50)(y³))), 252 parameters.
///
/// The first layer carries its tanh fused (one tape entry for product, bias and activation). Parameter
/// names follow PyTorch's `state_dict` of ode_demo (`net.0.weight`, `net.0.bias`, `net.2.weight`,
/// `net.2.bias`).
public final class SpiralODEFunc: Dynamics {
    public typealias Scalar = Float
    /// Linear(2 → hidden) with tanh.
    public let hidden: Linear<Float>
    /// Linear(hidden → 2).
    public let output: Linear<Float>

    /// ode_demo's initialisation: weights N(0, 0.1²), biases 0.
    public init(hiddenUnits: Int = 50, using generator: inout SeededGenerator) {
        hidden = Linear(weight: Initialization.normal([hiddenUnits, 2], standardDeviation: 0.1, using: &generator),
                        bias: .zeros([hiddenUnits]), activation: .tanh)
        output = Linear(weight: Initialization.normal([2, hiddenUnits], standardDeviation: 0.1, using: &generator),
                        bias: .zeros([2]))
    }

    /// Given weights in PyTorch layout ([out, in]) and biases.
    public init(hiddenWeight: Tensor<Float>, hiddenBias: Tensor<Float>, outputWeight: Tensor<Float>, outputBias: Tensor<Float>) {
        hidden = Linear(weight: hiddenWeight, bias: hiddenBias, activation: .tanh)
        output = Linear(weight: outputWeight, bias: outputBias)
    }

    /// Reads the weights of a w3_init.json-style file (`l1.weight` [50][2], `l1.bias`, `l2.weight` [2][50],
    /// `l2.bias`; PyTorch layout).
    public convenience init(contentsOf path: String) throws {
        let json = try JSONValue(contentsOf: path)
        func tensor(_ key: String) throws -> Tensor<Float> {
            guard let (values, shape) = json[key]?.flattenedNumbers, !shape.isEmpty else {
                throw ExampleError("\(path): missing or ragged '\(key)'")
            }
            return Tensor(shape: shape, scalars: values.map { Float($0) })
        }
        let (w1, b1, w2, b2) = (try tensor("l1.weight"), try tensor("l1.bias"), try tensor("l2.weight"), try tensor("l2.bias"))
        guard w1.rank == 2, w1.shape[1] == 2, b1.shape == [w1.shape[0]], w2.shape == [2, w1.shape[0]], b2.shape == [2] else {
            throw ExampleError("\(path): expected l1.weight [h][2], l1.bias [h], l2.weight [2][h], l2.bias [2]; got "
                + "\(w1.shape), \(b1.shape), \(w2.shape), \(b2.shape)")
        }
        self.init(hiddenWeight: w1, hiddenBias: b1, outputWeight: w2, outputBias: b2)
    }

    /// PyTorch's names: `net.0` (hidden), `net.2` (output).
    public var namedMembers: [(name: String, member: Any)] { [("net.0", hidden), ("net.2", output)] }

    /// Linear(tanh(Linear(y³))); autonomous.
    public func callAsFunction(_ time: Tensor<Float>, _ state: Tensor<Float>) -> Tensor<Float> {
        output(hidden(state.squared() * state))
    }
}

/// Reads the per-iteration batch start indices (`batch_index`: [iterations][batch size]) of a
/// w3_init.json-style file.
public func loadBatches(_ path: String) throws -> [[Int]] {
    let json = try JSONValue(contentsOf: path)
    guard let rows = json["batch_index"]?.arrayValue else { throw ExampleError("\(path): missing 'batch_index'") }
    return try rows.enumerated().map { index, row in
        guard let values = row.arrayValue?.compactMap(\.intValue), values.count == row.arrayValue?.count else {
            throw ExampleError("\(path): batch_index[\(index)] is not a list of integers")
        }
        return values
    }
}
