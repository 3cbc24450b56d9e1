/// The adaptive loop of every stiff method: validation, stop times, the error test with the controller,
/// outputs from the dense output, and the solution with its counts. The method's stepper does the rest.
@usableFromInline
func solveStiff<State: ODEState, Stepper: StiffStepper>(
    _ problem: ODEProblem<State>, controller: StepSizeController, jacobian: JacobianSource<State>,
    linearSolver: LinearSolverKind, saveAt: SaveAt, stopTimes: [Double], maxSteps: Int, fixedStepCount: Int? = nil,
    makeStepper: (StiffSystem<State>) -> Stepper
) throws -> ODESolution<State> where Stepper.State == State {
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
    // Fails early, naming the type, for states that cannot be written.
    try [Double](repeating: 0, count: n).withUnsafeBufferPointer { try template.assignScalars(from: $0) }
    var stepper = makeStepper(StiffSystem(f: problem.function, template: template, jacobian: jacobian,
                                          linearSolver: linearSolver))
    let q = stepper.errorEstimateOrder
    let packed = stepper.densePacked
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
    var dense = saveAt.dense ? DenseOutput<State>(packed: packed, start: t, state: startState) : nil
    if saveAt.includesStart { times.append(t); states.append(startState) }
    let outputs = saveAt.times
    var nextOutput = 0
    while nextOutput < outputs.count && outputs[nextOutput] == t {
        times.append(t); states.append(startState); nextOutput += 1
    }
    let stops = (stopTimes.filter { $0 != span.start } + [span.end]).sorted { ($0 - $1) * direction < 0 }
    var nextStop = 0

    if let count = fixedStepCount, count < 1 { throw SolverError.invalidStepSize(Double(count)) }
    var proposed = 0.0
    if t != span.end {
        try stepper.system.evaluateAtStart(t, y)
        let f0 = stepper.system.derivativeAtStart
        if let i = f0.firstIndex(where: { !$0.isFinite }) {
            throw SolverError.nonFiniteDerivative(time: t, component: i, value: f0[i])
        }
        if fixedStepCount != nil {
            proposed = 0
        } else if let h = controller.initialStepSize {
            guard h.isFinite && h > 0 else { throw SolverError.invalidStepSize(h) }
            proposed = h
        } else {
            var evaluations = 0
            var scratch = y, probe = y
            var bridge = stepper.system
            let field: VectorField<[Double]> = { time, x, dx in try bridge.evaluate(time, x, into: &dx) }
            proposed = try controller.initialStepSize(field, time: t, state: y, derivative: f0, direction: direction,
                                                      errorEstimateOrder: q, scratch: &scratch, probe: &probe,
                                                      evaluations: &evaluations)
            stepper.system.statistics.functionEvaluations += evaluations
        }
    }

    var memory = ControllerMemory()
    var accepted = 0, rejected = 0
    while (t - span.end) * direction < 0 {
        if accepted + rejected >= maxSteps { throw SolverError.tooManySteps(limit: maxSteps, reachedTime: t) }
        var target = stops[nextStop]
        var h = direction * min(proposed, controller.maximumStepSize)
        var hitsStop = false
        if let count = fixedStepCount {
            // The grid t_k = t₀ + k·(t₁ − t₀)/count, never a running sum of h.
            let k = accepted + 1
            target = k == count ? span.end : span.start + Double(k) * (span.end - span.start) / Double(count)
            h = target - t
            hitsStop = true
        } else if (t + h - target) * direction >= 0 {
            h = target - t
            hitsStop = true
        }
        if t + h == t { throw SolverError.stepSizeUnderflow(time: t, stepSize: h) }
        var ratio = Double.infinity
        let completed = try stepper.attempt(time: t, stepSize: h, state: y, next: &next, error: &error,
                                            controller: controller)
        if completed {
            ratio = errorRatio(error: error, secondaryError: nil, start: y, end: next,
                               relativeTolerance: controller.relativeTolerance,
                               absoluteTolerance: controller.absoluteTolerance, norm: controller.norm)
        }
        if fixedStepCount != nil {
            guard completed else { throw SolverError.implicitStageFailed(time: t, stepSize: h) }
            if let i = next.firstIndex(where: { !$0.isFinite }) {
                throw SolverError.nonFiniteState(time: t + h, component: i, value: next[i])
            }
            ratio = 0
        }
        let decision = fixedStepCount != nil ? StepDecision(isAccepted: true, nextStepSize: abs(h))
            : controller.decide(errorRatio: ratio, stepSize: h, errorEstimateOrder: q, memory: &memory)
        guard decision.isAccepted else {
            rejected += 1
            stepper.reject()
            if abs(h) <= controller.minimumStepSize || t + direction * decision.nextStepSize == t {
                if !completed { throw SolverError.implicitStageFailed(time: t, stepSize: h) }
                if let i = next.firstIndex(where: { !$0.isFinite }) {
                    throw SolverError.nonFiniteDerivative(time: t, component: i, value: next[i])
                }
                throw SolverError.stepSizeUnderflow(time: t, stepSize: h)
            }
            // A failed iteration says nothing about the error: shrink by 4 (Hairer's RADAU5 halves; SciML quarters).
            proposed = completed ? decision.nextStepSize : abs(h) / 4
            continue
        }
        let newTime = hitsStop ? target : t + h
        if hitsStop && fixedStepCount == nil { nextStop += 1 }
        accepted += 1
        steps.append(AcceptedStep(time: t, stepSize: h))
        var vectors: [[Double]]? = nil
        while nextOutput < outputs.count && (outputs[nextOutput] - newTime) * direction <= 0 {
            let to = outputs[nextOutput]
            if to == newTime {
                states.append(try state(next))
            } else {
                if vectors == nil { vectors = stepper.denseVectors(start: y, end: next, stepSize: h) }
                interpolate(packed, theta: (to - t) / h, stepSize: h, start: y, vectors: vectors!, into: &output)
                states.append(try state(output))
            }
            times.append(to)
            nextOutput += 1
        }
        if dense != nil {
            let stages = try (vectors ?? stepper.denseVectors(start: y, end: next, stepSize: h)).map(state)
            dense!.append(time: t, stepSize: h, start: try state(y), stages: stages, end: try state(next))
        }
        swap(&y, &next)
        t = newTime
        if saveAt.everyStep && times.last != t { times.append(t); states.append(try state(y)) }
        proposed = hitsStop ? max(decision.nextStepSize, proposed) : decision.nextStepSize
        try stepper.accept(time: t, state: y, isLast: (t - span.end) * direction >= 0)
    }
    var statistics = stepper.system.statistics
    statistics.acceptedSteps = accepted
    statistics.rejectedSteps = rejected
    let finalState = t == span.start ? startState : try state(y)
    if saveAt.includesEnd && times.last != t { times.append(t); states.append(finalState) }
    return ODESolution(times: times, states: states, statistics: statistics, steps: steps, event: nil,
                       finalTime: t, finalState: finalState, denseOutput: dense)
}

/// y(t + θh) = y₀ + h Σ wᵢ(θ) Kᵢ into `out`.
@usableFromInline
func interpolate(_ packed: PackedTableau, theta: Double, stepSize h: Double, start y: [Double], vectors: [[Double]],
                 into out: inout [Double]) {
    let count = vectors.count
    withUnsafeTemporaryAllocation(of: Double.self, capacity: max(8, (count + 7) / 8 * 8)) { w in
        packed.denseWeights(at: theta, scale: h, into: w.baseAddress!)
        for k in out.indices { out[k] = y[k] }
        for j in 0..<count where w[j] != 0 {
            let wj = w[j]
            vectors[j].withUnsafeBufferPointer { v in for k in out.indices { out[k] += wj * v[k] } }
        }
    }
}
