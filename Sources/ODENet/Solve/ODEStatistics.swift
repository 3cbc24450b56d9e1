/// What one differentiable solve cost, and how faithfully the adjoint retraced it.
public struct ODEStatistics: Sendable, Equatable, CustomStringConvertible {
    /// Evaluations of the dynamics in the forward pass (the paper's NFE-F).
    public var forwardEvaluations = 0
    /// Evaluations in the backward pass (NFE-B): one vector-Jacobian product each for the adjoint; the
    /// replayed steps for the checkpointed mode; 0 for direct (its backward pass evaluates no `f`).
    public var backwardEvaluations = 0
    /// Accepted steps of the forward solve.
    public var forwardSteps = 0
    /// Rejected trial steps of the forward solve.
    public var forwardRejectedSteps = 0
    /// Accepted steps of the backward solve (adjoint only).
    public var backwardSteps = 0
    /// Rejected trial steps of the backward solve (adjoint only).
    public var backwardRejectedSteps = 0
    /// For the adjoint, one figure per output interval (last to first): how far the state reconstructed
    /// backwards landed from the stored forward state, relative to the error the two solves were allowed
    /// to make there.
    ///
    /// The numerator is the reconstruction error ‖z_back(tᵢ) − z_forward(tᵢ)‖ in the forward solve's norm
    /// and tolerances; the denominator is the sum of the local error estimates of the accepted steps of that
    /// interval — the forward steps' (their error ratios, forward norm and tolerances) and the backward
    /// steps' state components (measured the same way). A backsolve that retraces the forward path reads
    /// O(1). Measured at ``ODEBlock``'s defaults on ode_demo's spiral (ten points 0.025 apart from [2, 0]):
    /// 0.06–0.8 on most intervals and up to about 5 on the first, whose few early steps estimate small errors;
    /// in `Float` up to about 45, as rtol 1e-7 and atol 1e-9 lie below `Float`'s rounding; over intervals of
    /// 2.5 up to about 17, as the backward flow shears an error made late. An unstable backsolve — a stiff
    /// linear field (eigenvalues −1 and −1000, rotated basis) run backwards over [0, 0.05] — reads about
    /// 46 000 and grows with the interval (6 over [0, 0.01]): its gradient should not be trusted; use
    /// `.checkpointed` (exact, O(steps) memory) instead. Empty for fixed steps (no error estimates) and for the
    /// direct and checkpointed modes.
    public var adjointDrift: [Double] = []

    /// Creates zeroed statistics.
    public init() {}

    /// The largest drift over all intervals (0 when not using the adjoint).
    public var maximumAdjointDrift: Double { adjointDrift.max() ?? 0 }

    /// `NFE-F 26 (4 steps, 0 rejected), NFE-B 32 (5 steps, 0 rejected), max adjoint drift 0.2`.
    public var description: String {
        var text = "NFE-F \(forwardEvaluations) (\(forwardSteps) steps, \(forwardRejectedSteps) rejected), "
            + "NFE-B \(backwardEvaluations)"
        if backwardSteps > 0 { text += " (\(backwardSteps) steps, \(backwardRejectedSteps) rejected)" }
        if !adjointDrift.isEmpty { text += ", max adjoint drift \(maximumAdjointDrift)" }
        return text
    }
}

/// The earlier name of ``ODEStatistics``.
@available(*, deprecated, renamed: "ODEStatistics")
public typealias ODEBlockStatistics = ODEStatistics

/// Receives the statistics of a differentiable solve: the forward figures when it returns, the backward
/// ones when its gradient has been computed (the pullback writes them here, so pass one recorder per solve
/// whose figures you read). ``ODEBlock`` keeps one and shows it as `statistics`.
public final class ODEStatisticsRecorder {
    /// The figures recorded so far.
    public internal(set) var statistics = ODEStatistics()

    /// Creates an empty recorder.
    public init() {}

    func recordForward(evaluations: Int, steps: Int, rejectedSteps: Int) {
        statistics = ODEStatistics()
        statistics.forwardEvaluations = evaluations
        statistics.forwardSteps = steps
        statistics.forwardRejectedSteps = rejectedSteps
    }

    /// Adds evaluations made by the reverse pass outside the mode's own backward solve (the time gradients
    /// of the direct and checkpointed modes).
    func addBackward(evaluations: Int) {
        statistics.backwardEvaluations += evaluations
    }

    func recordBackward(evaluations: Int, steps: Int = 0, rejectedSteps: Int = 0, drift: [Double] = []) {
        statistics.backwardEvaluations = evaluations
        statistics.backwardSteps = steps
        statistics.backwardRejectedSteps = rejectedSteps
        statistics.adjointDrift = drift
    }
}
