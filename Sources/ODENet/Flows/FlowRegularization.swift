/// RNODE's regularisers of a flow's dynamics (Finlay et al., "How to train your neural ODE", ICML 2020):
/// the kinetic energy ∫ ½‖f‖²/D dt and the Jacobian's squared Frobenius norm ∫ ‖εᵀ∂f/∂z‖²/D dt
/// (Hutchinson's estimate from the same vector–Jacobian product as the trace estimate), each divided by D
/// as the RNODE code does and integrated alongside the state (left out of nothing: they are extra columns
/// of the solved state). Their weighted batch means are a flow result's `regularizationLoss`.
public struct FlowRegularization: Sendable, Equatable, CustomStringConvertible {
    /// λ of the kinetic energy (RNODE's default 0.01); 0 switches the term off.
    public var kineticEnergy: Double
    /// λ of the Jacobian Frobenius norm (RNODE's default 0.01); 0 switches the term off.
    public var jacobianFrobenius: Double

    /// Creates the weights.
    ///
    /// - Parameters:
    ///   - kineticEnergy: λ_K ≥ 0.
    ///   - jacobianFrobenius: λ_J ≥ 0.
    public init(kineticEnergy: Double = 0.01, jacobianFrobenius: Double = 0.01) {
        self.kineticEnergy = kineticEnergy
        self.jacobianFrobenius = jacobianFrobenius
    }

    /// No regularisation.
    public static let none = FlowRegularization(kineticEnergy: 0, jacobianFrobenius: 0)

    /// Whether the kinetic-energy integral is computed.
    var hasKineticEnergy: Bool { kineticEnergy != 0 }
    /// Whether the Jacobian-norm integral is computed.
    var hasJacobianFrobenius: Bool { jacobianFrobenius != 0 }
    /// The number of extra state columns.
    var columnCount: Int { (hasKineticEnergy ? 1 : 0) + (hasJacobianFrobenius ? 1 : 0) }

    /// `FlowRegularization(kineticEnergy: λ_K, jacobianFrobenius: λ_J)`.
    public var description: String {
        "FlowRegularization(kineticEnergy: \(kineticEnergy), jacobianFrobenius: \(jacobianFrobenius))"
    }
}
