import Autodiff

/// RNODE's regularisers of a Neural ODE's dynamics (Finlay et al., "How to train your neural ODE", ICML
/// 2020): the kinetic energy ∫ ½‖f‖²/D dt and the Jacobian's squared Frobenius norm ∫ ‖εᵀ∂f/∂z‖²/D dt per
/// sample (D its number of features; Hutchinson's estimate, from the same vector–Jacobian product as a
/// flow's trace estimate), each divided by D as the RNODE code does and integrated alongside the state as
/// extra components that never control the step. Their weighted batch means are a flow result's or an
/// ``ODEBlock``'s `regularizationLoss`.
public struct DynamicsRegularization: Sendable, Equatable, CustomStringConvertible {
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
    public static let none = DynamicsRegularization(kineticEnergy: 0, jacobianFrobenius: 0)

    /// Whether the kinetic-energy integral is computed.
    var hasKineticEnergy: Bool { kineticEnergy != 0 }
    /// Whether the Jacobian-norm integral is computed.
    var hasJacobianFrobenius: Bool { jacobianFrobenius != 0 }
    /// The number of extra state columns.
    var columnCount: Int { (hasKineticEnergy ? 1 : 0) + (hasJacobianFrobenius ? 1 : 0) }

    /// `DynamicsRegularization(kineticEnergy: λ_K, jacobianFrobenius: λ_J)`.
    public var description: String {
        "DynamicsRegularization(kineticEnergy: \(kineticEnergy), jacobianFrobenius: \(jacobianFrobenius))"
    }
}

extension DynamicsRegularization {
    /// The rates of the active terms per sample, `[batch]` each: ½‖f‖²/D and ‖εᵀ∂f/∂z‖²/D, times `scale`.
    ///
    /// - Parameters:
    ///   - f: the field's value, `[batch, …]`.
    ///   - noiseProduct: εᵀ∂f/∂z, shaped like `f` (needed for the Jacobian term).
    ///   - scale: a factor (the length of a flow's interval when it solves in its own time).
    func rates<Scalar: TensorScalar>(value f: Tensor<Scalar>, noiseProduct: Tensor<Scalar>?,
                                     scale: Tensor<Scalar>) -> [Tensor<Scalar>] {
        let batch = f.shape[0]
        var rates: [Tensor<Scalar>] = []
        if hasKineticEnergy {
            rates.append((f * f).reshaped([batch, -1]).mean(axis: 1) * (scale * Tensor(Scalar(0.5))))
        }
        if hasJacobianFrobenius, let product = noiseProduct {
            rates.append((product * product).reshaped([batch, -1]).mean(axis: 1) * scale)
        }
        return rates
    }

    /// λ_K·mean(kinetic) + λ_J·mean(Jacobian norm) from the integrals `[R, batch]` of the active terms.
    ///
    /// - Parameter integrals: one row per active term, kinetic energy first.
    /// - Returns: the weighted loss and each term's integrals per sample.
    func loss<Scalar: TensorScalar>(_ integrals: Tensor<Scalar>)
        -> (loss: Tensor<Scalar>, kineticEnergy: Tensor<Scalar>?, jacobianFrobenius: Tensor<Scalar>?) {
        let batch = integrals.shape[1]
        var row = 0
        var loss = Tensor<Scalar>(0)
        var kinetic: Tensor<Scalar>? = nil, jacobian: Tensor<Scalar>? = nil
        if hasKineticEnergy {
            kinetic = integrals.sliced(row..<(row + 1)).reshaped([batch])
            loss = loss + kinetic!.mean() * Tensor(Scalar(kineticEnergy))
            row += 1
        }
        if hasJacobianFrobenius {
            jacobian = integrals.sliced(row..<(row + 1)).reshaped([batch])
            loss = loss + jacobian!.mean() * Tensor(Scalar(jacobianFrobenius))
        }
        return (loss, kinetic, jacobian)
    }
}
