extension Integrator {
    /// Runs to the end (or to a terminal event), reporting states as `saveAt` asks.
    ///
    /// - Parameters:
    ///   - saveAt: What to report.
    ///   - event: An optional event (terminal unless its action says otherwise).
    /// - Returns: The solution.
    /// - Throws: ``SolverError`` when a step fails or the output times are invalid; what the vector field or the
    ///   event function throws.
    @inlinable
    public mutating func solve(saveAt: SaveAt, event: ODEEvent<State>? = nil) throws -> ODESolution<State> {
        try solve(saveAt: saveAt, events: event.map { [$0] } ?? [], maximumEvents: nil)
    }

    /// Runs to the end, to a terminal event or to the `maximumEvents`-th event, reporting states as `saveAt`
    /// asks and locating every event on the way (see ``ODEEvent``). Inside one step the earliest crossing of
    /// any event is handled first; after a `.record` event the rest of the step is scanned on from the event;
    /// after a `.jump` the solve restarts from the new state (``restart(at:state:)``). Output times before a
    /// jump report the state before it, an output time at the jump the state after it; nothing is reported
    /// beyond the event that ends the solve, and the dense output ends there too. With a terminal event or
    /// `maximumEvents`, an adaptive solve's span may end at ±∞.
    ///
    /// - Parameters:
    ///   - saveAt: What to report.
    ///   - events: The events, each with its action.
    ///   - maximumEvents: Stop at this event (counting every event; after applying its jump), if given.
    /// - Returns: The solution, with every event in `events` and the one that ended the solve in `event`.
    /// - Throws: ``SolverError`` when a step fails, the output times or an event's settings are invalid, or
    ///   the span is unbounded with nothing to end it; what the vector field, an event function or a jump throws.
    @inlinable
    public mutating func solve(saveAt: SaveAt, events: [ODEEvent<State>], maximumEvents: Int? = nil) throws
        -> ODESolution<State> {
        let span = problem.timeSpan
        let direction = span.direction
        for (i, event) in events.enumerated() { try event.validate(index: i) }
        if let limit = maximumEvents, limit < 1 {
            throw SolverError.invalidEventSetting(event: -1, name: "maximumEvents", value: Double(limit))
        }
        if !span.end.isFinite && !(isAdaptive && (maximumEvents != nil || events.contains { $0.isTerminal })) {
            throw SolverError.invalidTimeSpan(start: span.start, end: span.end)
        }
        try saveAt.validateTimes(in: span)
        let outputs = saveAt.times
        var times: [Double] = []
        var states: [State] = []
        times.reserveCapacity(outputs.count + (saveAt.includesStart ? 1 : 0) + (saveAt.includesEnd ? 1 : 0))
        states.reserveCapacity(times.capacity)
        var steps: [AcceptedStep] = []
        steps.reserveCapacity(64)
        var dense = saveAt.dense ? DenseOutput(tableau: method.tableau, start: time, state: state) : nil
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
        var signs = try events.map { try $0.function(time, state) }   // g where the scan stands; 0: no sign yet
        var occurrences: [EventOccurrence<State>] = []
        var ending: EventOccurrence<State>? = nil
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
            var jump: (time: Double, state: State, event: Int)? = nil
            var reportsBeforeStop = false   // a jump: output times at it are reported after it
            if !events.isEmpty {
                var from = previousTime
                while let hit = try earliestCrossing(of: events, signs: &signs, from: from, to: stopTime,
                                                     endState: stopState) {
                    var occurrence = EventOccurrence(time: hit.time, state: hit.state, index: hit.event)
                    let reachedLimit = maximumEvents.map { occurrences.count + 1 >= $0 } ?? false
                    switch events[hit.event].action {
                    case .stop:
                        ending = occurrence
                    case .record:
                        if reachedLimit { ending = occurrence }
                    case .jump(let map):
                        let after = try map(hit.time, hit.state)
                        occurrence.stateAfterJump = after
                        jump = (hit.time, after, hit.event)
                        if reachedLimit { ending = occurrence }
                    }
                    occurrences.append(occurrence)
                    if ending != nil || jump != nil {
                        (stopTime, stopState) = (hit.time, hit.state)
                        reportsBeforeStop = ending == nil
                        break
                    }
                    from = hit.time
                }
            }
            while next < outputs.count
                    && ((outputs[next] - stopTime) * direction < 0 || (!reportsBeforeStop && outputs[next] == stopTime)) {
                let t = outputs[next]
                times.append(t)
                if t == stopTime {
                    states.append(ending?.stateAfterJump ?? stopState)
                } else {
                    states.append(try state(at: t))
                }
                next += 1
            }
            if ending == nil && jump == nil && hasPassedEnd { interpolatedEnd = stopState }
            if saveAt.everyStep && ending == nil && !hasPassedEnd {
                if let jump {
                    times.append(contentsOf: [jump.time, jump.time])
                    states.append(contentsOf: [stopState, jump.state])
                } else if times.last != time {
                    times.append(time)
                    states.append(state)
                }
            }
            if dense != nil {
                try prepareDenseOutput()
                dense!.append(time: previousTime, stepSize: lastStepSize, start: previousState, stages: denseStages,
                              end: state)
                if let ending { dense!.truncate(at: ending.time, state: ending.stateAfterJump ?? ending.state) }
            }
            if ending != nil { break }
            if let jump {
                try restart(at: jump.time, state: jump.state)
                signs = try events.map { try $0.function(jump.time, jump.state) }
                signs[jump.event] = 0   // the event that jumped does not fire again at once
            }
        }
        let finalTime = ending?.time ?? (interpolatedEnd != nil ? span.end : time)
        let finalState = ending.map { $0.stateAfterJump ?? $0.state } ?? interpolatedEnd ?? state
        if saveAt.includesEnd && times.last != finalTime {
            times.append(finalTime)
            states.append(finalState)
        }
        return ODESolution(times: times, states: states, statistics: statistics, steps: steps, event: ending,
                           finalTime: finalTime, finalState: finalState, denseOutput: dense, events: occurrences)
    }

    /// The earliest crossing of any event between `from` and `to` in the last step, sampling g at the events'
    /// interior points and at `to`; `signs` holds each g at `from` and is left at the crossing (or at `to`).
    @inlinable
    mutating func earliestCrossing(of events: [ODEEvent<State>], signs: inout [Double], from: Double, to: Double,
                                   endState: State) throws -> (event: Int, time: Double, state: State)? {
        let direction: Double = to >= from ? 1 : -1
        let start = previousTime
        let interior = events.reduce(0) { max($0, $1.interiorPoints) }
        var left = from
        var samples = (1...(interior + 1)).map { j in
            j == interior + 1 ? to : start + Double(j) / Double(interior + 1) * (to - start)
        }
        samples.removeAll { ($0 - from) * direction <= 0 }
        if samples.isEmpty || samples.last != to { samples.append(to) }
        for t in samples where (t - left) * direction > 0 {
            let y = t == to ? endState : try state(at: t)
            let values = try events.map { try $0.function(t, y) }
            var best: (event: Int, time: Double)? = nil
            for i in events.indices where events[i].isCrossing(from: signs[i], to: values[i]) {
                let root = try locate(events[i], from: left, g0: signs[i], to: t, g1: values[i])
                if best == nil || (root - best!.time) * direction < 0 { best = (i, root) }
            }
            if let best {
                let y = best.time == to ? endState : try state(at: best.time)
                signs = try events.map { try $0.function(best.time, y) }
                return (best.event, best.time, y)
            }
            signs = values
            left = t
        }
        return nil
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

/// Solves `problem` with adaptive steps of an embedded Runge–Kutta pair, locating several events (see
/// ``ODEEvent``): each stops the solve, is recorded, or changes the state and the solve goes on. With a
/// terminal event or `maximumEvents` the span may end at ±∞ (e.g. "until the ball has bounced five times").
///
///     let ground = ODEEvent<[Double]>(direction: .falling, action: .jump { _, y in [y[0], -0.8 * y[1]] }) { _, y in y[0] }
///     let bounces = try solve(ball, using: .dormandPrince54, controller: controller,
///                             events: [ground], maximumEvents: 5)
///     bounces.events.map(\.time)   // the five impact times
///
/// - Parameters:
///   - problem: The vector field, initial state and time span.
///   - method: A method with an error estimate.
///   - controller: tolerances and step-size policy.
///   - saveAt: what to report (default: the final state).
///   - events: the events.
///   - maximumEvents: stop at this event (counting all events), if given.
///   - stopTimes: times the solver must step to exactly.
///   - maxSteps: the limit on trial steps (100 000).
/// - Returns: The solution, with every event located in `events`.
/// - Throws: as the single-event form; `SolverError.invalidEventSetting` for an event's invalid settings;
///   `invalidTimeSpan` for an infinite end that no event ends; what an event function or jump throws.
@inlinable
public func solve<Method: AdaptiveRungeKuttaMethod, State: ODEState>(
    _ problem: ODEProblem<State>, using method: Method, controller: StepSizeController, saveAt: SaveAt = .end,
    events: [ODEEvent<State>], maximumEvents: Int? = nil, stopTimes: [Double] = [], maxSteps: Int = 100_000
) throws -> ODESolution<State> {
    var integrator = try Integrator(problem, using: method, controller: controller, stopTimes: stopTimes,
                                    maxSteps: maxSteps)
    return try integrator.solve(saveAt: saveAt, events: events, maximumEvents: maximumEvents)
}

/// Solves `problem` with fixed steps of (at most) `stepSize`, locating several events on each step's dense
/// output (see ``ODEEvent``); after a jump the steps go on to the next point of the grid.
///
/// - Parameters:
///   - problem: The vector field, initial state and time span (both ends finite).
///   - method: Any Runge–Kutta method.
///   - stepSize: The largest step, finite and non-zero (its sign is ignored).
///   - saveAt: What to report (default: the final state).
///   - events: The events.
///   - maximumEvents: Stop at this event (counting all events), if given.
/// - Returns: The solution, with every event located in `events`.
/// - Throws: as the single-event form, and `SolverError.invalidEventSetting`.
@inlinable
public func solve<Method: RungeKuttaMethod, State: ODEState>(
    _ problem: ODEProblem<State>, using method: Method, stepSize: Double, saveAt: SaveAt = .end,
    events: [ODEEvent<State>], maximumEvents: Int? = nil
) throws -> ODESolution<State> {
    let count = try problem.timeSpan.fixedStepCount(stepSize: stepSize)
    var integrator = try Integrator(problem, using: method, stepCount: count)
    return try integrator.solve(saveAt: saveAt, events: events, maximumEvents: maximumEvents)
}
