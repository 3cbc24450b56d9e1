/// Counts of a solve's work.
public struct SolverStatistics: Sendable, Equatable, CustomStringConvertible {
    /// Vector-field evaluations (including the initial-step selection and dense-output stages).
    public var functionEvaluations = 0
    /// Accepted steps.
    public var acceptedSteps = 0
    /// Rejected trial steps.
    public var rejectedSteps = 0
    /// Jacobian evaluations (stiff methods; each finite-difference Jacobian also counts its evaluations of f
    /// in `functionEvaluations`).
    public var jacobianEvaluations = 0
    /// LU factorisations of the iteration matrix I/(γh) − J (stiff methods).
    public var factorizations = 0
    /// Solves with a factorised iteration matrix (stiff methods).
    public var linearSolves = 0
    /// Zero counts.
    public init() {}
    /// "nfe 2485, accepted 329, rejected 85", then "jacobians 40, factorizations 52, linear solves 312" when
    /// a stiff method did linear algebra.
    public var description: String {
        let base = "nfe \(functionEvaluations), accepted \(acceptedSteps), rejected \(rejectedSteps)"
        guard jacobianEvaluations + factorizations + linearSolves > 0 else { return base }
        return base + ", jacobians \(jacobianEvaluations), factorizations \(factorizations), "
            + "linear solves \(linearSolves)"
    }
}
