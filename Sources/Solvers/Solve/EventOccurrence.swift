/// A located event: when, where, which of the solve's events, and the state after its jump, if any.
public struct EventOccurrence<State: ODEState> {
    /// The located crossing time.
    public var time: Double
    /// The state there (from the dense output), before any jump.
    public var state: State
    /// The position of the event in the solve's `events` (0 for a solve's single `event`).
    public var index: Int
    /// The state the solve went on from, for a `.jump` event; nil otherwise.
    public var stateAfterJump: State?

    /// An occurrence.
    ///
    /// - Parameters:
    ///   - time: The crossing time.
    ///   - state: The state there.
    ///   - index: Which of the solve's events crossed.
    ///   - stateAfterJump: The state after the event's jump, if it has one.
    @inlinable public init(time: Double, state: State, index: Int = 0, stateAfterJump: State? = nil) {
        self.time = time
        self.state = state
        self.index = index
        self.stateAfterJump = stateAfterJump
    }
}
