import Solvers

/// Which parts of a flow's solved state control its adaptive steps (the state is z, then the accumulated
/// divergence, then RNODE's integrals, which never do). The kind of norm (RMS or maximum) is the stepping
/// controller's.
public enum FlowErrorControl: Sendable, Equatable {
    /// The larger of the norm over z and the norm over the log-density change: torchdiffeq's norm for the
    /// (z, log p) tuple of its `cnf.py` and FFJORD's (the default).
    case stateAndLogDensity
    /// z only: the log-density change is integrated without controlling the step (a seminorm, as the
    /// adjoint's for its parameter channels); cheaper, and its error is then not controlled.
    case state
    /// One norm over z and the log-density change together.
    case all

    /// `stepping` with its controller's norm set for a state of `batch` points in `dimensions`.
    func applied(to stepping: Stepping, batch: Int, dimensions: Int) -> Stepping {
        let n = batch * dimensions
        return stepping.replacingNorm { kind in
            switch self {
            case .stateAndLogDensity: .largest(kind, over: [0..<n, n..<(n + batch)])
            case .state: ErrorNorm(kind: kind, components: 0..<n)
            case .all: ErrorNorm(kind: kind, components: 0..<(n + batch))
            }
        }
    }
}
