#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The outcome of a step-size decision.
public struct StepDecision: Sendable, Equatable {
    /// Whether the trial step met the tolerance.
    public var isAccepted: Bool
    /// The magnitude of the next step to try.
    public var nextStepSize: Double
    /// A decision.
    ///
    /// - Parameters:
    ///   - isAccepted: Whether the trial step met the tolerance.
    ///   - nextStepSize: The magnitude of the next step to try.
    @inlinable public init(isAccepted: Bool, nextStepSize: Double) {
        self.isAccepted = isAccepted
        self.nextStepSize = nextStepSize
    }
}

/// Adaptive step-size control for embedded Runge–Kutta pairs: a PID controller on the error ratio
/// r = ‖err / (atol + rtol·max(|y₀|, |y₁|))‖ (accept when r ≤ 1). With k = q + 1 (q the method's
/// error-estimate order), gains kP, kI, kD (diffrax's `pcoeff`, `icoeff`, `dcoeff`) and an optional
/// step-ratio gain α:
///
///     h_new = h · clamp(safety · r_n^(−(kI+kP+kD)/k) · r_{n−1}^((kP+2kD)/k) · r_{n−2}^(−kD/k) · (h_n/h_{n−1})^(−α),
///                       minimumFactor, maximumFactor)
///
/// where r_{n−1}, r_{n−2} are the ratios of the previous accepted steps and h_{n−1} the previous accepted
/// step. In Söderlind's notation the same filter has β₁ = kI + kP + kD, β₂ = −(kP + 2kD), β₃ = kD
/// (``ControllerGains``). After a rejection only the first factor is used (Hairer's codes). A non-finite
/// ratio rejects with `minimumFactor`.
///
/// Defaults: a plain I-controller (kI = 1), safety 0.9, factor ∈ [0.2, 10] (torchdiffeq, diffrax, SciPy);
/// an accepted step may be followed by a smaller one, as in SciPy and Hairer's codes (torchdiffeq and
/// diffrax never shrink after an accepted step: `acceptedStepsNeverShrink`, which
/// `torchdiffeq(relativeTolerance:absoluteTolerance:)` turns on); the step right after a rejection does not
/// grow (Hairer; `limitsGrowthAfterRejection`); and the last step lands on the end of the span
/// (`endpoint`). Tolerances have no default: choose them for your problem (`torchdiffeqDefaults` gives
/// rtol 1e-7, atol 1e-9). (Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.4; Hairer & Wanner, *Solving
/// ODEs II*, §IV.2 for the PI form; Söderlind, "Automatic control and adaptive time-stepping", Numer.
/// Algorithms 31 (2002) 281–310, and "Digital filters in adaptive time-stepping", ACM TOMS 29 (2003) 1–26.)
public struct StepSizeController: Sendable {
    /// rtol, scalar or per component; ≥ 0.
    public var relativeTolerance: Tolerance
    /// atol, scalar or per component; ≥ 0 (and not both zero).
    public var absoluteTolerance: Tolerance
    /// The norm of the scaled error (RMS by default, like torchdiffeq, SciPy and diffrax).
    public var norm: ErrorNorm = .rms
    /// The safety factor (0.9: aim a little below the tolerance to avoid rejections).
    public var safetyFactor = 0.9
    /// The smallest factor one decision may apply (0.2).
    public var minimumFactor = 0.2
    /// The largest factor one decision may apply (10).
    public var maximumFactor = 10.0
    /// The integral gain kI (1: the classical controller; diffrax's `icoeff`).
    public var integralGain = 1.0
    /// The proportional gain kP (0; diffrax's `pcoeff`). A PI controller (e.g. ``ControllerGains/pi34``)
    /// damps step-size oscillation and the rejections it causes.
    public var proportionalGain = 0.0
    /// The derivative gain kD (0; diffrax's `dcoeff`).
    public var derivativeGain = 0.0
    /// The step-ratio gain α of Söderlind's filters with a step-size history term (H211b: 1/4); 0.
    public var stepRatioGain = 0.0
    /// Whether the step after an accepted one may never be smaller (torchdiffeq's and diffrax's rule; off
    /// by default, as in SciPy and Hairer's codes). With it on, a step that should shrink is tried at the
    /// old size until it fails: at rtol ≤ 1e-8 it costs dopri5 5–13% more evaluations on standard problems.
    /// ``torchdiffeq(relativeTolerance:absoluteTolerance:)`` and the ODE layers (which reproduce torchdiffeq)
    /// turn it on.
    public var acceptedStepsNeverShrink = false
    /// Steps never get smaller; a step that fails at this size throws `SolverError.stepSizeUnderflow` (0).
    public var minimumStepSize = 0.0
    /// Steps never get larger (∞).
    public var maximumStepSize = Double.infinity
    /// The first step's magnitude; `nil` picks it automatically (Hairer, Nørsett & Wanner §II.4).
    public var initialStepSize: Double? = nil
    /// Whether an accepted step right after a rejected one may not grow (Hairer's DOPRI5 safeguard against
    /// repeated rejections; on by default). torchdiffeq has no such rule. On the W1 spiral it saves DOP853
    /// 11 evaluations (1,934 against 1,945) and changes Dormand–Prince by one rejection.
    public var limitsGrowthAfterRejection = true
    /// How the solve meets the end of its span (`.exact` by default).
    public var endpoint: Endpoint = .exact

