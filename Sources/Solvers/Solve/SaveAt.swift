/// What a solve keeps. Output states come from the method's continuous extension, so many output
/// times never force extra steps; the output at the initial time is the initial state itself.
public struct SaveAt: Sendable {
    /// Times to report, in the direction of integration, inside the span.
    public var times: [Double]
    /// Also report the initial state.
    public var includesStart: Bool
    /// Also report the final state (unless the last reported time already is the end).
    public var includesEnd: Bool
    /// Also report the state after every accepted step.
    public var everyStep: Bool
    /// Keep every step's dense stages, so that the solution can be evaluated at any time afterwards.
    public var dense: Bool

    /// A save policy.
    ///
    /// - Parameters:
    ///   - times: Times to report, in the direction of integration, inside the span.
    ///   - includesStart: Whether to also report the initial state.
    ///   - includesEnd: Whether to also report the final state.
    ///   - everyStep: Whether to also report the state after every accepted step.
    ///   - dense: Whether to keep every step's dense stages, for evaluation at any time afterwards.
    public init(times: [Double] = [], includesStart: Bool = false, includesEnd: Bool = false,
                everyStep: Bool = false, dense: Bool = false) {
        self.times = times
        self.includesStart = includesStart
        self.includesEnd = includesEnd
        self.everyStep = everyStep
        self.dense = dense
    }

    /// Only the final state.
    public static let end = SaveAt(includesEnd: true)
    /// Exactly these times.
    ///
    /// - Parameter times: The times to report.
    /// - Returns: The policy.
    public static func times(_ times: [Double]) -> SaveAt { SaveAt(times: times) }
    /// The initial state and the state after every step.
    public static let everyStep = SaveAt(includesStart: true, everyStep: true)
    /// The final state plus dense output for evaluation at any time.
    public static let dense = SaveAt(includesEnd: true, dense: true)
}

extension SaveAt {
    /// Checks that the output times are finite, inside `span` and in its direction.
    ///
    /// - Parameter span: The solve's span.
    /// - Throws: `SolverError.outputTimeOutsideSpan` or `SolverError.outputTimesNotMonotone`.
    @inlinable
    public func validateTimes(in span: TimeSpan) throws {
        let direction = span.direction
        for (i, t) in times.enumerated() {
            guard t.isFinite && (t - span.start) * direction >= 0 && (span.end - t) * direction >= 0 else {
                throw SolverError.outputTimeOutsideSpan(time: t, start: span.start, end: span.end)
            }
            if i > 0 && (t - times[i - 1]) * direction < 0 {
                throw SolverError.outputTimesNotMonotone(index: i, previous: times[i - 1], time: t)
            }
        }
    }
}
