import Autodiff
import Requirements
import Solvers

/// Solves from `initialState` at `startTime` until `event` has occurred `occurrences` times (jumping at each
/// when it has a jump map), and returns the event times and states as tensors that are differentiable with
/// respect to the initial state, the start time, the dynamics' parameters and the event's and jump map's own
/// parameters, in every gradient mode.
///
/// Each event time comes from the implicit function theorem at the root: with z*(θ) the state at the fixed
/// time t*, dt*/dθ = −(∂g/∂θ + ∂g/∂z·∂z*/∂θ)/ġ, ġ = ∂g/∂t + ∂g/∂z·f(t*, z*). The solve locates t* without
/// recording, solves again to t* in the chosen gradient mode (so that z* is recorded: the adjoint keeps its
/// O(1) memory in the steps), and records t* = t*₀ − (g(t*₀, z*) − g(t*₀, z*)|const)/ġ — whose value is t*₀
/// and whose gradient is the theorem's — and the state there as z* + f(t*, z*)·(t* − t*₀). Later segments
/// start from the recorded time and state after the jump, so a loss after several events is differentiable.
/// Composed with each segment's adjoint, these recorded steps are the adjoint's jump condition (see
/// <doc:SolvingODEs>). First derivatives only (ġ and f(t*, z*) enter as constants). A crossing is tangential
/// when |ġ| is below 10⁻⁶ of g's mean rate of change over the segment, |g(t_start)|/(t* − t_start).
///
/// An event function with one value per sample (shape [B] for a state [B, …]) gives each sample its own
/// events: the samples are solved one after another, each with its own steps, so a sample's result does not
/// depend on the rest of the batch.
///
/// - Parameters:
///   - dynamics: The vector field.
///   - initialState: z(t₀).
///   - startTime: t₀, a rank-0 tensor (differentiable).
///   - event: The event.
///   - occurrences: How many events to wait for (at least 1).
///   - saveAt: Ascending times, none before t₀, at which to return the state as well (``EventSolution/savedStates``);
///     times after the last occurrence are solved to without looking for more events.
///   - maximumTime: A bound on the search for each event.
///   - allowingFewerOccurrences: When true, reaching `maximumTime` (which must then be finite) before all
///     occurrences ends the solve there (see ``EventSolution/counts``); when false it is an error.
///   - stepping: The method and its step-size control (adaptive, or fixed steps with a finite `maximumTime`).
///   - gradient: How the solves between events are differentiated.
///   - maximumSteps: The limit on trial steps of each solve.
///   - statistics: Receives the evaluation counts of the solves.
/// - Returns: The event times and states.
/// - Throws: `ODENetError.eventNotFound` when fewer events occur before `maximumTime` and that is not
///   allowed, `ODENetError.tangentialEvent` when g meets zero without crossing it (ġ within rounding of 0: the
///   time is not differentiable there); what the solves, g and the jump map throw.
public func solve<D: Dynamics>(
    _ dynamics: D, from initialState: Tensor<D.Scalar>, startTime: Tensor<D.Scalar>,
    until event: DifferentiableEvent<D.Scalar>, occurrences: Int = 1, saveAt: [Double] = [],
    maximumTime: Double = .infinity, allowingFewerOccurrences: Bool = false,
    stepping: Stepping, gradient: GradientMode = .adjoint(), maximumSteps: Int = 100_000,
    statistics: ODEStatisticsRecorder? = nil
) throws -> EventSolution<D.Scalar> {
    typealias Scalar = D.Scalar
    require(occurrences >= 1, "solve(until:): occurrences must be at least 1, got \(occurrences)")
    require(startTime.rank == 0, "solve(until:): startTime must be a rank-0 tensor, got shape \(startTime.shape)")
    let start = Double(startTime.scalar)
    require(zip(saveAt, saveAt.dropFirst()).allSatisfy { $0 < $1 } && (saveAt.first.map { $0 >= start } ?? true),
            "solve(until:): saveAt must be strictly increasing and not before the start time \(start), got \(saveAt)")
    require(saveAt.allSatisfy(\.isFinite), "solve(until:): saveAt must be finite, got \(saveAt)")
    require(!allowingFewerOccurrences || maximumTime.isFinite,
            "solve(until:): allowingFewerOccurrences needs a finite maximumTime, got \(maximumTime)")
    let segments = EventSegments(dynamics: dynamics, occurrences: occurrences, saveAt: saveAt,
                                 maximumTime: maximumTime, allowingFewer: allowingFewerOccurrences,
                                 stepping: stepping, gradient: gradient, maximumSteps: maximumSteps,
                                 recorder: statistics ?? ODEStatisticsRecorder())
    let probe = try withoutRecording(Scalar.self) {
        try event.function(withoutDerivative(at: startTime), withoutDerivative(at: initialState))
    }
    if probe.rank == 0 {
        return try segments.solve(from: initialState, startTime: startTime, event: event)
    }
    require(probe.rank == 1 && initialState.rank >= 1 && probe.shape[0] == initialState.shape[0],
            "solve(until:): the event function must return a rank-0 tensor or one value per sample (shape "
                + "[\(initialState.shape.first ?? 0)] for a state of shape \(initialState.shape)), got shape \(probe.shape)")
    let perSample = DifferentiableEvent<Scalar>(direction: event.direction, timeTolerance: event.timeTolerance,
                                                jump: event.jump) { t, z in try event.function(t, z).reshaped([]) }
    let rows = try (0..<initialState.shape[0]).map { i in
        try segments.solve(from: initialState.sliced(i..<(i + 1), axis: 0), startTime: startTime, event: perSample)
    }
    return EventSolution(
        times: (0..<occurrences).map { k in concatenated(rows.map { $0.times[k].reshaped([1]) }, axis: 0) },
        statesBefore: (0..<occurrences).map { k in concatenated(rows.map { $0.statesBefore[k] }, axis: 0) },
        statesAfter: (0..<occurrences).map { k in concatenated(rows.map { $0.statesAfter[k] }, axis: 0) },
        savedStates: saveAt.isEmpty ? nil : concatenated(rows.map { $0.savedStates! }, axis: 1),
        counts: rows.map { $0.counts[0] })
}

