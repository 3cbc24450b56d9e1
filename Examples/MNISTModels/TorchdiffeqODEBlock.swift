import Autodiff
import ODENet

/// An `ODEBlock` whose dynamics are named `odefunc`, as torchdiffeq's example `ODEBlock` names them
/// (`ODEBlock` itself names them `dynamics`): `7.odefunc.conv1._layer.weight` rather than
/// `7.dynamics.conv1._layer.weight`. Integrates over the block's `integrationTimes` ([0, 1]).
public final class TorchdiffeqODEBlock<D: Dynamics>: Layer, CustomStringConvertible {
    /// The scalar type of the state.
    public typealias Scalar = D.Scalar
    /// The wrapped block.
    public let block: ODEBlock<D>

    /// Wraps `block`.
    public init(_ block: ODEBlock<D>) { self.block = block }

    /// The dynamics, under the name `odefunc`.
    public var namedMembers: [(name: String, member: Any)] { [("odefunc", block.dynamics)] }

    /// z(1) from z(0) = `input`.
    public func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar> { try block(input) }

    private var modeName: String {
        switch block.gradientMode {
        case .adjoint: "adjoint"
        case .direct: "direct"
        case .checkpointed: "checkpointed"
        }
    }

    /// `ODEBlock(odefunc: …, tol …)`.
    public var description: String {
        "ODEBlock(odefunc: \((block.dynamics as? CustomStringConvertible)?.description ?? "\(D.self)"), "
            + "\(block.stepping), \(modeName))"
    }
}
