import Autodiff

/// A trainable tensor owned by a module. Optimizers replace `value` in place; the module sees the new
/// value on its next call.
public final class Parameter<Scalar: TensorScalar> {
    /// The current value.
    public var value: Tensor<Scalar>

    /// Wraps an initial value.
    ///
    /// - Parameter value: The parameter's initial value.
    public init(_ value: Tensor<Scalar>) { self.value = value }

    /// The shape of the value.
    public var shape: [Int] { value.shape }
}

/// A building block of a network: owns parameters and child modules, found by name.
///
/// Names are dotted paths built from stored property names and array indices (`net.0.weight`), the
/// convention of PyTorch's `state_dict`, so checkpoints move between this library and PyTorch/JAX/MLX.
/// The default `namedMembers` reflects over stored properties (``Parameter``, ``Module``, and arrays or
/// optionals of them); a module whose PyTorch counterpart names its children differently (e.g.
/// ``Sequential``: `0`, `1`, …) overrides it.
public protocol Module: AnyObject {
    /// The parameters and child modules of this module, each with its local name.
    var namedMembers: [(name: String, member: Any)] { get }
}

extension Module {
    /// Members found by reflecting over stored properties.
    public var namedMembers: [(name: String, member: Any)] {
        Mirror(reflecting: self).children.compactMap { child in
            guard let label = child.label else { return nil }
            return (label.hasPrefix("_") ? String(label.dropFirst()) : label, child.value)
        }
    }

    /// Every parameter of scalar type `Scalar` in this module and its children, with its dotted path,
    /// in declaration order. A parameter shared by two paths appears once, under the first.
    ///
    /// - Parameter type: The scalar type of the parameters to collect.
    /// - Returns: Each parameter with its dotted name (`net.0.weight`), the `state_dict` key PyTorch would give it.
    public func namedParameters<Scalar: TensorScalar>(
        of type: Scalar.Type = Scalar.self) -> [(name: String, parameter: Parameter<Scalar>)] {
        var result: [(name: String, parameter: Parameter<Scalar>)] = []
        var seen = Set<ObjectIdentifier>()
        collectParameters(prefix: "", into: &result, seen: &seen)
        return result
    }

    /// Every parameter of scalar type `Scalar`, in the order of `namedParameters`.
    ///
    /// - Parameter type: The scalar type of the parameters to collect.
    /// - Returns: The parameters.
    public func parameters<Scalar: TensorScalar>(of type: Scalar.Type = Scalar.self) -> [Parameter<Scalar>] {
        namedParameters(of: type).map(\.parameter)
    }

    /// Total number of scalars in all parameters of type `Scalar`.
    ///
    /// - Parameter type: The scalar type of the parameters to count.
    /// - Returns: The number of scalars.
    public func parameterCount<Scalar: TensorScalar>(of type: Scalar.Type = Scalar.self) -> Int {
        parameters(of: type).reduce(0) { $0 + $1.value.scalarCount }
    }

    func collectParameters<Scalar: TensorScalar>(
        prefix: String, into result: inout [(name: String, parameter: Parameter<Scalar>)],
        seen: inout Set<ObjectIdentifier>) {
        for (name, member) in namedMembers {
            collect(member, path: prefix + name, into: &result, seen: &seen)
        }
    }
}

/// Walks one member: a parameter, a module, or an array/optional of them.
private func collect<Scalar: TensorScalar>(
    _ member: Any, path: String, into result: inout [(name: String, parameter: Parameter<Scalar>)],
    seen: inout Set<ObjectIdentifier>) {
    if let parameter = member as? Parameter<Scalar> {
        if seen.insert(ObjectIdentifier(parameter)).inserted { result.append((path, parameter)) }
    } else if let module = member as? any Module {
        module.collectParameters(prefix: path + ".", into: &result, seen: &seen)
    } else {
        let mirror = Mirror(reflecting: member)
        switch mirror.displayStyle {
        case .optional:
            if let wrapped = mirror.children.first { collect(wrapped.value, path: path, into: &result, seen: &seen) }
        case .collection:
            for (index, element) in mirror.children.enumerated() {
                collect(element.value, path: "\(path).\(index)", into: &result, seen: &seen)
            }
        default:
            break
        }
    }
}

/// A module that maps one tensor to another (`callAsFunction`). Layers that cannot fail still conform
/// with a non-throwing implementation.
public protocol Layer<Scalar>: TypedModule where ParameterScalar == Scalar {
    /// The scalar type of the tensors this layer maps.
    associatedtype Scalar: TensorScalar
    /// Applies the layer.
    ///
    /// - Parameter input: The layer's input.
    /// - Returns: The layer's output.
    /// - Throws: What the layer throws (a layer that cannot fail throws nothing).
    func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar>
}

/// The vector field `f(t, z; θ)` of a Neural ODE: a module that takes the time and a state.
///
/// The time arrives as a rank-0 tensor so that a time-dependent field records its use of `t`; the
/// adjoint then obtains ∂L/∂t for every output time. Fields that ignore the time simply do not use it.
public protocol Dynamics<Scalar>: TypedModule where ParameterScalar == Scalar {
    /// The scalar type of the state.
    associatedtype Scalar: TensorScalar
    /// Evaluates dz/dt at `time` for the state `state` (a batch of states is one state).
    ///
    /// - Parameters:
    ///   - time: t, a rank-0 tensor.
    ///   - state: z, a batch of states integrated as one.
    /// - Returns: dz/dt, shaped like `state`.
    /// - Throws: What the field throws.
    func callAsFunction(_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) throws -> Tensor<Scalar>
}
