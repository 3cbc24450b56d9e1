/// The gains of a ``StepSizeController``'s PID filter, with the standard presets.
///
/// Two notations name the same filter. diffrax's `PIDController(pcoeff:icoeff:dcoeff:)` gives the
/// proportional, integral and derivative gains; Söderlind gives the exponents β₁, β₂, β₃ of the last three
/// error ratios (each divided by k = q + 1), so that
///
///     β₁ = kI + kP + kD,   β₂ = −(kP + 2kD),   β₃ = kD.
///
/// Filters with a step-size history term (Söderlind's H211b) add a step-ratio gain α: a factor
/// (h_n/h_{n−1})^(−α).
///
///     var controller = StepSizeController(relativeTolerance: 1e-8, absoluteTolerance: 1e-10)
///     controller.gains = .pi34
///
/// Sources: Söderlind, "Digital filters in adaptive time-stepping", ACM TOMS 29 (2003) 1–26 (H211PI, H211b,
/// H312PID); Gustafsson's PI.3.4 and the PI.3.3 and PI.4.2 filters (Söderlind, "Automatic control and
/// adaptive time-stepping", Numer. Algorithms 31 (2002) 281–310; the β values OrdinaryDiffEq.jl lists for its
/// `PIDController`); Hairer & Wanner, *Solving ODEs II*, §IV.2, and Hairer's code DOPRI5 (β = 0.04);
/// diffrax's documentation for its suggested (pcoeff, icoeff) pairs, of which (0.4, 0.3) is PI.3.4.
public struct ControllerGains: Sendable, Equatable {
    /// kP, diffrax's `pcoeff`.
    public var proportional: Double
    /// kI, diffrax's `icoeff`.
    public var integral: Double
    /// kD, diffrax's `dcoeff`.
    public var derivative: Double
    /// α, the exponent of the step-ratio term (0 for pure PID filters).
    public var stepRatio: Double

    /// Gains in diffrax's notation.
    ///
    /// - Parameters:
    ///   - proportional: kP (`pcoeff`).
    ///   - integral: kI (`icoeff`).
    ///   - derivative: kD (`dcoeff`).
    ///   - stepRatio: α of a step-size history term.
    public init(proportional: Double = 0, integral: Double = 1, derivative: Double = 0, stepRatio: Double = 0) {
        self.proportional = proportional
        self.integral = integral
        self.derivative = derivative
        self.stepRatio = stepRatio
    }

    /// Gains from Söderlind's filter coefficients.
    ///
    /// - Parameters:
    ///   - beta1: The exponent of the current ratio r_n (times k).
    ///   - beta2: The exponent of r_{n−1} (times k).
    ///   - beta3: The exponent of r_{n−2} (times k).
    ///   - stepRatio: α of a step-size history term.
    public init(beta1: Double, beta2: Double, beta3: Double = 0, stepRatio: Double = 0) {
        self.init(proportional: -beta2 - 2 * beta3, integral: beta1 + beta2 + beta3, derivative: beta3,
                  stepRatio: stepRatio)
    }

    /// Söderlind's β₁, β₂, β₃.
    public var betas: (beta1: Double, beta2: Double, beta3: Double) {
        (integral + proportional + derivative, -(proportional + 2 * derivative), derivative)
    }

    /// The classical I-controller (β = 1, 0, 0): the default, as in torchdiffeq, SciPy and diffrax.
    public static let integralOnly = ControllerGains()
    /// PI.3.4 (β = 0.7, −0.4): Gustafsson's PI controller; diffrax's suggested (pcoeff, icoeff) = (0.4, 0.3).
    public static let pi34 = ControllerGains(beta1: 0.7, beta2: -0.4)
    /// PI.3.3 (β = 2/3, −1/3).
    public static let pi33 = ControllerGains(beta1: 2.0 / 3, beta2: -1.0 / 3)
    /// PI.4.2 (β = 3/5, −1/5).
    public static let pi42 = ControllerGains(beta1: 3.0 / 5, beta2: -1.0 / 5)
    /// Söderlind's H211PI (β = 1/6, 1/6): a smoothing filter for the step-size sequence.
    public static let h211PI = ControllerGains(beta1: 1.0 / 6, beta2: 1.0 / 6)
    /// Söderlind's H211b with b = 4 (β = 1/4, 1/4; α = 1/4): a low-pass filter with a step-ratio term.
    public static let h211b = ControllerGains(beta1: 1.0 / 4, beta2: 1.0 / 4, stepRatio: 1.0 / 4)
    /// Söderlind's H312PID (β = 1/18, 1/9, 1/18).
    public static let h312PID = ControllerGains(beta1: 1.0 / 18, beta2: 1.0 / 9, beta3: 1.0 / 18)
    /// Hairer's PI controller of DOPRI5 with β = 0.04 for a 5(4) pair (k = 5): the exponents 1/5 − 0.75·0.04
    /// and −0.04, i.e. β = 0.85, −0.2.
    public static let hairerPI = ControllerGains(beta1: 0.85, beta2: -0.2)
}

extension ControllerGains: CustomStringConvertible {
    /// `ControllerGains(pcoeff: …, icoeff: …, dcoeff: …)`, with the step-ratio gain when it is not 0.
    public var description: String {
        "ControllerGains(pcoeff: \(proportional), icoeff: \(integral), dcoeff: \(derivative)"
            + (stepRatio != 0 ? ", stepRatio: \(stepRatio))" : ")")
    }
}

extension StepSizeController {
    /// The PID gains as one value (reads and writes `proportionalGain`, `integralGain`, `derivativeGain`
    /// and `stepRatioGain`).
    public var gains: ControllerGains {
        get {
            ControllerGains(proportional: proportionalGain, integral: integralGain, derivative: derivativeGain,
                            stepRatio: stepRatioGain)
        }
        set {
            proportionalGain = newValue.proportional
            integralGain = newValue.integral
            derivativeGain = newValue.derivative
            stepRatioGain = newValue.stepRatio
        }
    }
}
