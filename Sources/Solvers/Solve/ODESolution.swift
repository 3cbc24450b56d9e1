/// One accepted step: it started at `time` with signed size `stepSize`.
public struct AcceptedStep: Sendable, Equatable {
    /// The start of the step.
    public var time: Double
    /// The signed step size (negative backwards).
    public var stepSize: Double
    /// A record.
    @inlinable public init(time: Double, stepSize: Double) {
        self.time = time
        self.stepSize = stepSize
    }
}

/// Where a terminal event stopped the solve.
public struct EventOccurrence<State: ODEState> {
    /// The located crossing time.
    public var time: Double
    /// The state there (from the dense output).
    public var state: State
    /// An occurrence.
    @inlinable public init(time: Double, state: State) {
        self.time = time
        self.state = state
    }
}

/// The result of a solve.
public struct ODESolution<State: ODEState> {
    /// The reported times, in the order of integration.
    public var times: [Double]
    /// The states at `times`.
    public var states: [State]
    /// Work counts.
    public var statistics: SolverStatistics
    /// Every accepted step (start, signed size), for replaying the solve step by step.
    public var steps: [AcceptedStep]
    /// The terminal event that stopped the solve, if any.
    public var event: EventOccurrence<State>?
    /// The time the solve reached (the end of the span, or the event time).
    public var finalTime: Double
    /// The state at `finalTime`.
    public var finalState: State
    /// The dense output, when saved with `SaveAt(dense: true)`.
    public var denseOutput: DenseOutput<State>?

    @usableFromInline
    init(times: [Double], states: [State], statistics: SolverStatistics, steps: [AcceptedStep],
         event: EventOccurrence<State>?, finalTime: Double, finalState: State, denseOutput: DenseOutput<State>?) {
        self.times = times
        self.states = states
        self.statistics = statistics
        self.steps = steps
        self.event = event
        self.finalTime = finalTime
        self.finalState = finalState
        self.denseOutput = denseOutput
    }

    /// Evaluates the dense output at `time` (within the solved interval). Throws
    /// `SolverError.denseOutputNotSaved` unless the solve used `SaveAt(dense: true)`.
    @inlinable
    public func state(at time: Double) throws -> State {
        guard let denseOutput else { throw SolverError.denseOutputNotSaved }
        return try denseOutput.state(at: time)
    }
}

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
        self.packed = tableau.packed
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

    /// The solution at `time`; exact stored states at step boundaries.
    @inlinable
    public func state(at time: Double) throws -> State {
        guard let first = starts.first, let h0 = stepSizes.first else { return endState }
        let direction: Double = h0 >= 0 ? 1 : -1
        let last = starts.count - 1
        let end = starts[last] + stepSizes[last]
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
