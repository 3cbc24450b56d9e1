import Autodiff
import Requirements

// Element-wise activations as parameter-free layers, for use in `Sequential` (PyTorch's `nn.Tanh`,
// `nn.ReLU`, …). Each takes up a position in a `Sequential`, so the indices of later layers match
// PyTorch's.

/// The hyperbolic tangent, element-wise.
public final class Tanh<Scalar: TensorScalar>: Layer, CustomStringConvertible {
    /// Creates the layer.
    public init() {}
    /// No members.
    public var namedMembers: [(name: String, member: Any)] { [] }
    /// tanh(input).
    ///
    /// - Parameter input: Any tensor.
    /// - Returns: tanh(input), shaped like `input`.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { tanh(input) }
    /// `Tanh()`.
    public var description: String { "Tanh()" }
}

/// The rectifier max(0, x), element-wise.
public final class ReLU<Scalar: TensorScalar>: Layer, CustomStringConvertible {
    /// Creates the layer.
    public init() {}
    /// No members.
    public var namedMembers: [(name: String, member: Any)] { [] }
    /// max(0, input).
    ///
    /// - Parameter input: Any tensor.
    /// - Returns: max(0, input), shaped like `input`.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { relu(input) }
    /// `ReLU()`.
    public var description: String { "ReLU()" }
}

/// The logistic function 1 / (1 + e^(−x)), element-wise.
public final class Sigmoid<Scalar: TensorScalar>: Layer, CustomStringConvertible {
    /// Creates the layer.
    public init() {}
    /// No members.
    public var namedMembers: [(name: String, member: Any)] { [] }
    /// σ(input).
    ///
    /// - Parameter input: Any tensor.
    /// - Returns: σ(input), shaped like `input`.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { sigmoid(input) }
    /// `Sigmoid()`.
    public var description: String { "Sigmoid()" }
}

/// The exponential linear unit: x for x > 0, α·(eˣ − 1) otherwise (PyTorch's `nn.ELU`, α = 1).
public final class ELU<Scalar: TensorScalar>: Layer, CustomStringConvertible {
    /// The saturation value −α for large negative inputs.
    public let alpha: Double
    /// Creates the layer.
    ///
    /// - Parameter alpha: α: the output approaches −α for very negative inputs.
    public init(alpha: Double = 1) { self.alpha = alpha }
    /// No members.
    public var namedMembers: [(name: String, member: Any)] { [] }
    /// ELU(input).
    ///
    /// - Parameter input: Any tensor.
    /// - Returns: ELU(input), shaped like `input`.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> { elu(input, alpha: Scalar(alpha)) }
    /// `ELU(alpha: α)`.
    public var description: String { "ELU(alpha: \(alpha))" }
}

/// The smooth rectifier log(1 + e^(βx))/β (PyTorch's `nn.Softplus`, β = 1).
public final class Softplus<Scalar: TensorScalar>: Layer, CustomStringConvertible {
    /// The sharpness β; larger values approach the ReLU.
    public let beta: Double
    /// Creates the layer.
    ///
    /// - Parameter beta: β, positive: larger values approach the ReLU.
    public init(beta: Double = 1) {
        require(beta > 0, "Softplus: beta \(beta) must be > 0")
        self.beta = beta
    }
    /// No members.
    public var namedMembers: [(name: String, member: Any)] { [] }
    /// softplus(β·input)/β.
    ///
    /// - Parameter input: Any tensor.
    /// - Returns: softplus(β·input)/β, shaped like `input`.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        beta == 1 ? softplus(input) : softplus(input * Scalar(beta)) / Scalar(beta)
    }
    /// `Softplus(beta: β)`.
    public var description: String { "Softplus(beta: \(beta))" }
}
