import Solvers

/// How a differentiable solve (and so an ``ODEBlock``) computes its gradient.
///
/// | mode | memory | backward cost | gradient |
/// |---|---|---|---|
/// | `adjoint` | O(1) in the steps | a second, backward solve of the augmented system | of the continuous problem, to the tolerances |
/// | `direct` | one tape per step | the tape's reverse pass | exact for the discrete solve |
/// | `checkpointed` | one state per step | each step replayed once | exact for the discrete solve |
public enum GradientMode: Sendable, CustomStringConvertible {
    /// The continuous adjoint (Chen et al. 2018): the forward solve records nothing, and the backward
    /// pass solves the augmented system `[z, a, a_θ, a_t]` backwards in time. Memory is O(1) in the
    /// number of steps; the gradient is that of the continuous problem, accurate to the tolerances.
    /// Gradients for the output times are available only in this mode.
    case adjoint(AdjointOptions = AdjointOptions())
    /// Backpropagation through the solver's own operations (discretise-then-optimise, the paper's
    /// RK-Net): the exact gradient of the discrete solution, with memory growing with the steps.
    case direct
    /// The same exact discrete gradient as `direct`, storing only (t, h, z) per accepted step and
    /// re-recording one step at a time on the way back: one state per step plus one step's tape.
    case checkpointed

    /// `adjoint(…)`, `direct` or `checkpointed`.
    public var description: String {
        switch self {
        case .adjoint(let options): return "adjoint(\(options))"
        case .direct: return "direct"
        case .checkpointed: return "checkpointed"
        }
    }
}

/// Options of the adjoint's backward solve (torchdiffeq's `adjoint_rtol/atol/method`; diffrax's
/// `BacksolveAdjoint(solver=, stepsize_controller=)`).
public struct AdjointOptions: Sendable, CustomStringConvertible {
    /// The method of the backward solve; `nil` uses the forward method. It takes the forward stepping's
    /// controller (adaptive) or step size (fixed).
    public var method: (any AdaptiveRungeKuttaMethod)?
    /// Relative tolerance of the backward solve; `nil` uses the forward one.
    public var relativeTolerance: Double?
    /// Absolute tolerance of the backward solve; `nil` uses the forward one.
    public var absoluteTolerance: Double?
    /// Whether to leave the parameter adjoint a_θ (and a_t) out of the error norm: the "seminorm" of
    /// Kidger, Chen & Lyons (2021), "Hey, that's not an ODE", which often halves the backward steps.
    /// Off by default: the full norm is what torchdiffeq and diffrax do by default.
    public var usesSeminorm: Bool

    /// Options that keep the forward method; every `nil` falls back to the forward solve's setting.
    ///
    /// - Parameters:
    ///   - relativeTolerance: rtol of the backward solve.
    ///   - absoluteTolerance: atol of the backward solve.
    ///   - usesSeminorm: whether only z and a control the backward step.
    public init(relativeTolerance: Double? = nil, absoluteTolerance: Double? = nil, usesSeminorm: Bool = false) {
        self.method = nil
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerance = absoluteTolerance
        self.usesSeminorm = usesSeminorm
    }

    /// Options with their own backward method.
    ///
    /// - Parameters:
    ///   - method: the backward method (an embedded pair, so that it can adapt when the forward solve does).
    ///   - relativeTolerance: rtol of the backward solve; `nil` uses the forward one.
    ///   - absoluteTolerance: atol of the backward solve; `nil` uses the forward one.
    ///   - usesSeminorm: whether only z and a control the backward step.
    public init(method: some AdaptiveRungeKuttaMethod, relativeTolerance: Double? = nil,
                absoluteTolerance: Double? = nil, usesSeminorm: Bool = false) {
        self.method = method
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerance = absoluteTolerance
        self.usesSeminorm = usesSeminorm
    }

    /// The earlier form, taking a tableau.
    ///
    /// - Parameters:
    ///   - method: The backward tableau (an embedded pair), or nil for the forward method.
    ///   - relativeTolerance: rtol of the backward solve; `nil` uses the forward one.
    ///   - absoluteTolerance: atol of the backward solve; `nil` uses the forward one.
    ///   - usesSeminorm: whether only z and a control the backward step.
    @available(*, deprecated, message: "pass a method: AdjointOptions(method: EmbeddedRungeKutta(tableau), …)")
    @_disfavoredOverload
    public init(method: ButcherTableau?, relativeTolerance: Double? = nil,
                absoluteTolerance: Double? = nil, usesSeminorm: Bool = false) {
        self.method = method.map { EmbeddedRungeKutta($0) }
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerance = absoluteTolerance
        self.usesSeminorm = usesSeminorm
    }

    /// The settings that differ from the forward solve's, e.g. `rtol: 1e-09, seminorm`.
    public var description: String {
        var parts: [String] = []
        if let method { parts.append("method: \(method.tableau.name)") }
        if let relativeTolerance { parts.append("rtol: \(relativeTolerance)") }
        if let absoluteTolerance { parts.append("atol: \(absoluteTolerance)") }
        if usesSeminorm { parts.append("seminorm") }
        return parts.joined(separator: ", ")
    }
}
