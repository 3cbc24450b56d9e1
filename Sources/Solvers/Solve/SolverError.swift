/// Why a solve failed. Each case carries where it happened; `description` says what to try.
public enum SolverError: Error, Equatable, CustomStringConvertible {
    /// The step size fell below the minimum (or below the time's resolution) while steps kept failing.
    case stepSizeUnderflow(time: Double, stepSize: Double)
    /// The solve needed more than `limit` trial steps; it had reached `reachedTime`. An explicit method adds
    /// Hairer's stiffness estimate of its last step (`stiffness`; nil for methods with fewer than three stages
    /// and for the stiff methods).
    case tooManySteps(limit: Int, reachedTime: Double, stiffness: StiffnessDiagnosis? = nil)
    /// A state component became NaN or infinite (fixed-step solves, or the initial state).
    case nonFiniteState(time: Double, component: Int, value: Double)
    /// A tolerance (or the norm's component range) is invalid.
    case invalidTolerance(name: String, value: Double, reason: String)
    /// A setting of the step-size controller is invalid (a gain that is not finite, a safety factor that is
    /// not positive, factor bounds that do not bracket 1).
    case invalidControllerSetting(name: String, value: Double, reason: String)
    /// The time span has a non-finite start, a NaN end, or an infinite end that nothing ends (no terminal event,
    /// no `maximumEvents`; fixed steps never take an infinite end).
    case invalidTimeSpan(start: Double, end: Double)
    /// A fixed step size or step count is not usable.
    case invalidStepSize(Double)
    /// A requested output time lies outside the time span.
    case outputTimeOutsideSpan(time: Double, start: Double, end: Double)
    /// Requested output times go against the direction of integration at `index`.
    case outputTimesNotMonotone(index: Int, previous: Double, time: Double)
    /// Dense evaluation was asked of a solution saved without `.dense`.
    case denseOutputNotSaved
    /// A dense evaluation time lies outside the solved interval.
    case evaluationTimeOutsideSolution(time: Double, start: Double, end: Double)
    /// The vector field returned NaN or an infinity (at `time`, in `component`) where no smaller step avoids it:
    /// at the initial state of an adaptive solve, or in every trial step until the step size could shrink no
    /// further (an adaptive solve rejects such a step and retries smaller first).
    case nonFiniteDerivative(time: Double, component: Int, value: Double)
    /// The limit on trial steps is not positive.
    case invalidMaximumSteps(Int)
    /// Fixed steps of `stepSize` over the span need `required` steps, more than `limit`.
    case tooManyFixedSteps(required: Double, limit: Int, stepSize: Double)
    /// A setting of the solve's event number `event` is invalid (a time tolerance that is not positive and
    /// finite, a negative or huge number of interior points), or `maximumEvents` is not positive (`event` −1).
    case invalidEventSetting(event: Int, name: String, value: Double)
    /// The state type cannot be written from scalars (``ODEState/assignScalars(from:)``), which implicit and
    /// linearly implicit methods need.
    case stateNotWritable(type: String)
    /// The Jacobian is not usable: it has the wrong size, or an entry is NaN or infinite (at `time`).
    case invalidJacobian(time: Double, reason: String)
    /// The implicit stages could not be solved at `time` with steps down to `stepSize`: the iteration matrix
    /// I/(γh) − J was singular, or the Newton iteration diverged (or, with fixed steps, did not converge).
    case implicitStageFailed(time: Double, stepSize: Double)

    /// What went wrong and what to try.
    public var description: String {
        switch self {
        case let .stepSizeUnderflow(t, h):
            return "step size underflow at t = \(t) (h = \(h)): the error test keeps failing. The problem may be stiff, "
                + "singular or blowing up near t; check the vector field, loosen the tolerances, or lower minimumStepSize; "
                + "for a stiff problem use a stiff method (.rodas5P, .rodas4, .kvaerno5)."
        case let .tooManySteps(limit, t, stiffness):
            if let stiffness, stiffness.isStiff {
                return "too many steps: \(limit) trial steps reached only t = \(t). The problem is stiff: the step size is "
                    + "held at the explicit method's stability limit (\(stiffness)). Use a stiff method: .rodas5P or "
                    + ".rodas4 (Rosenbrock), .kvaerno5 (ESDIRK)."
            }
            return "too many steps: \(limit) trial steps reached only t = \(t). Raise maxSteps, loosen the tolerances, "
                + "or, if the problem is stiff (fast decaying modes beside slow ones), use a stiff method: .rodas5P, "
                + ".rodas4 or .kvaerno5."
        case let .nonFiniteState(t, i, v):
            return "non-finite state at t = \(t): component \(i) is \(v). Reduce the step size, use an adaptive method, "
                + "or check the vector field and initial state for NaN/Inf."
        case let .invalidTolerance(name, v, reason):
            return "invalid tolerance \(name) = \(v): \(reason). Use finite values ≥ 0, e.g. rtol 1e-6, atol 1e-9."
        case let .invalidControllerSetting(name, v, reason):
            return "invalid step-size controller setting \(name) = \(v): \(reason)."
        case let .invalidTimeSpan(a, b):
            return "invalid time span [\(a), \(b)]: the start must be finite, and so must the end unless an adaptive solve "
                + "has a terminal event or maximumEvents to end it."
        case let .invalidStepSize(h):
            return "invalid fixed step size or count \(h): use a finite, non-zero step or a positive count."
        case let .outputTimeOutsideSpan(t, a, b):
            return "output time \(t) lies outside the time span [\(a), \(b)]; request times within the span."
        case let .outputTimesNotMonotone(i, p, t):
            return "output times must follow the direction of integration: time[\(i)] = \(t) comes after \(p). Sort them."
        case .denseOutputNotSaved:
            return "this solution has no dense output: pass saveAt: .dense (or SaveAt(..., dense: true)) to the solve "
                + "to evaluate it at any time."
        case let .nonFiniteDerivative(t, i, v):
            return "the vector field returned \(v) in component \(i) at t = \(t), and no smaller step avoids it: "
                + "check the field for a division by zero, a log or sqrt of a negative number, or overflow near t."
        case let .invalidMaximumSteps(n):
            return "the limit on trial steps is \(n); it must be at least 1 (the default is 100 000)."
        case let .tooManyFixedSteps(n, limit, h):
            return "a fixed step of \(h) needs \(n) steps over the span, more than the limit of \(limit): use a larger "
                + "step, or an adaptive method."
        case let .invalidEventSetting(event, name, value):
            return event < 0
                ? "invalid \(name) = \(value): the solve must be allowed at least one event."
                : "invalid setting \(name) = \(value) of event \(event): use a positive, finite time tolerance and 0 to 1000 "
                    + "interior points."
        case let .stateNotWritable(type):
            return "the state type \(type) cannot be written from scalars (ODEState.assignScalars(from:)), which the stiff "
                + "(implicit and Rosenbrock) methods need: solve on [Double] or a SIMD vector, or implement assignScalars."
        case let .invalidJacobian(t, reason):
            return "invalid Jacobian at t = \(t): \(reason). Check the Jacobian closure, or use finite differences."
        case let .implicitStageFailed(t, h):
            return "the implicit stages could not be solved at t = \(t) with h = \(h) (a singular iteration matrix "
                + "I/(γh) − J, or a Newton iteration that diverged): check the Jacobian (wrong entries, a zero row), use "
                + "smaller fixed steps, or an adaptive solve."
        case let .evaluationTimeOutsideSolution(t, a, b):
            return "time \(t) lies outside the solved interval [\(a), \(b)]: evaluate within it, or solve over a "
                + "longer span."
        }
    }
}
