/// A step-by-step solver (SciML's `init`/`step!`): each `step()` takes one accepted step; between
/// steps, `state(at:)` interpolates inside the last step. `solve(...)` is a loop over this.
///
/// `steps` are not stored here; the solve loop records (time, stepSize) of every accepted step, and
/// replaying them with `RungeKuttaMethod.step` reproduces the solve exactly.
public struct Integrator<Method: RungeKuttaMethod, State: ODEState> {
    /// How step sizes are chosen.
    public enum Stepping {
        /// Adaptive steps under a controller; `q` is the error-estimate order.
        case adaptive(StepSizeController, errorEstimateOrder: Int)
        /// `count` equal steps on the grid t_k = t₀ + k·(t₁ − t₀)/count.
        case fixed(count: Int)

        /// Whether steps are chosen by error control.
        @inlinable public var isAdaptive: Bool {
            if case .adaptive = self { return true }
            return false
        }
    }
    /// The method.
    public let method: Method
    /// The problem.
    public let problem: ODEProblem<State>
    /// The step-size policy.
    public let stepping: Stepping
    /// The trial-step limit (accepted + rejected).
    public let maxSteps: Int
    /// The current time (the end of the last accepted step; past the end of the span after the last step
    /// when the controller's endpoint is `.interpolated`).
    @inlinable public var time: Double { _time }
    @usableFromInline var _time: Double
    /// The current state (the end of the last accepted step).
    @inlinable public var state: State { _state }
    @usableFromInline var _state: State
    /// The start of the last accepted step.
    @inlinable public var previousTime: Double { _previousTime }
    @usableFromInline var _previousTime: Double
    /// The state at `previousTime`.
    @inlinable public var previousState: State { _previousState }
    @usableFromInline var _previousState: State
    /// The signed size of the last accepted step (0 before the first).
    @inlinable public var lastStepSize: Double { _lastStepSize }
    @usableFromInline var _lastStepSize: Double = 0.0
    /// The magnitude of the next trial step.
    @inlinable public var proposedStepSize: Double { _proposedStepSize }
    @usableFromInline var _proposedStepSize: Double
    /// Work counts so far.
    public var statistics: SolverStatistics {
        var s = counts
        s.functionEvaluations = workspace.functionEvaluations + extraEvaluations
        return s
    }

    @usableFromInline var counts = SolverStatistics()
    @usableFromInline var extraEvaluations = 0
    @usableFromInline var candidate: State
    @usableFromInline var workspace: RungeKuttaWorkspace<State>
    @usableFromInline var memory = ControllerMemory()
    /// Where the trial steps since the last accepted one met NaN or an infinity (time, component, value).
    @usableFromInline var nonFiniteTrial: (time: Double, component: Int, value: Double)? = nil
    /// Hairer's stiffness estimate of the last trial step before the step limit (for `tooManySteps`).
    @usableFromInline var lastStiffness: StiffnessDiagnosis? = nil
    @usableFromInline var stopTimes: [Double]
    @usableFromInline var nextStop = 0
    @usableFromInline var fixedIndex = 0
    @usableFromInline var needsAdvance = false
    /// Whether steps are adaptive (then `controller` and `errorEstimateOrder` apply).
    @usableFromInline let isAdaptive: Bool
    /// The adaptive controller, resolved once so that the step loop never copies it out of `stepping`
    /// (a placeholder for fixed steps).
    @usableFromInline let controller: StepSizeController
    /// q in the controller exponent (0 for fixed steps).
    @usableFromInline let errorEstimateOrder: Int
    /// (rtol, atol) when both are scalars: the error norm then reads no tolerance enum per step.
    @usableFromInline let scalarTolerances: (relative: Double, absolute: Double)?
    /// Whether the last step may pass the end of the span (``StepSizeController/Endpoint/interpolated``).
    @usableFromInline let stepsPastEnd: Bool

