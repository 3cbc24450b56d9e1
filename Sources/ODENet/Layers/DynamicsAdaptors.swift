import Autodiff
import Requirements

/// Dynamics that ignore the time: f(t, z) = layer(z), for autonomous vector fields such as an MLP.
///
/// Names are the wrapped layer's own (`0.weight` for a ``Sequential``), so a checkpoint of the layer
/// and of the dynamics have the same keys.
///
///     let f = TimeIndependent(Sequential<Float>(Linear(2, 50, using: &g), Tanh(), Linear(50, 2, using: &g)))
public final class TimeIndependent<Wrapped: Layer>: Dynamics, CustomStringConvertible {
    /// The scalar type of the wrapped layer.
    public typealias Scalar = Wrapped.Scalar

    /// The layer applied to the state.
    public let layer: Wrapped

    /// Wraps `layer`.
    ///
    /// - Parameter layer: The layer to apply to the state.
    public init(_ layer: Wrapped) {
        self.layer = layer
    }

    /// The wrapped layer's members, unprefixed.
    public var namedMembers: [(name: String, member: Any)] { layer.namedMembers }

    /// `layer(state)`; `time` is not used.
    ///
    /// - Parameters:
    ///   - time: t (not used).
    ///   - state: z.
    /// - Returns: `layer(state)`.
    /// - Throws: What the layer throws.
    public func callAsFunction(_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try layer(state)
    }

    /// `TimeIndependent(<layer>)`.
    public var description: String { "TimeIndependent(\((layer as? CustomStringConvertible)?.description ?? "\(Wrapped.self)"))" }
}

/// Dynamics from a closure `(time, state) -> dstate/dt`, for quick experiments.
///
/// Modules and parameters the closure uses must be listed in `members` under a name, or gradients
/// and checkpoints will not see them:
///
///     let net = Sequential<Float>(Linear(3, 50, using: &g), Tanh(), Linear(50, 2, using: &g))
///     let f = DynamicsFunction<Float>(members: ["net": net]) { t, z in
///         try net(concatenated([z, t.broadcast(to: [z.shape[0], 1])], axis: 1))
///     }   // parameters net.0.weight, net.0.bias, net.2.weight, net.2.bias
public final class DynamicsFunction<Scalar: TensorScalar>: Dynamics, CustomStringConvertible {
    /// The named modules and parameters the closure uses.
    public let members: KeyValuePairs<String, AnyObject>
    private let body: (Tensor<Scalar>, Tensor<Scalar>) throws -> Tensor<Scalar>

    /// Wraps `body`, which uses the modules and parameters in `members`.
    ///
    /// - Parameters:
    ///   - members: The modules and parameters the closure uses, by name.
    ///   - body: f(t, z), returning dz/dt shaped like z.
    public init(members: KeyValuePairs<String, AnyObject> = [:],
                _ body: @escaping (_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) throws -> Tensor<Scalar>) {
        for (name, member) in members {
            require(member is any Module || member is Parameter<Scalar>,
                    "DynamicsFunction: member '\(name)' is a \(type(of: member)), not a Module or Parameter<\(Scalar.self)>")
        }
        self.members = members
        self.body = body
    }

    /// The listed members, under their names.
    public var namedMembers: [(name: String, member: Any)] { members.map { ($0.key, $0.value as Any) } }

    /// Calls the closure.
    ///
    /// - Parameters:
    ///   - time: t, a rank-0 tensor.
    ///   - state: z.
    /// - Returns: The closure's dz/dt.
    /// - Throws: What the closure throws.
    public func callAsFunction(_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try body(time, state)
    }

    /// `DynamicsFunction(members: [names])`.
    public var description: String { "DynamicsFunction(members: \(members.map(\.key)))" }
}
