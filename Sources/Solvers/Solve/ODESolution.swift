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
    /// The event that stopped the solve, if any: a terminal event, or the one that reached `maximumEvents`.
    public var event: EventOccurrence<State>?
    /// Every event located, in order of time (terminal or not; `event` is the last when it is set).
    public var events: [EventOccurrence<State>]
    /// The time the solve reached (the end of the span, or the event time).
    public var finalTime: Double
    /// The state at `finalTime`.
    public var finalState: State
    /// The dense output, when saved with `SaveAt(dense: true)`.
    public var denseOutput: DenseOutput<State>?

    @usableFromInline
    init(times: [Double], states: [State], statistics: SolverStatistics, steps: [AcceptedStep],
         event: EventOccurrence<State>?, finalTime: Double, finalState: State, denseOutput: DenseOutput<State>?,
         events: [EventOccurrence<State>] = []) {
        self.events = events
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
    /// ``SolverError/denseOutputNotSaved`` unless the solve used `SaveAt(dense: true)`.
    ///
    /// - Parameter time: A time within the solved interval.
    /// - Returns: The state at `time`.
    /// - Throws: ``SolverError/denseOutputNotSaved`` without dense output; `SolverError.evaluationTimeOutsideSolution`
    ///   outside the solved interval.
    @inlinable
    public func state(at time: Double) throws -> State {
        guard let denseOutput else { throw SolverError.denseOutputNotSaved }
        return try denseOutput.state(at: time)
    }
}