    /// An adaptive integrator. `stopTimes` are times the solver must step to exactly (the end always is one).
    /// Throws for invalid tolerances or span, or a non-finite initial state.
    ///
    /// - Parameters:
    ///   - problem: The vector field, initial state and time span.
    ///   - method: A method with an error estimate.
    ///   - controller: Tolerances and step-size policy.
    ///   - stopTimes: Times the solver must step to exactly.
    ///   - maxSteps: The limit on trial steps.
    /// - Throws: ``SolverError`` for invalid tolerances or span, a non-finite initial state or initial derivative,
    ///   or an invalid initial step size; what the vector field throws.
    @inlinable
    public init(_ problem: ODEProblem<State>, using method: Method, controller: StepSizeController,
                stopTimes: [Double] = [], maxSteps: Int = 100_000) throws where Method: AdaptiveRungeKuttaMethod {
        let n = problem.initialState.scalarCount
        if let error = controller.validate(componentCount: n) { throw error }
        guard maxSteps >= 1 else { throw SolverError.invalidMaximumSteps(maxSteps) }
        try self.init(problem, method: method,
                      stepping: .adaptive(controller, errorEstimateOrder: method.tableau.errorEstimateOrder!),
                      stopTimes: stopTimes, maxSteps: maxSteps)
        guard _time != problem.timeSpan.end else { return }
        try workspace.ensureFirstStage(problem.function, time: _time, state: _state)
        if let bad = workspace.stages[0].firstNonFiniteComponent() {
            throw SolverError.nonFiniteDerivative(time: _time, component: bad.index, value: bad.value)
        }
        if let h = controller.initialStepSize {
            guard h.isFinite && h > 0 else { throw SolverError.invalidStepSize(h) }
            _proposedStepSize = h
        } else {
            var evaluations = 0
            _proposedStepSize = try controller.initialStepSize(
                problem.function, time: _time, state: _state, derivative: workspace.stages[0],
                direction: problem.timeSpan.direction, errorEstimateOrder: method.tableau.errorEstimateOrder!,
                scratch: &candidate, probe: &workspace.stageInput, evaluations: &evaluations)
            extraEvaluations += evaluations
        }
    }

    /// A fixed-step integrator taking `stepCount` equal steps.
    ///
    /// - Parameters:
    ///   - problem: The vector field, initial state and time span.
    ///   - method: Any Runge–Kutta method.
    ///   - stepCount: The number of equal steps, positive.
    /// - Throws: ``SolverError`` for a step count below 1, an invalid span or a non-finite initial state.
    @inlinable
    public init(_ problem: ODEProblem<State>, using method: Method, stepCount: Int) throws {
        guard stepCount > 0 else { throw SolverError.invalidStepSize(Double(stepCount)) }
        try self.init(problem, method: method, stepping: .fixed(count: stepCount), stopTimes: [], maxSteps: stepCount)
    }

    @inlinable
    init(_ problem: ODEProblem<State>, method: Method, stepping: Stepping, stopTimes: [Double], maxSteps: Int) throws {
        let span = problem.timeSpan
        // An infinite end is for adaptive solves that an event ends (`solve(saveAt:events:maximumEvents:)`
        // checks that one will).
        guard span.start.isFinite && !span.end.isNaN, span.end.isFinite || stepping.isAdaptive else {
            throw SolverError.invalidTimeSpan(start: span.start, end: span.end)
        }
        if let bad = problem.initialState.firstNonFiniteComponent() {
            throw SolverError.nonFiniteState(time: span.start, component: bad.index, value: bad.value)
        }
        let direction = span.direction
        for t in stopTimes where !((t - span.start) * direction >= 0 && (span.end - t) * direction >= 0) {
            throw SolverError.outputTimeOutsideSpan(time: t, start: span.start, end: span.end)
        }
        self.method = method
        self.problem = problem
        self.stepping = stepping
        self.maxSteps = maxSteps
        switch stepping {
        case .adaptive(let controller, let q):
            isAdaptive = true
            self.controller = controller
            errorEstimateOrder = q
            if case .scalar(let r) = controller.relativeTolerance, case .scalar(let a) = controller.absoluteTolerance {
                scalarTolerances = (r, a)
            } else {
                scalarTolerances = nil
            }
            stepsPastEnd = controller.endpoint == .interpolated
        case .fixed:
            isAdaptive = false
            controller = StepSizeController(relativeTolerance: 0, absoluteTolerance: 0)
            errorEstimateOrder = 0
            scalarTolerances = nil
            stepsPastEnd = false
        }
        _time = span.start
        _previousTime = span.start
        _state = problem.initialState
        _previousState = problem.initialState
        candidate = problem.initialState.makeCopy()
        workspace = RungeKuttaWorkspace(template: problem.initialState, tableau: method.tableau)
        _proposedStepSize = abs(span.end - span.start)
        self.stopTimes = (stopTimes.filter { $0 != span.start } + [span.end]).sorted { ($0 - $1) * direction < 0 }
    }

    /// Whether the integrator has reached (or, with `Endpoint.interpolated`, passed) the end of the span.
    @inlinable public var isFinished: Bool {
        (_time - problem.timeSpan.end) * problem.timeSpan.direction >= 0
    }

    /// Whether the last step ended beyond the end of the span (possible only with `Endpoint.interpolated`);
    /// the state at the end then comes from `state(at:)`.
    @inlinable public var hasPassedEnd: Bool {
        (_time - problem.timeSpan.end) * problem.timeSpan.direction > 0
    }
}