    /// How an adaptive solve meets the end of its span.
    public enum Endpoint: Sendable, Equatable {
        /// The last step is shortened to land on the end; the end state is a step's end state.
        case exact
        /// The last step is taken at the size the controller proposes, even past the end, and the end
        /// state (like every output time) comes from the step's continuous extension. This is what
        /// torchdiffeq does; it saves the short final step, costs one order of accuracy at the end point
        /// (the extension's order), and evaluates the vector field beyond the span.
        case interpolated
    }

    /// A controller with the given tolerances and default settings.
    ///
    /// - Parameters:
    ///   - relativeTolerance: rtol, scalar or per component.
    ///   - absoluteTolerance: atol, scalar or per component.
    ///   - norm: The norm of the scaled error (RMS).
    public init(relativeTolerance: Tolerance, absoluteTolerance: Tolerance, norm: ErrorNorm = .rms) {
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerance = absoluteTolerance
        self.norm = norm
    }

    /// torchdiffeq's defaults, rtol 1e-7 and atol 1e-9 (tight: the Neural-ODE papers' setting).
    public static var torchdiffeqDefaults: StepSizeController {
        StepSizeController(relativeTolerance: 1e-7, absoluteTolerance: 1e-9)
    }

    /// A controller that steps as torchdiffeq's adaptive solvers do: an accepted step is never followed by a
    /// smaller one, no post-rejection rule, and the end of the span passed and interpolated
    /// (`Endpoint.interpolated`). With
    /// ``ButcherTableau/dormandPrince54Torchdiffeq`` it reproduces torchdiffeq's dopri5 step for step.
    ///
    /// - Parameters:
    ///   - relativeTolerance: rtol (torchdiffeq's default 1e-7).
    ///   - absoluteTolerance: atol (torchdiffeq's default 1e-9).
    /// - Returns: The controller.
    public static func torchdiffeq(relativeTolerance: Double = 1e-7, absoluteTolerance: Double = 1e-9)
        -> StepSizeController {
        var controller = StepSizeController(relativeTolerance: .scalar(relativeTolerance),
                                            absoluteTolerance: .scalar(absoluteTolerance))
        controller.limitsGrowthAfterRejection = false
        controller.acceptedStepsNeverShrink = true
        controller.endpoint = .interpolated
        return controller
    }

