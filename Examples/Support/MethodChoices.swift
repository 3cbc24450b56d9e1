import ODENet
import Solvers

/// `--gradient adjoint|direct|checkpointed`, shared by every example.
public enum GradientChoice: String, ArgumentChoice {
    case adjoint, direct, checkpointed

    /// The ODE block's gradient mode (default adjoint options).
    public var mode: GradientMode {
        switch self {
        case .adjoint: .adjoint()
        case .direct: .direct
        case .checkpointed: .checkpointed
        }
    }
}

/// `--solver NAME`: every built-in method by its customary short name (`dopri5-torchdiffeq`: Dormand–Prince
/// with torchdiffeq's error estimate, which reproduces torchdiffeq's step sequence).
public enum SolverChoice: String, ArgumentChoice {
    case euler, midpoint, heun, heun3, rk4, rk38, bosh3, dopri5, tsit5, dop853, fehlberg2, dopri8
    case vern6, vern7, vern8, vern9
    case dopri5Torchdiffeq = "dopri5-torchdiffeq"
    case adaptiveHeun = "adaptive-heun"

    /// The method's tableau.
    public var tableau: ButcherTableau {
        switch self {
        case .euler: .euler
        case .midpoint: .midpoint
        case .heun: .heun
        case .heun3: .heun3
        case .adaptiveHeun: .heunEuler21
        case .fehlberg2: .fehlberg21
        case .rk4: .rk4
        case .rk38: .rk38
        case .bosh3: .bogackiShampine32
        case .dopri5: .dormandPrince54
        case .dopri5Torchdiffeq: .dormandPrince54Torchdiffeq
        case .tsit5: .tsitouras54
        case .dop853: .dormandPrince853
        case .dopri8: .princeDormand87
        case .vern6: .verner65
        case .vern7: .verner76
        case .vern8: .verner87
        case .vern9: .verner98
        }
    }
}

extension SolverChoice {
    /// The stepping of an ODE block for this method: fixed steps of `stepSize` when one is given, otherwise
    /// adaptive steps under torchdiffeq's controller with the given tolerances.
    ///
    /// - Throws: `ExampleError` when the method has no error estimate and no step size is given, or the
    ///   step size is not positive.
    public func stepping(stepSize: Double?, relativeTolerance: Double, absoluteTolerance: Double) throws -> Stepping {
        if let stepSize {
            guard stepSize > 0 else { throw ExampleError("--step-size must be positive, got \(stepSize)") }
            return .fixed(ExplicitRungeKutta(tableau), stepSize: stepSize)
        }
        guard tableau.isAdaptive else {
            throw ExampleError("--solver \(rawValue) is a fixed-step method: give --step-size")
        }
        return .adaptive(EmbeddedRungeKutta(tableau),
                         controller: .torchdiffeq(relativeTolerance: relativeTolerance,
                                                  absoluteTolerance: absoluteTolerance))
    }
}
