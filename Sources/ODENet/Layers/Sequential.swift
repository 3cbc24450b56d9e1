import Autodiff
import Requirements

/// Layers applied one after another, PyTorch's `nn.Sequential`: children are named by position, so
/// parameters are `0.weight`, `0.bias`, `2.weight`, … and a model holding it as `net` gives
/// `net.0.weight`, the same `state_dict` keys as PyTorch.
///
///     var g = SeededGenerator(seed: 0)
///     let mlp = Sequential<Float>(Linear(2, 50, using: &g), Tanh(), Linear(50, 2, using: &g))
///     let y = try mlp(x)
public final class Sequential<Scalar: TensorScalar>: Layer, CustomStringConvertible {
    /// The layers, in application order.
    public private(set) var layers: [any Layer<Scalar>]

    /// Creates the chain from an array of layers.
    ///
    /// - Parameter layers: The layers, in application order.
    public init(_ layers: [any Layer<Scalar>]) {
        self.layers = layers
    }

    /// Creates the chain from a list of layers.
    ///
    /// - Parameter layers: The layers, in application order.
    public convenience init(_ layers: any Layer<Scalar>...) {
        self.init(layers)
    }

    /// Adds `layer` at the end (its name is the next index).
    ///
    /// - Parameter layer: The layer to apply after the others.
    public func append(_ layer: any Layer<Scalar>) {
        layers.append(layer)
    }

    /// The number of layers.
    public var count: Int { layers.count }

    /// The layer at `index`.
    ///
    /// - Parameter index: A position in `0..<count`.
    /// - Returns: The layer there.
    public subscript(index: Int) -> any Layer<Scalar> {
        require(layers.indices.contains(index), "Sequential: index \(index) out of range 0..<\(layers.count)")
        return layers[index]
    }

    /// The layers, named "0", "1", … as in `torch.nn.Sequential`.
    public var namedMembers: [(name: String, member: Any)] {
        layers.enumerated().map { (String($0.offset), $0.element as Any) }
    }

    /// Applies every layer in turn; the first error stops the chain.
    ///
    /// - Parameter input: The first layer's input.
    /// - Returns: The last layer's output.
    /// - Throws: The first error a layer throws.
    public func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar> {
        var x = input
        for layer in layers { x = try layer(x) }
        return x
    }

    /// One line per child, `(i): description`, as PyTorch prints modules.
    public var description: String {
        layerListDescription("Sequential", layers.enumerated().map { (String($0.offset), $0.element as Any) })
    }
}

/// `Name(\n  (label): child\n  …\n)`, with nested children indented, or `Name()` when empty.
func layerListDescription(_ name: String, _ children: [(String, Any)]) -> String {
    guard !children.isEmpty else { return "\(name)()" }
    let lines = children.map { label, child -> String in
        let text = (child as? CustomStringConvertible)?.description ?? "\(type(of: child))"
        return "  (\(label)): " + text.split(separator: "\n", omittingEmptySubsequences: false)
            .joined(separator: "\n  ")
    }
    return "\(name)(\n" + lines.joined(separator: "\n") + "\n)"
}
