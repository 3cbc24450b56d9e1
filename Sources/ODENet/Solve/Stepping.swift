import Autodiff
import Solvers

/// How a differentiable solve steps: an adaptive method under a step-size controller, or any method with
/// fixed steps — the choice the array `solve(_:using:controller:)` / `solve(_:using:stepSize:)` makes.
///
/// Only a method with an embedded error estimate can be made adaptive, so `.adaptive(.euler, …)` does not
/// compile; a fixed-step method is always given its step size.
///
///     let adaptive = Stepping.adaptive(.tsitouras54, controller: .torchdiffeq(relativeTolerance: 1e-5))
///     let fixed = Stepping.fixed(.rk4, stepSize: 0.05)
public struct Stepping: Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        case adaptive(any AdaptiveRungeKuttaMethod, StepSizeController)
        case fixed(any RungeKuttaMethod, stepSize: Double)
    }

    var kind: Kind

    /// Adaptive steps of an embedded pair under `controller`.
    ///
    /// - Parameters:
    ///   - method: a method with an error estimate (`.dormandPrince54`, `.tsitouras54`, …).
    ///   - controller: tolerances and step-size policy.
    /// - Returns: the stepping.
    public static func adaptive(_ method: some AdaptiveRungeKuttaMethod, controller: StepSizeController) -> Stepping {
        Stepping(kind: .adaptive(method, controller))
    }

    /// Fixed steps of at most `stepSize`: each output interval is divided into equal steps.
    ///
    /// - Parameters:
    ///   - method: any Runge–Kutta method (`.rk4`, `.euler`, or an embedded pair used without its estimate).
    ///   - stepSize: the largest step; must be finite and non-zero (checked when solving).
    /// - Returns: the stepping.
    public static func fixed(_ method: some RungeKuttaMethod, stepSize: Double) -> Stepping {
        Stepping(kind: .fixed(method, stepSize: stepSize))
    }

    /// The method.
    public var method: any RungeKuttaMethod {
        switch kind {
        case .adaptive(let method, _): return method
        case .fixed(let method, _): return method
        }
    }

    /// The step-size controller of adaptive stepping; `nil` for fixed steps. Setting it on fixed stepping
    /// has no method with an error estimate to control, so it is a programming error (it stops with a message).
    public var controller: StepSizeController? {
        get {
            if case .adaptive(_, let controller) = kind { return controller }
            return nil
        }
        set {
            guard case .adaptive(let method, _) = kind, let newValue else {
                fatalError("Stepping: cannot set a controller on \(self); build it with Stepping.adaptive(_:controller:)")
            }
            kind = .adaptive(method, newValue)
        }
    }

    /// The fixed step size; `nil` for adaptive steps.
    public var stepSize: Double? {
        if case .fixed(_, let stepSize) = kind { return stepSize }
        return nil
    }

    /// Whether a controller chooses the steps.
    public var isAdaptive: Bool { controller != nil }

    /// `adaptive(<method>, <controller>)` or `fixed(<method>, stepSize: h)`.
    public var description: String {
        switch kind {
        case .adaptive(let method, let controller): return "adaptive(\(method.tableau.name), \(controller))"
        case .fixed(let method, let stepSize): return "fixed(\(method.tableau.name), stepSize: \(stepSize))"
        }
    }
}
