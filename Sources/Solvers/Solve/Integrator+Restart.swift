extension Integrator {
    /// Goes on from `state` at `time` — a point inside the last accepted step, such as an event where the state
    /// jumps — discarding the rest of that step: the next step starts there with a fresh first stage (FSAL
    /// invalidated), a fresh controller memory and, for adaptive steps, a fresh initial step size (the
    /// controller's `initialStepSize`, or the same estimate as at the start of a solve); fixed steps go on to
    /// the next point of their grid.
    ///
    /// - Parameters:
    ///   - time: Where to go on from, between the last step's start and end.
    ///   - state: The state there.
    /// - Throws: `SolverError.nonFiniteState` for a state with NaN or an infinity; `nonFiniteDerivative` when
    ///   the field is not finite there; what the vector field throws.
    @inlinable
    public mutating func restart(at time: Double, state: State) throws {
        if let bad = state.firstNonFiniteComponent() {
            throw SolverError.nonFiniteState(time: time, component: bad.index, value: bad.value)
        }
        let span = problem.timeSpan, direction = span.direction
        _time = time
        _previousTime = time
        _state = state.makeCopy()
        _previousState = state.makeCopy()
        _lastStepSize = 0
        needsAdvance = false
        workspace.invalidateStages()
        memory = ControllerMemory()
        switch stepping {
        case .fixed(let count):
            func grid(_ k: Int) -> Double {
                k == count ? span.end : span.start + Double(k) * (span.end - span.start) / Double(count)
            }
            var k = max(0, min(count, Int(((time - span.start) / (span.end - span.start) * Double(count)).rounded(.down))))
            while k < count && (grid(k + 1) - time) * direction <= 0 { k += 1 }
            while k > 0 && (grid(k) - time) * direction > 0 { k -= 1 }
            fixedIndex = k
        case .adaptive(let controller, let q):
            nextStop = stopTimes.firstIndex { ($0 - time) * direction > 0 } ?? stopTimes.count - 1
            if isFinished { return }
            try workspace.ensureFirstStage(problem.function, time: time, state: _state)
            if let bad = workspace.stages[0].firstNonFiniteComponent() {
                throw SolverError.nonFiniteDerivative(time: time, component: bad.index, value: bad.value)
            }
            if let h = controller.initialStepSize {
                _proposedStepSize = h
            } else {
                var evaluations = 0
                _proposedStepSize = try controller.initialStepSize(
                    problem.function, time: time, state: _state, derivative: workspace.stages[0],
                    direction: direction, errorEstimateOrder: q, scratch: &candidate, probe: &workspace.stageInput,
                    evaluations: &evaluations)
                extraEvaluations += evaluations
            }
        }
    }
}