    /// Decides on a trial step of magnitude `stepSize` with error ratio `errorRatio`.
    /// `memory` carries the previous accepted ratio and whether the last trial was rejected.
    ///
    /// - Parameters:
    ///   - r: The trial step's error ratio (≤ 1 accepts).
    ///   - stepSize: The trial step's size.
    ///   - q: The order of the method's error estimate.
    ///   - memory: What the controller remembers between decisions; updated.
    /// - Returns: Whether to accept the step and the magnitude of the next one.
    @inlinable
    public func decide(errorRatio r: Double, stepSize: Double, errorEstimateOrder q: Int,
                       memory: inout ControllerMemory) -> StepDecision {
        let h = abs(stepSize)
        guard r.isFinite else {
            memory.lastWasRejected = true
            return StepDecision(isAccepted: false, nextStepSize: max(h * minimumFactor, minimumStepSize))
        }
        let k = Double(q + 1)
        let accepted = r <= 1
        var factor: Double
        if r == 0 {
            factor = maximumFactor
        } else {
            factor = safetyFactor * pow(r, -(integralGain + proportionalGain + derivativeGain) / k)
            if accepted {
                if proportionalGain != 0 || derivativeGain != 0 {
                    factor *= pow(memory.previousRatio, (proportionalGain + 2 * derivativeGain) / k)
                }
                if derivativeGain != 0 { factor *= pow(memory.secondPreviousRatio, -derivativeGain / k) }
                if stepRatioGain != 0, let previous = memory.previousAcceptedStepSize {
                    factor *= pow(h / previous, -stepRatioGain)
                }
            }
            factor = min(maximumFactor, max(minimumFactor, factor))
        }
        if accepted {
            if acceptedStepsNeverShrink && r < 1 { factor = max(1, factor) }
            if limitsGrowthAfterRejection && memory.lastWasRejected { factor = min(1, factor) }
            memory.secondPreviousRatio = memory.previousRatio
            memory.previousRatio = max(r, 1e-4)
            memory.previousAcceptedStepSize = h
        }
        memory.lastWasRejected = !accepted
        let next = min(maximumStepSize, max(minimumStepSize, h * factor))
        return StepDecision(isAccepted: accepted, nextStepSize: next)
    }

    /// The first invalid tolerance or controller setting, as an error, or `nil`.
    @usableFromInline
    func validate(componentCount n: Int) -> SolverError? {
        for (name, tolerance) in [("relativeTolerance", relativeTolerance), ("absoluteTolerance", absoluteTolerance)] {
            if case .perComponent(let xs) = tolerance, xs.count != n {
                return .invalidTolerance(name: name, value: Double(xs.count),
                                         reason: "has \(xs.count) components but the state has \(n)")
            }
            for x in tolerance.values where !(x >= 0 && x.isFinite) {
                return .invalidTolerance(name: name, value: x, reason: "must be finite and ≥ 0")
            }
        }
        let relative = relativeTolerance.values, absolute = absoluteTolerance.values
        for i in 0..<n where relative[min(i, relative.count - 1)] == 0 && absolute[min(i, absolute.count - 1)] == 0 {
            return .invalidTolerance(name: "absoluteTolerance", value: 0,
                                     reason: "rtol and atol are both 0 for component \(i)")
        }
        for (name, gain) in [("proportionalGain", proportionalGain), ("integralGain", integralGain),
                             ("derivativeGain", derivativeGain), ("stepRatioGain", stepRatioGain)] where !gain.isFinite {
            return .invalidControllerSetting(name: name, value: gain, reason: "must be finite")
        }
        if !(safetyFactor > 0 && safetyFactor.isFinite) {
            return .invalidControllerSetting(name: "safetyFactor", value: safetyFactor, reason: "must be finite and > 0")
        }
        if !(minimumFactor > 0 && minimumFactor <= 1) {
            return .invalidControllerSetting(name: "minimumFactor", value: minimumFactor, reason: "must be in (0, 1]")
        }
        if !(maximumFactor >= 1 && maximumFactor.isFinite) {
            return .invalidControllerSetting(name: "maximumFactor", value: maximumFactor, reason: "must be finite and ≥ 1")
        }
        if let c = norm.components, c.lowerBound < 0 || c.upperBound > n {
            return .invalidTolerance(name: "norm.components", value: Double(c.upperBound),
                                     reason: "range \(c) outside the state's \(n) components")
        }
        for group in norm.groups ?? [] where group.lowerBound < 0 || group.upperBound > n {
            return .invalidTolerance(name: "norm.groups", value: Double(group.upperBound),
                                     reason: "range \(group) outside the state's \(n) components")
        }
        return nil
    }
}

/// What a ``StepSizeController`` remembers between decisions.
public struct ControllerMemory: Sendable {
    /// The error ratio of the last accepted step (starts at 1).
    public var previousRatio = 1.0
    /// The error ratio of the accepted step before it (starts at 1; the derivative term).
    public var secondPreviousRatio = 1.0
    /// The size of the last accepted step (the step-ratio term), nil before the first.
    public var previousAcceptedStepSize: Double? = nil
    /// Whether the last trial step was rejected.
    public var lastWasRejected = false
    /// Fresh memory.
    public init() {}
}
