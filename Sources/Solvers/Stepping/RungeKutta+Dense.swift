import Requirements

extension RungeKuttaMethod {
    /// Computes what the continuous extension needs beyond the step's stages (f(t₁, y₁) when it is not
    /// the last stage, and any extra stages) for the step last taken from (`time`, `start`) to `end`.
    /// Does nothing if they are current.
    ///
    /// - Parameters:
    ///   - f: The vector field.
    ///   - time: The step's start.
    ///   - h: The step's size.
    ///   - y0: The state at the step's start.
    ///   - y1: The state at the step's end.
    ///   - workspace: The workspace of the step, whose dense stages it completes.
    /// - Throws: What `f` throws.
    @inlinable
    public func prepareDenseOutput<State: ODEState>(_ f: VectorField<State>, time: Double, stepSize h: Double,
                                                    start y0: State, end y1: State,
                                                    workspace: inout RungeKuttaWorkspace<State>) throws {
        if workspace.denseStagesAreCurrent { return }
        let p = workspace.packed
        let s = p.stageCount
        let d = p.denseStageCount
        var k: [State] = []
        swap(&k, &workspace.stages)
        defer { swap(&k, &workspace.stages) }
        if p.endpointStageIndex >= s {
            try f(time + h, y1, &k[p.endpointStageIndex])
            workspace.evaluationCount += 1
        }
        if p.firstExtraStage < d {
            let c = workspace.uniqueCoefficients()
            let base: State? = y0
            for i in p.firstExtraStage..<d {
                for j in 0..<i { c[j] = h * p.a[i * d + j] }
                k.withUnsafeBufferPointer { kp in
                    workspace.stageInput.setLinearCombination(
                        base: base, coefficients: UnsafeBufferPointer(start: c, count: i),
                        terms: UnsafeBufferPointer(start: kp.baseAddress, count: i))
                }
                try f(time + p.c[i] * h, workspace.stageInput, &k[i])
                workspace.evaluationCount += 1
            }
        }
        workspace.denseStagesAreCurrent = true
    }

    /// Writes the continuous extension's value at `target` (inside the step from `time` of size `stepSize`
    /// that started at `y0`) into `output`. Precondition: `prepareDenseOutput` ran for this step.
    ///
    /// - Parameters:
    ///   - target: A time within the step.
    ///   - time: The step's start.
    ///   - h: The step's size.
    ///   - y0: The state at the step's start.
    ///   - workspace: The workspace holding the step's dense stages.
    ///   - output: Receives the state at `target`.
    @inlinable
    public func interpolate<State: ODEState>(at target: Double, time: Double, stepSize h: Double, start y0: State,
                                             workspace: RungeKuttaWorkspace<State>, into output: inout State) {
        require(workspace.denseStagesAreCurrent, "interpolate: call prepareDenseOutput for this step first")
        let p = workspace.packed
        let d = p.denseStageCount
        let theta = (target - time) / h
        withUnsafeTemporaryAllocation(of: Double.self, capacity: d) { buffer in
            p.denseWeights(at: theta, scale: h, into: buffer.baseAddress!)
            workspace.stages.withUnsafeBufferPointer { kp in
                output.setLinearCombination(base: y0, coefficients: UnsafeBufferPointer(buffer),
                                            terms: UnsafeBufferPointer(start: kp.baseAddress, count: d))
            }
        }
    }
}
