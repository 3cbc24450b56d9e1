/// Solves a stiff `problem` with adaptive steps of a Rosenbrock method.
///
///     let robertson = ODEProblem(timeSpan: TimeSpan(start: 0, end: 1e5), initialState: [1.0, 0, 0]) { _, y, dy in
///         dy[0] = -0.04 * y[0] + 1e4 * y[1] * y[2]
///         dy[2] = 3e7 * y[1] * y[1]
///         dy[1] = -dy[0] - dy[2]
///     }
///     let solution = try solve(robertson, using: .rodas5P,
///                              controller: StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-10),
///                              jacobian: .finiteDifferencesAutonomous)
///
/// Each step evaluates J (and f_t) at its start, factors I/(γh) − J once and solves once per stage; a
/// rejected step keeps J and refactors with the smaller h. The statistics count Jacobians, factorisations
/// and linear solves beside f evaluations. States need ``ODEState/assignScalars(from:)`` (arrays and SIMD
/// vectors have it); the linear algebra runs in `Double` whatever the state's scalar.
///
/// - Parameters:
///   - problem: The vector field, initial state and time span (finite).
///   - method: `.rodas5P`, `.rodas4` or any ``Rosenbrock`` tableau.
///   - controller: Tolerances and step-size policy.
///   - jacobian: Where J and f_t come from (default: finite differences for both).
///   - linearSolver: How I/(γh) − J is factored (default: dense LU).
///   - saveAt: What to report (default: the final state); dense output uses the method's interpolant.
///   - stopTimes: Times the solver must step to exactly.
///   - maxSteps: The limit on trial steps (100 000).
/// - Returns: The solution, with Jacobian, factorisation and linear-solve counts in its statistics.
/// - Throws: ``SolverError`` for invalid tolerances, span or output times, a state type that cannot be
///   written, a Jacobian with NaN or of the wrong size, a singular iteration matrix that no smaller step
///   cures, step-size underflow, too many steps or a non-finite initial state; what the vector field or
///   the Jacobian closure throws.
public func solve<State: ODEState>(
    _ problem: ODEProblem<State>, using method: Rosenbrock, controller: StepSizeController,
    jacobian: JacobianSource<State> = .finiteDifferences, linearSolver: LinearSolverKind = .denseLU,
    saveAt: SaveAt = .end, stopTimes: [Double] = [], maxSteps: Int = 100_000
) throws -> ODESolution<State> {
    let span = problem.timeSpan
    let n = problem.initialState.scalarCount
    if let error = controller.validate(componentCount: n) { throw error }
    guard maxSteps >= 1 else { throw SolverError.invalidMaximumSteps(maxSteps) }
    guard span.start.isFinite && span.end.isFinite else {
        throw SolverError.invalidTimeSpan(start: span.start, end: span.end)
    }
    if let bad = problem.initialState.firstNonFiniteComponent() {
        throw SolverError.nonFiniteState(time: span.start, component: bad.index, value: bad.value)
    }
    try saveAt.validateTimes(in: span)
    let direction = span.direction
    for t in stopTimes where !((t - span.start) * direction >= 0 && (span.end - t) * direction >= 0) {
        throw SolverError.outputTimeOutsideSpan(time: t, start: span.start, end: span.end)
    }
    if case let .bandedLU(lower, upper) = linearSolver, lower < 0 || upper < 0 {
        throw SolverError.invalidControllerSetting(name: "linearSolver bandwidth", value: Double(min(lower, upper)),
                                                   reason: "bandwidths must not be negative")
    }
    var template = problem.initialState.makeCopy()
    // Fails early, with the type's name, for states that cannot be written.
    try [Double](repeating: 0, count: n).withUnsafeBufferPointer { try template.assignScalars(from: $0) }

    var stepper = RosenbrockStepper(tableau: method.tableau, f: problem.function, template: template,
                                    jacobian: jacobian, linearSolver: linearSolver)
    let q = method.tableau.errorEstimateOrder
    var t = span.start
    var y = problem.initialState.withUnsafeScalars { $0.map { Double($0) } }
    var next = y, error = y, output = y
    let startState = problem.initialState
    func state(_ x: [Double]) throws -> State {
        var result = template.makeCopy()
        try x.withUnsafeBufferPointer { try result.assignScalars(from: $0) }
        return result
    }

    var times: [Double] = [], states: [State] = [], steps: [AcceptedStep] = []
    var dense = saveAt.dense ? DenseOutput<State>(packed: method.densePacked, start: t, state: startState) : nil
    if saveAt.includesStart { times.append(t); states.append(startState) }
    let outputs = saveAt.times
    var nextOutput = 0
    while nextOutput < outputs.count && outputs[nextOutput] == t {
        times.append(t); states.append(startState); nextOutput += 1
    }
    var stops = (stopTimes.filter { $0 != span.start } + [span.end]).sorted { ($0 - $1) * direction < 0 }
    stops.removeAll { ($0 - span.start) * direction <= 0 && $0 != span.end }
    var nextStop = 0

    if t != span.end {
        try stepper.evaluateAtStart(t, y)
        if let i = stepper.derivativeAtStart.firstIndex(where: { !$0.isFinite }) {
            throw SolverError.nonFiniteDerivative(time: t, component: i, value: stepper.derivativeAtStart[i])
        }
    }
    var proposed: Double
    if let h = controller.initialStepSize {
        guard h.isFinite && h > 0 else { throw SolverError.invalidStepSize(h) }
        proposed = h
    } else if t != span.end {
        var evaluations = 0
        var scratch = y, probe = y
        let f0 = stepper.derivativeAtStart
        var bridge = stepper
        let field: VectorField<[Double]> = { time, x, dx in try bridge.evaluate(time, x, into: &dx) }
        proposed = try controller.initialStepSize(field, time: t, state: y, derivative: f0, direction: direction,
                                                  errorEstimateOrder: q, scratch: &scratch, probe: &probe,
                                                  evaluations: &evaluations)
        stepper.statistics.functionEvaluations += evaluations
    } else {
        proposed = 0
    }

    var memory = ControllerMemory()
    var jacobianIsCurrent = false
    var accepted = 0, rejected = 0
    while (t - span.end) * direction < 0 {
        if accepted + rejected >= maxSteps { throw SolverError.tooManySteps(limit: maxSteps, reachedTime: t) }
        let target = stops[nextStop]
        var h = direction * min(proposed, controller.maximumStepSize)
        var hitsStop = false
        if (t + h - target) * direction >= 0 {
            h = target - t
            hitsStop = true
        }
        if t + h == t { throw SolverError.stepSizeUnderflow(time: t, stepSize: h) }
        if !jacobianIsCurrent {
            try stepper.updateJacobian(time: t, state: y)
            jacobianIsCurrent = true
        }
        var ratio = Double.infinity
        if stepper.factorize(stepSize: h) {
            try stepper.step(time: t, stepSize: h, state: y, next: &next, error: &error)
            ratio = errorRatio(error: error, secondaryError: nil, start: y, end: next,
                               relativeTolerance: controller.relativeTolerance,
                               absoluteTolerance: controller.absoluteTolerance, norm: controller.norm)
        }
        let decision = controller.decide(errorRatio: ratio, stepSize: h, errorEstimateOrder: q, memory: &memory)
        guard decision.isAccepted else {
            rejected += 1
            if abs(h) <= controller.minimumStepSize || t + direction * decision.nextStepSize == t {
                if !ratio.isFinite && !next.allSatisfy({ $0.isFinite }) {
                    let i = next.firstIndex { !$0.isFinite } ?? 0
                    throw SolverError.nonFiniteDerivative(time: t, component: i, value: next[i])
                }
                throw SolverError.stepSizeUnderflow(time: t, stepSize: h)
            }
            proposed = decision.nextStepSize
            continue
        }
        let newTime = hitsStop ? target : t + h
        if hitsStop { nextStop += 1 }
        accepted += 1
        steps.append(AcceptedStep(time: t, stepSize: h))
        while nextOutput < outputs.count && (outputs[nextOutput] - newTime) * direction <= 0 {
            let to = outputs[nextOutput]
            if to == newTime {
                states.append(try state(next))
            } else {
                stepper.interpolate(theta: (to - t) / h, start: y, packed: method.densePacked, into: &output)
                states.append(try state(output))
            }
            times.append(to)
            nextOutput += 1
        }
        if dense != nil {
            let s = method.tableau.stageCount
            var stages: [State] = []
            stages.reserveCapacity(s)
            for j in 0..<s { stages.append(try state((0..<n).map { stepper.u[j * n + $0] / h })) }
            dense!.append(time: t, stepSize: h, start: try state(y), stages: stages, end: try state(next))
        }
        swap(&y, &next)
        t = newTime
        if saveAt.everyStep && times.last != t { times.append(t); states.append(try state(y)) }
        proposed = hitsStop ? max(decision.nextStepSize, proposed) : decision.nextStepSize
        jacobianIsCurrent = false
        if (t - span.end) * direction < 0 { try stepper.evaluateAtStart(t, y) }
    }
    var statistics = stepper.statistics
    statistics.acceptedSteps = accepted
    statistics.rejectedSteps = rejected
    let finalState = t == span.start ? startState : try state(y)
    if saveAt.includesEnd && times.last != t { times.append(t); states.append(finalState) }
    return ODESolution(times: times, states: states, statistics: statistics, steps: steps, event: nil,
                       finalTime: t, finalState: finalState, denseOutput: dense)
}
