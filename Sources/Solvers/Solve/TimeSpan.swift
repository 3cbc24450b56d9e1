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

extension TimeSpan {
    /// The number of equal steps of at most |`stepSize`| that cover the span: ⌈|end − start| / |stepSize|⌉, at
    /// least 1 (a step a hair longer than the span's fraction, within 1e-12 relative, still counts as one).
    ///
    /// - Parameters:
    ///   - stepSize: the largest step; finite and non-zero (its sign is ignored).
    ///   - limit: the largest count accepted (2⁵³ by default: beyond it counts are not even representable exactly).
    /// - Returns: the step count.
    /// - Throws: `SolverError.invalidTimeSpan` for a non-finite end, `SolverError.invalidStepSize` for a zero or
    ///   non-finite step, `SolverError.invalidMaximumSteps` for a limit below 1, `SolverError.tooManyFixedSteps`
    ///   when the count exceeds `limit`.
    public func fixedStepCount(stepSize: Double, limit: Int = 1 << 53) throws -> Int {
        guard start.isFinite && end.isFinite else { throw SolverError.invalidTimeSpan(start: start, end: end) }
        guard stepSize.isFinite && stepSize != 0 else { throw SolverError.invalidStepSize(stepSize) }
        guard limit >= 1 else { throw SolverError.invalidMaximumSteps(limit) }
        let required = (abs(end - start) / abs(stepSize) * (1 - 1e-12)).rounded(.up)
        guard required <= Double(limit) else {
            throw SolverError.tooManyFixedSteps(required: required, limit: limit, stepSize: stepSize)
        }
        return Swift.max(1, Int(required))
    }
}
