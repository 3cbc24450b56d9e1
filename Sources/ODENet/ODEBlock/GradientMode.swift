import Solvers

/// How an `ODEBlock` differentiates its solve.
public enum GradientMode: Sendable {
    /// The continuous adjoint (Chen et al. 2018): the forward solve records nothing, and the backward
    /// pass solves the augmented system `[z, a, a_θ, a_t]` backwards in time. Memory is O(1) in the
    /// number of steps; the gradient is that of the continuous problem, accurate to the tolerances.
    /// Gradients for the output times are available only in this mode.
    case adjoint(AdjointOptions = AdjointOptions())
    /// Backpropagation through the solver's own operations (discretise-then-optimise, the paper's
    /// RK-Net): the exact gradient of the discrete solution, with memory growing with the steps.
    case direct
    /// The same exact discrete gradient as `direct`, storing only (t, h, z) per accepted step and
    /// re-recording one step at a time on the way back: one state per step plus one step's tape.
    case checkpointed
}

/// Options of the adjoint's backward solve (torchdiffeq's `adjoint_rtol/atol/method/options`;
/// diffrax's `BacksolveAdjoint(solver=, stepsize_controller=)`).
public struct AdjointOptions: Sendable {
    /// The method of the backward solve; `nil` uses the forward method.
    public var method: ButcherTableau?
    /// Relative tolerance of the backward solve; `nil` uses the forward one.
    public var relativeTolerance: Double?
    /// Absolute tolerance of the backward solve; `nil` uses the forward one.
    public var absoluteTolerance: Double?
    /// Whether to leave the parameter adjoint a_θ (and a_t) out of the error norm: the "seminorm" of
    /// Kidger, Chen & Lyons (2021), "Hey, that's not an ODE", which often halves the backward steps.
    /// Off by default: the full norm is what torchdiffeq and diffrax do by default.
    public var usesSeminorm: Bool

    /// Creates options; every `nil` falls back to the forward solve's setting.
    public init(method: ButcherTableau? = nil, relativeTolerance: Double? = nil,
                absoluteTolerance: Double? = nil, usesSeminorm: Bool = false) {
        self.method = method
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerance = absoluteTolerance
        self.usesSeminorm = usesSeminorm
    }
}

/// What the last call of an `ODEBlock` cost, and how far the adjoint drifted.
public struct ODEBlockStatistics: Sendable, CustomStringConvertible {
    /// Evaluations of the dynamics in the forward pass (the paper's NFE-F).
    public var forwardEvaluations = 0
    /// Evaluations in the backward pass (NFE-B): one vector-Jacobian product each for the adjoint; the
    /// replayed steps for the checkpointed mode; 0 for direct (its backward pass evaluates no `f`).
    public var backwardEvaluations = 0
    /// Accepted and rejected steps of the forward solve.
    public var forwardSteps = 0, forwardRejectedSteps = 0
    /// Accepted and rejected steps of the backward solve (adjoint only).
    public var backwardSteps = 0, backwardRejectedSteps = 0
    /// For the adjoint, per interval (last to first): the RMS of the difference between the state
    /// reconstructed backwards and the stored forward state, in units of the tolerance
    /// (`atol + rtol·|z|`). Values ≫ 1 mean the backward solve did not retrace the forward
    /// trajectory and the gradient should not be trusted; tighten the tolerances or use `checkpointed`.
    public var adjointDrift: [Double] = []

    /// Creates zeroed statistics.
    public init() {}

    /// The largest drift over all intervals (0 when not using the adjoint).
    public var maximumAdjointDrift: Double { adjointDrift.max() ?? 0 }

    public var description: String {
        var text = "NFE-F \(forwardEvaluations) (\(forwardSteps) steps, \(forwardRejectedSteps) rejected), "
            + "NFE-B \(backwardEvaluations)"
        if backwardSteps > 0 { text += " (\(backwardSteps) steps, \(backwardRejectedSteps) rejected)" }
        if !adjointDrift.isEmpty { text += ", max adjoint drift \(maximumAdjointDrift) × tolerance" }
        return text
    }
}
