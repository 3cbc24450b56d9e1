import Requirements

extension Integrator {
    /// Takes one accepted step (retrying rejected trial steps). Returns `false`, doing nothing, once the
    /// end is reached.
    ///
    /// - Returns: Whether a step was taken.
    /// - Throws: ``SolverError`` when the step size underflows, the steps run out or a state is not finite; what
    ///   the vector field throws.
    @inlinable
    public mutating func step() throws -> Bool {
        if needsAdvance {
            workspace.advance()
            needsAdvance = false
        }
        if isFinished { return false }
        if isAdaptive { return try adaptiveStep() }
        if case .fixed(let count) = stepping {
            let span = problem.timeSpan
            let k = fixedIndex + 1
            let target = k == count ? span.end : span.start + Double(k) * (span.end - span.start) / Double(count)
            let h = target - _time
            try method.step(problem.function, time: _time, stepSize: h, state: _state, into: &candidate,
                            workspace: &workspace)
            if let bad = candidate.firstNonFiniteComponent() {
                throw SolverError.nonFiniteState(time: target, component: bad.index, value: bad.value)
            }
            fixedIndex = k
            accept(stepSize: h, newTime: target)
        }
        return true
    }

    @inlinable
    mutating func adaptiveStep() throws -> Bool {
        let direction = problem.timeSpan.direction
        let q = errorEstimateOrder
        while true {
            if counts.acceptedSteps + counts.rejectedSteps >= maxSteps {
                if let bad = nonFiniteTrial {
                    throw SolverError.nonFiniteDerivative(time: bad.time, component: bad.component, value: bad.value)
                }
                throw SolverError.tooManySteps(limit: maxSteps, reachedTime: _time, stiffness: lastStiffness)
            }
            let target = stopTimes[nextStop]
            var h = direction * _proposedStepSize
            var hitsStop = false
            if (_time + h - target) * direction >= 0 && !(stepsPastEnd && nextStop == stopTimes.count - 1) {
                h = target - _time
                hitsStop = true
            }
            if _time + h == _time {
                if let bad = nonFiniteTrial {
                    throw SolverError.nonFiniteDerivative(time: bad.time, component: bad.component, value: bad.value)
                }
                throw SolverError.stepSizeUnderflow(time: _time, stepSize: h)
            }
            try method.step(problem.function, time: _time, stepSize: h, state: _state, into: &candidate,
                            workspace: &workspace)
            // Hairer's stiffness estimate, from the last trial step before the limit (one comparison per step).
            if counts.acceptedSteps + counts.rejectedSteps == maxSteps - 1 { lastStiffness = stiffnessDiagnosis(stepSize: h) }
            let ratio = trialErrorRatio()
            if ratio == .infinity { noteNonFiniteTrial(stepSize: h) } else { nonFiniteTrial = nil }
            let decision = controller.decide(errorRatio: ratio, stepSize: h, errorEstimateOrder: q, memory: &memory)
            if decision.isAccepted {
                if hitsStop { nextStop += 1 }
                accept(stepSize: h, newTime: hitsStop ? target : _time + h)
                // A step clipped to a stop _time says little about the next one: keep the larger proposal.
                _proposedStepSize = hitsStop ? max(decision.nextStepSize, _proposedStepSize) : decision.nextStepSize
                _proposedStepSize = min(_proposedStepSize, controller.maximumStepSize)
                return true
            }
            counts.rejectedSteps += 1
            if abs(h) <= controller.minimumStepSize {
                if let bad = nonFiniteTrial {
                    throw SolverError.nonFiniteDerivative(time: bad.time, component: bad.component, value: bad.value)
                }
                throw SolverError.stepSizeUnderflow(time: _time, stepSize: h)
            }
            _proposedStepSize = decision.nextStepSize
        }
    }

    /// Remembers where the rejected trial step of size `h` first met a non-finite value: the first stage
    /// whose derivative is NaN or infinite (at t + c_i·h), else the candidate state (at t + h). Runs only on
    /// that failure path; the error thrown if the step size runs out names it.
    @inlinable
    mutating func noteNonFiniteTrial(stepSize h: Double) {
        let nodes = method.tableau.nodes
        for i in 0..<Swift.min(nodes.count, workspace.stages.count) {
            if let bad = workspace.stages[i].firstNonFiniteComponent() {
                nonFiniteTrial = (_time + nodes[i] * h, bad.index, bad.value)
                return
            }
        }
        if let bad = candidate.firstNonFiniteComponent() { nonFiniteTrial = (_time + h, bad.index, bad.value) }
    }

    /// The error ratio of the trial step from `_state` to `candidate` (see `errorRatio`), reading the
    /// workspace's estimates in place.
    @inlinable
    func trialErrorRatio() -> Double {
        guard candidate.allComponentsAreFinite else { return .infinity }
        let hasSecondary = workspace.packed.e2 != nil
        if let tolerances = scalarTolerances {
            let r = tolerances.relative, a = tolerances.absolute
            let norm = controller.norm
            let e1 = norm.scaledNorm(of: workspace.error, start: _state, end: candidate, relativeTolerance: r,
                                     absoluteTolerance: a)
            guard hasSecondary else { return e1.isFinite ? e1 : .infinity }
            let e3 = norm.scaledNorm(of: workspace.secondaryError, start: _state, end: candidate, relativeTolerance: r,
                                     absoluteTolerance: a)
            return combinedErrorRatio(e1, e3)
        }
        return errorRatio(error: workspace.error, secondaryError: hasSecondary ? workspace.secondaryError : nil,
                          start: _state, end: candidate, relativeTolerance: controller.relativeTolerance,
                          absoluteTolerance: controller.absoluteTolerance, norm: controller.norm)
    }

    @inlinable
    mutating func accept(stepSize h: Double, newTime: Double) {
        _previousTime = _time
        _lastStepSize = h
        _time = newTime
        swap(&_previousState, &_state)
        swap(&_state, &candidate)
        counts.acceptedSteps += 1
        needsAdvance = true
    }

    /// The continuous extension of the last step at `target` (between `previousTime` and `time`).
    /// At either end it returns the stored state exactly. May evaluate the vector field (extra stages).
    ///
    /// - Parameter target: A time within the last step.
    /// - Returns: The state at `target`.
    /// - Throws: What the vector field throws.
    @inlinable
    public mutating func state(at target: Double) throws -> State {
        if target == _time { return _state }
        if target == _previousTime { return _previousState }
        try prepareDenseOutput()
        var output = _previousState
        method.interpolate(at: target, time: _previousTime, stepSize: _lastStepSize, start: _previousState,
                           workspace: workspace, into: &output)
        return output
    }

    /// Computes the last step's dense stages (if not done yet).
    ///
    /// - Throws: What the vector field throws.
    @inlinable
    public mutating func prepareDenseOutput() throws {
        require(needsAdvance, "prepareDenseOutput: no step has been taken since the last advance")
        try method.prepareDenseOutput(problem.function, time: _previousTime, stepSize: _lastStepSize,
                                      start: _previousState, end: _state, workspace: &workspace)
    }

    /// The last step's dense stages (after `prepareDenseOutput()`), to store for later evaluation.
    @inlinable
    public var denseStages: [State] {
        Array(workspace.stages[0..<workspace.packed.denseStageCount])
    }
}
