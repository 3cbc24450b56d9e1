/// Why a differentiable solve or an ODE layer could not run. Each case names the offending value.
public enum ODENetError: Error, Equatable, CustomStringConvertible {
    /// The output times are not a non-empty rank-1 tensor.
    case invalidTimesShape([Int])
    /// An output time is NaN or infinite.
    case nonFiniteTime(index: Int, value: Double)
    /// The dynamics returned a derivative whose shape differs from the state's.
    case derivativeShapeMismatch(state: [Int], derivative: [Int])
    /// A fixed step size that is zero, negative or not finite.
    case invalidStepSize(Double)
    /// The output times are being differentiated, but the gradient mode cannot give their gradient. Not thrown
    /// by this version (every gradient mode gives ∂L/∂t); kept so that code matching it still compiles.
    case timeGradientUnavailable(mode: String)
    /// A gradient came out NaN or infinite although the loss and every parameter were finite (an op at a point
    /// where its derivative is undefined, such as √x at 0, or an overflow in the backward pass).
    case nonFiniteGradient(parameter: String, index: Int, value: Double)
    /// The adjoint's backward solve met NaN or an infinity at `time` in `part` of the augmented state
    /// `[z, a, a_θ, a_t]` (e.g. `a_θ of dynamics.0.weight[3]`).
    case nonFiniteInBackwardPass(time: Double, part: String, value: Double)
    /// A parameter of the dynamics is NaN or infinite (element `index` of the parameter `name`, as
    /// `dynamics.namedParameters` names it) when a solve starts.
    case nonFiniteParameter(name: String, index: Int, value: Double)
    /// A differentiable event did not occur between `start` and `end` (the search bound, or where the solve stopped).
    case eventNotFound(start: Double, end: Double)
    /// A differentiable event's function meets zero at `time` without crossing it: its rate of change along
    /// the solution, `rate`, is within rounding of zero, so the event time has no derivative there.
    case tangentialEvent(time: Double, rate: Double)

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case .invalidTimesShape(let shape):
            return "the output times must be a non-empty rank-1 tensor, got shape \(shape)"
        case .nonFiniteTime(let index, let value):
            return "output time \(index) is \(value); times must be finite"
        case .derivativeShapeMismatch(let state, let derivative):
            return "the dynamics returned shape \(derivative) for a state of shape \(state); "
                + "dz/dt must have the state's shape"
        case .invalidStepSize(let h):
            return "the fixed step size is \(h); it must be finite and positive"
        case .nonFiniteGradient(let parameter, let index, let value):
            return "the gradient of \(parameter) is \(value) at element \(index) although the loss and the parameters "
                + "are finite: an op was differentiated where its derivative is undefined (√x or log x at 0, x/|x| "
                + "at 0) or the backward pass overflowed; run the gradient inside withAnomalyDetection { } to "
                + "name the op"
        case .nonFiniteInBackwardPass(let time, let part, let value):
            return "the adjoint's backward pass became non-finite at t = \(time): \(part) is \(value). The field or its "
                + "derivative overflows or is undefined there (a sqrt or log at 0, a division by zero); check it, "
                + "or use .checkpointed, which replays the forward steps instead of solving backwards"
        case .nonFiniteParameter(let name, let index, let value):
            return "parameter \(name) of the dynamics is \(value) at element \(index); a solve needs finite "
                + "parameters. A training step that diverged leaves such values: lower the learning rate or clip the "
                + "gradients"
        case .eventNotFound(let start, let end):
            return "the event did not occur between t = \(start) and t = \(end); raise maximumTime, or check the event "
                + "function's sign and direction"
        case .tangentialEvent(let time, let rate):
            return "the event function touches zero at t = \(time) without crossing it (its rate along the solution is "
                + "\(rate)): the event time is not differentiable there"
        case .timeGradientUnavailable(let mode):
            return "the output times are being differentiated, but the \(mode) gradient gives no ∂L/∂t; "
                + "use .adjoint(), or pass the times with withoutDerivative(at:)"
        }
    }
}
