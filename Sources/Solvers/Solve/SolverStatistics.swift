/// Counts of a solve's work.
public struct SolverStatistics: Sendable, Equatable, CustomStringConvertible {
    /// Vector-field evaluations (including the initial-step selection and dense-output stages).
    public var functionEvaluations = 0
    /// Accepted steps.
    public var acceptedSteps = 0
    /// Rejected trial steps.
    public var rejectedSteps = 0
    /// Zero counts.
    public init() {}
    /// "nfe 2485, accepted 329, rejected 85".
    public var description: String {
        "nfe \(functionEvaluations), accepted \(acceptedSteps), rejected \(rejectedSteps)"
    }
}
