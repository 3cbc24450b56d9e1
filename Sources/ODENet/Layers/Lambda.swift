import Autodiff

/// A layer made from a closure, for parameter-free steps inside a ``Sequential`` (a reshape, a scaling,
/// a custom activation). It owns no parameters; capture no modules in `body`, or their parameters
/// will not be found by `namedParameters`.
///
///     let halve = Lambda<Float>("Halve") { $0 * 0.5 }
public final class Lambda<Scalar: TensorScalar>: Layer, CustomStringConvertible {
    /// The name shown by `description`.
    public let name: String
    private let body: (Tensor<Scalar>) throws -> Tensor<Scalar>

    /// Wraps `body`; `name` labels the layer when printed.
    ///
    /// - Parameters:
    ///   - name: The layer's label when printed.
    ///   - body: The function the layer applies (it has no parameters of its own).
    public init(_ name: String = "Lambda", _ body: @escaping (Tensor<Scalar>) throws -> Tensor<Scalar>) {
        self.name = name
        self.body = body
    }

    /// No members: a closure's captures are invisible to reflection.
    public var namedMembers: [(name: String, member: Any)] { [] }

    /// Calls the closure.
    ///
    /// - Parameter input: The layer's input.
    /// - Returns: The closure's result.
    /// - Throws: What the closure throws.
    public func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar> { try body(input) }

    /// `Name()`.
    public var description: String { "\(name)()" }
}
