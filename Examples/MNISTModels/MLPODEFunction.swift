import Autodiff
import ODENet
import Requirements

/// The MLP ODE-Net's dynamics (the peers' W4 `MLPODEfunc`): f(t, h) = tanh(lin([t, h])), with t as
/// the *first* input feature of `lin` (Linear(dim + 1 → dim)), as the PyTorch script concatenates.
public final class MLPODEFunction<Scalar: TensorScalar>: Dynamics, CustomStringConvertible {
    /// The linear map of `[t, h]` with the tanh fused; `weight[:, 0]` multiplies t.
    public let lin: Linear<Scalar>

    /// Creates the field on states of `dimensions` features.
    public init(dimensions: Int = 64, using generator: inout SeededGenerator) {
        lin = Linear(dimensions + 1, dimensions, activation: .tanh, using: &generator)
    }

    /// `lin`.
    public var namedMembers: [(name: String, member: Any)] { [("lin", lin)] }

    /// tanh(lin([t, h])) for `state` [N, D].
    public func callAsFunction(_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) -> Tensor<Scalar> {
        require(state.rank == 2 && state.shape[1] + 1 == lin.inputDimensions,
                  "MLPODEFunction: state shape \(state.shape) is not [N, \(lin.inputDimensions - 1)]")
        let timeColumn = time.reshaped([]).broadcast(to: [state.shape[0], 1])
        return lin(concatenated([timeColumn, state], axis: 1))
    }

    /// `MLPODEFunction(dimensions: D)`.
    public var description: String { "MLPODEFunction(dimensions: \(lin.outputDimensions))" }
}
