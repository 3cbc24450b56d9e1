/// Where a terminal event stopped the solve.
public struct EventOccurrence<State: ODEState> {
    /// The located crossing time.
    public var time: Double
    /// The state there (from the dense output).
    public var state: State
    /// An occurrence.
    ///
    /// - Parameters:
    ///   - time: The crossing time.
    ///   - state: The state there.
    @inlinable public init(time: Double, state: State) {
        self.time = time
        self.state = state
    }
}
