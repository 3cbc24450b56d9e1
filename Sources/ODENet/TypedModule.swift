import Autodiff

/// A module whose parameters have one scalar type known from the module's type, so that the APIs that
/// need it infer it: `model.parameters`, `ModuleCheckpoint.save(model, to:)`, `load(into:from:)`.
///
/// ``Layer`` and ``Dynamics`` refine it (their `Scalar` is the `ParameterScalar`), so every layer, vector
/// field and ``ODEBlock`` has it. A container module that is neither (an encoder, an ODE block and a decoder
/// held together) conforms by naming its scalar:
///
///     final class LatentODE: TypedModule {
///         typealias ParameterScalar = Float
///         let encoder: Sequential<Float>, block: ODEBlock<MyDynamics>, decoder: Linear<Float>
///         …
///     }
///     let count = LatentODE(…).parameters.count
public protocol TypedModule<ParameterScalar>: Module {
    /// The scalar type of the module's parameters.
    associatedtype ParameterScalar: TensorScalar
}

extension TypedModule {
    /// Every parameter of the module's scalar type in this module and its children, in declaration order
    /// (`parameters(of: ParameterScalar.self)`). A parameter shared by two paths appears once.
    public var parameters: [Parameter<ParameterScalar>] { parameters(of: ParameterScalar.self) }

    /// Every parameter of the module's scalar type with its dotted path (`net.0.weight`), in declaration
    /// order (`namedParameters(of: ParameterScalar.self)`).
    public var namedParameters: [(name: String, parameter: Parameter<ParameterScalar>)] {
        namedParameters(of: ParameterScalar.self)
    }

    /// The total number of scalars in `parameters`.
    public var parameterCount: Int { parameterCount(of: ParameterScalar.self) }
}
