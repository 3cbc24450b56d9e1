/// A solve's continuous solution: every accepted step's start state and dense stages.
public struct DenseOutput<State: ODEState> {
    @usableFromInline let packed: PackedTableau
    @usableFromInline var starts: [Double]
    @usableFromInline var stepSizes: [Double]
    @usableFromInline var initialStates: [State]
    @usableFromInline var stageSets: [[State]]
    @usableFromInline var endTime: Double
    @usableFromInline var endState: State

    @inlinable
    init(tableau: ButcherTableau, start: Double, state: State) {
        self.init(packed: tableau.packed, start: start, state: state)
    }

    /// An empty dense output whose steps interpolate with `packed`'s weight polynomials.
    @inlinable
    init(packed: PackedTableau, start: Double, state: State) {
        self.packed = packed
        starts = []
        stepSizes = []
        initialStates = []
        stageSets = []
        endTime = start
        endState = state
    }

    @inlinable
    mutating func append(time: Double, stepSize: Double, start: State, stages: [State], end: State) {
        starts.append(time)
        stepSizes.append(stepSize)
        initialStates.append(start)
        stageSets.append(stages)
        endTime = time + stepSize
        endState = end
    }

    /// Ends the dense output at `time` inside its last step (a terminal event), with `state` there: later
    /// evaluations beyond it are errors, not extrapolations of that step.
    @inlinable
    mutating func truncate(at time: Double, state: State) {
        endTime = time
        endState = state
    }


    /// The solution at `time`; exact stored states at step boundaries.
    ///
    /// - Parameter time: A time within the solved interval.
    /// - Returns: The state at `time`.
    /// - Throws: `SolverError.evaluationTimeOutsideSolution` when `time` lies outside the solved interval.
    @inlinable
    public func state(at time: Double) throws -> State {
        guard let first = starts.first, let h0 = stepSizes.first else { return endState }
        let direction: Double = h0 >= 0 ? 1 : -1
        let last = starts.count - 1
        let end = endTime
        guard (time - first) * direction >= 0 && (end - time) * direction >= 0 else {
            throw SolverError.evaluationTimeOutsideSolution(time: time, start: first, end: end)
        }
        if time == end { return endState }
        // Binary search for the last step starting at or before `time`.
        var low = 0
        var high = last
        while low < high {
            let mid = (low + high + 1) / 2
            if (starts[mid] - time) * direction <= 0 { low = mid } else { high = mid - 1 }
        }
        if time == starts[low] { return initialStates[low] }
        var output = initialStates[low]
        interpolate(index: low, time: time, into: &output)
        return output
    }

    @inlinable
    func interpolate(index: Int, time: Double, into output: inout State) {
        let p = packed
        let stages = stageSets[index]
        let h = stepSizes[index]
        withUnsafeTemporaryAllocation(of: Double.self, capacity: p.denseStageCount) { buffer in
            p.denseWeights(at: (time - starts[index]) / h, scale: h, into: buffer.baseAddress!)
            stages.withUnsafeBufferPointer { k in
                output.setLinearCombination(base: initialStates[index], coefficients: UnsafeBufferPointer(buffer),
                                            terms: k)
            }
        }
    }
}