extension ODEBlock {
    /// Solves from `input` at the first integration time until `event` has occurred `occurrences` times, or
    /// to the last integration time if it comes first, with the block's stepping, gradient mode and statistics;
    /// see `solve(_:from:startTime:until:occurrences:saveAt:maximumTime:allowingFewerOccurrences:stepping:gradient:maximumSteps:statistics:)`.
    /// With an event per sample and one occurrence, `statesBefore[0]` is each sample stopped at its own event
    /// (or at the end without one) and `times[0]` the time it stopped.
    ///
    /// - Parameters:
    ///   - input: The initial state.
    ///   - event: The event (rank-0 or one value per sample).
    ///   - occurrences: The most events to wait for.
    ///   - saveAt: Ascending times at which to return the state as well.
    /// - Returns: The event times and states; ``EventSolution/counts`` says how many occurred.
    /// - Throws: ``ODENetError`` or `SolverError` when a solve cannot run.
    public func solve(from input: Tensor<Scalar>, until event: DifferentiableEvent<Scalar>, occurrences: Int = 1,
                      saveAt: [Double] = []) throws -> EventSolution<Scalar> {
        let (first, last) = (integrationTimes.first!, integrationTimes.last!)
        require(first < last, "ODEBlock.solve(until:): events need increasing integration times, got \(integrationTimes)")
        require(regularization.columnCount == 0, "ODEBlock.solve(until:): regularization is not supported with events")
        recorder = ODEStatisticsRecorder()
        return try ODENet.solve(dynamics, from: input, startTime: Tensor(Scalar(first)), until: event,
                                occurrences: occurrences, saveAt: saveAt, maximumTime: last,
                                allowingFewerOccurrences: true, stepping: stepping, gradient: gradientMode,
                                maximumSteps: maximumSteps, statistics: recorder)
    }
}
