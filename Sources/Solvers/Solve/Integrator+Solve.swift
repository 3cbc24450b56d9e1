extension Integrator {
    /// Runs to the end (or to a terminal event), reporting states as `saveAt` asks.
    ///
    /// - Parameters:
    ///   - saveAt: What to report.
    ///   - event: An optional terminal event.
    /// - Returns: The solution.
    /// - Throws: ``SolverError`` when a step fails or the output times are invalid; what the vector field or the
    ///   event function throws.
    @inlinable
    public mutating func solve(saveAt: SaveAt, event: ODEEvent<State>? = nil) throws -> ODESolution<State> {
        let span = problem.timeSpan
        let direction = span.direction
        let outputs = saveAt.times
        for (i, t) in outputs.enumerated() {
            guard (t - span.start) * direction >= 0 && (span.end - t) * direction >= 0 else {
                throw SolverError.outputTimeOutsideSpan(time: t, start: span.start, end: span.end)
            }
            if i > 0 && (t - outputs[i - 1]) * direction < 0 {
                throw SolverError.outputTimesNotMonotone(index: i, previous: outputs[i - 1], time: t)
            }
        }
        var times: [Double] = []
        var states: [State] = []
        times.reserveCapacity(outputs.count + (saveAt.includesStart ? 1 : 0) + (saveAt.includesEnd ? 1 : 0))
        states.reserveCapacity(times.capacity)
        var steps: [AcceptedStep] = []
        steps.reserveCapacity(64)
        var dense = saveAt.dense ? DenseOutput(tableau: method.tableau, start: time, state: state) : nil
        var occurrence: EventOccurrence<State>? = nil
        if saveAt.includesStart {
            times.append(time)
            states.append(state)
        }
        var next = 0
        while next < outputs.count && outputs[next] == time {
            times.append(time)
            states.append(state)
            next += 1
        }
        var gPrevious = try event.map { try $0.function(time, state) } ?? 0
        var interpolatedEnd: State? = nil   // the end state when the last step passed the end
        while try step() {
            steps.append(AcceptedStep(time: previousTime, stepSize: lastStepSize))
            // Where this step's reports stop: its end, the end of the span when the step passed it
            // (`Endpoint.interpolated`: nothing beyond the span is reported), or an event inside it.
            var stopTime = time, stopState = state
            if hasPassedEnd {
                stopTime = span.end
                stopState = try state(at: span.end)
            }
            if let event {
                let g = try event.function(stopTime, stopState)
                if event.isCrossing(from: gPrevious, to: g) {
                    let found = try locate(event, g0: gPrevious, g1: g, until: stopTime)
                    occurrence = found
                    (stopTime, stopState) = (found.time, found.state)
                }
                gPrevious = g
            }
            while next < outputs.count && (outputs[next] - stopTime) * direction <= 0 {
                let t = outputs[next]
                times.append(t)
                states.append(t == stopTime ? stopState : try state(at: t))
                next += 1
            }
            if occurrence == nil && hasPassedEnd { interpolatedEnd = stopState }
            if saveAt.everyStep && occurrence == nil && !hasPassedEnd && times.last != time {
                times.append(time)
                states.append(state)
            }
            if dense != nil {
                try prepareDenseOutput()
                dense!.append(time: previousTime, stepSize: lastStepSize, start: previousState, stages: denseStages,
                              end: state)
            }
            if occurrence != nil { break }
        }
        let finalTime = occurrence?.time ?? (interpolatedEnd != nil ? span.end : time)
        let finalState = occurrence?.state ?? interpolatedEnd ?? state
        if saveAt.includesEnd && times.last != finalTime {
            times.append(finalTime)
            states.append(finalState)
        }
        return ODESolution(times: times, states: states, statistics: statistics, steps: steps, event: occurrence,
                           finalTime: finalTime, finalState: finalState, denseOutput: dense)
    }
}

/// Solves `problem` with adaptive steps of an embedded Runge–Kutta pair.
///
/// - Parameters:
///   - problem: The vector field, initial state and time span.
///   - method: A method with an error estimate (`.dormandPrince54`, `.tsitouras54`, …).
///   - controller: tolerances and step-size policy (no default tolerances: choose them;
///     `StepSizeController.torchdiffeqDefaults` gives rtol 1e-7, atol 1e-9).
///   - saveAt: what to report (default: the final state).
///   - event: an optional terminal event.
///   - stopTimes: times the solver must step to exactly (e.g. discontinuities of the vector field).
///   - maxSteps: the limit on trial steps (100 000).
/// - Returns: The reported times and states, the statistics, the accepted steps, the event that stopped the
///   solve and, with `SaveAt.dense`, the dense output.
/// - Throws: ``SolverError`` for invalid tolerances, span or output times, a step size that underflows, too
///   many steps or a non-finite state; what the vector field or the event function throws.
@inlinable
public func solve<Method: AdaptiveRungeKuttaMethod, State: ODEState>(
    _ problem: ODEProblem<State>, using method: Method, controller: StepSizeController, saveAt: SaveAt = .end,
    event: ODEEvent<State>? = nil, stopTimes: [Double] = [], maxSteps: Int = 100_000
) throws -> ODESolution<State> {
    var integrator = try Integrator(problem, using: method, controller: controller, stopTimes: stopTimes,
                                    maxSteps: maxSteps)
    return try integrator.solve(saveAt: saveAt, event: event)
}

/// Solves `problem` with `stepCount` equal steps on the grid t_k = t₀ + k·(t₁ − t₀)/stepCount.
///
/// - Parameters:
///   - problem: The vector field, initial state and time span.
///   - method: Any Runge–Kutta method.
///   - stepCount: The number of steps, positive.
///   - saveAt: What to report (default: the final state).
///   - event: An optional terminal event.
/// - Returns: The solution.
/// - Throws: ``SolverError`` for an invalid span, step count or output times, or a non-finite state; what the
///   vector field or the event function throws.
@inlinable
public func solve<Method: RungeKuttaMethod, State: ODEState>(
    _ problem: ODEProblem<State>, using method: Method, stepCount: Int, saveAt: SaveAt = .end,
    event: ODEEvent<State>? = nil
) throws -> ODESolution<State> {
    var integrator = try Integrator(problem, using: method, stepCount: stepCount)
    return try integrator.solve(saveAt: saveAt, event: event)
}

/// Solves `problem` with fixed steps of (at most) `stepSize`: the span is divided into
/// ⌈|t₁ − t₀| / |stepSize|⌉ equal steps (a grid t_k = t₀ + k·(t₁ − t₀)/n, never a running sum of dt).
///
/// - Parameters:
///   - problem: The vector field, initial state and time span.
///   - method: Any Runge–Kutta method.
///   - stepSize: The largest step, finite and non-zero (its sign is ignored).
///   - saveAt: What to report (default: the final state).
///   - event: An optional terminal event.
/// - Returns: The solution.
/// - Throws: `SolverError.invalidStepSize` for a zero or non-finite step, and what the `stepCount:` form throws.
@inlinable
public func solve<Method: RungeKuttaMethod, State: ODEState>(
    _ problem: ODEProblem<State>, using method: Method, stepSize: Double, saveAt: SaveAt = .end,
    event: ODEEvent<State>? = nil
) throws -> ODESolution<State> {
    let count = try problem.timeSpan.fixedStepCount(stepSize: stepSize)
    return try solve(problem, using: method, stepCount: count, saveAt: saveAt, event: event)
}
