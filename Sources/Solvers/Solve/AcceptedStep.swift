/// One accepted step: it started at `time` with signed size `stepSize`.
public struct AcceptedStep: Sendable, Equatable {
    /// The start of the step.
    public var time: Double
    /// The signed step size (negative backwards).
    public var stepSize: Double
    /// A record.
    ///
    /// - Parameters:
    ///   - time: The step's start.
    ///   - stepSize: The step's signed size.
    @inlinable public init(time: Double, stepSize: Double) {
        self.time = time
        self.stepSize = stepSize
    }
}
