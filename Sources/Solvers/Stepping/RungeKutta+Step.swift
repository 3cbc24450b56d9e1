extension RungeKuttaMethod {
    /// Takes one Runge–Kutta step of size `stepSize` (negative integrates backwards) from
    /// (`time`, `state`) and writes the new state into `next`; the error estimate h Σ e_i k_i goes to
    /// `workspace.errorEstimate`. Never mutates `state`.
    ///
    /// Every state it produces comes from `setLinearCombination`, so the step can be recorded on a tape.
    /// After accepting the step, call `workspace.advance()` before stepping from `next` (this carries
    /// the FSAL derivative); to step from any other state, call `workspace.invalidateFirstStage()`.
    ///
    /// - Parameters:
    ///   - f: The vector field.
    ///   - time: The step's start.
    ///   - h: The step's size; negative integrates backwards.
    ///   - y: The state at `time`.
    ///   - next: Receives the state at `time + h`.
    ///   - workspace: Stage buffers for this method and state shape; receives the stages and error estimate.
    /// - Throws: What `f` throws.
    @inlinable @inline(never)
    public func step<State: ODEState>(_ f: VectorField<State>, time: Double, stepSize h: Double, state y: State,
                                      into next: inout State, workspace: inout RungeKuttaWorkspace<State>) throws {
        try workspace.ensureFirstStage(f, time: time, state: y)
        workspace.denseStagesAreCurrent = false
        let p = workspace.packed
        let s = p.stageCount
        let d = p.denseStageCount
        // The stages move into a local for the step (a swap: no copy, no reference counting), so that
        // their buffer can be lent out while the workspace's other buffers are written.
        var k: [State] = []
        swap(&k, &workspace.stages)
        defer { swap(&k, &workspace.stages) }
        // Wrapped once: an Optional made per call costs a retain and a release of y's storage each time.
        let base: State? = y
        let c = workspace.uniqueCoefficients()
        var i = 1
        while i < s {
            for j in 0..<i { c[j] = h * p.a[i * d + j] }
            k.withUnsafeBufferPointer { kp in
                workspace.stageInput.setLinearCombination(
                    base: base, coefficients: UnsafeBufferPointer(start: c, count: i),
                    terms: UnsafeBufferPointer(start: kp.baseAddress, count: i))
            }
            try f(time + p.c[i] * h, workspace.stageInput, &k[i])
            workspace.evaluationCount += 1
            i += 1
        }
        let coefficients = UnsafeBufferPointer(start: c, count: s)
        k.withUnsafeBufferPointer { kp in
            let terms = UnsafeBufferPointer(start: kp.baseAddress, count: s)
            for j in 0..<s { c[j] = h * p.b[j] }
            next.setLinearCombination(base: base, coefficients: coefficients, terms: terms)
            if let e = p.e {
                for j in 0..<s { c[j] = h * e[j] }
                workspace.error.setLinearCombination(base: nil, coefficients: coefficients, terms: terms)
            }
            if let e = p.e2 {
                for j in 0..<s { c[j] = h * e[j] }
                workspace.secondaryError.setLinearCombination(base: nil, coefficients: coefficients, terms: terms)
            }
        }
    }

    /// One step that returns its results (allocates; for callers outside the solve loop, such as a
    /// gradient mode replaying stored steps). `freshStart` forgets any carried FSAL derivative first.
    ///
    /// - Parameters:
    ///   - f: The vector field.
    ///   - time: The step's start.
    ///   - stepSize: The step's size; negative integrates backwards.
    ///   - state: The state at `time`.
    ///   - workspace: Stage buffers for this method and state shape.
    ///   - freshStart: Whether to evaluate f(time, state) afresh rather than reuse a carried first stage.
    /// - Returns: The state at `time + stepSize` and, for an embedded pair, the error estimate.
    /// - Throws: What `f` throws.
    @inlinable
    public func step<State: ODEState>(_ f: VectorField<State>, time: Double, stepSize: Double, state: State,
                                      workspace: inout RungeKuttaWorkspace<State>,
                                      freshStart: Bool = true) throws -> (next: State, errorEstimate: State?) {
        if freshStart { workspace.invalidateFirstStage() }
        var next = state.makeCopy()
        try step(f, time: time, stepSize: stepSize, state: state, into: &next, workspace: &workspace)
        return (next, tableau.isAdaptive ? workspace.errorEstimate : nil)
    }
}
