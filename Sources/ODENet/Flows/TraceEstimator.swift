import Autodiff

/// How a continuous normalizing flow computes tr(∂f/∂z), the rate of change of the log-density
/// (Chen et al. 2018, §4).
public enum TraceEstimator: Sendable, Equatable, CustomStringConvertible {
    /// The exact trace from D vector–Jacobian products per evaluation (`valueWithDivergence`): the choice
    /// for small D (torchdiffeq's `cnf.py` and FFJORD's toy runs use it).
    case exact
    /// Hutchinson's unbiased estimate εᵀ(∂f/∂z)ε from one vector–Jacobian product (FFJORD), with ε drawn
    /// once per solve from `noise` and used again by that solve's backward pass.
    case hutchinson(HutchinsonNoise)
    /// The field's own closed form (``ClosedFormDivergence``): exact, from one evaluation and no pullbacks.
    /// The block's field must conform.
    case closedForm

    /// `exact`, `hutchinson(gaussian)`, `hutchinson(rademacher)` or `closedForm`.
    public var description: String {
        switch self {
        case .exact: return "exact"
        case .hutchinson(let noise): return "hutchinson(\(noise.rawValue))"
        case .closedForm: return "closedForm"
        }
    }
}
