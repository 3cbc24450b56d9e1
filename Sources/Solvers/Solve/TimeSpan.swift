/// The interval of integration; `end < start` integrates backwards in time.
public struct TimeSpan: Sendable, Equatable {
    /// The initial time t₀.
    public var start: Double
    /// The final time t₁.
    public var end: Double
    /// A span from `start` to `end`.
    ///
    /// - Parameters:
    ///   - start: t₀, finite.
    ///   - end: t₁, finite; before `start` for a backward solve.
    public init(start: Double, end: Double) {
        self.start = start
        self.end = end
    }
    /// +1 forwards, −1 backwards.
    @inlinable public var direction: Double { end >= start ? 1 : -1 }
}
