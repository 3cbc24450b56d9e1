/// Solves a stiff `problem` with adaptive steps of a Rosenbrock method.
///
///     let robertson = ODEProblem(timeSpan: TimeSpan(start: 0, end: 1e5), initialState: [1.0, 0, 0]) { _, y, dy in
///         dy[0] = -0.04 * y[0] + 1e4 * y[1] * y[2]
///         dy[2] = 3e7 * y[1] * y[1]
///         dy[1] = -dy[0] - dy[2]
///     }
///     let solution = try solve(robertson, using: .rodas5P,
///                              controller: StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-10),
///                              jacobian: .finiteDifferencesAutonomous)
///
/// Each step evaluates J (and f_t) at its start, factors I/(γh) − J once and solves once per stage; a
/// rejected step keeps J and refactors with the smaller h. The statistics count Jacobians, factorisations
/// and linear solves beside f evaluations. States need ``ODEState/assignScalars(from:)`` (arrays and SIMD
/// vectors have it); the linear algebra runs in `Double` whatever the state's scalar.
///
/// - Parameters:
///   - problem: The vector field, initial state and time span (finite).
///   - method: `.rodas5P`, `.rodas4` or any ``Rosenbrock`` tableau.
///   - controller: Tolerances and step-size policy.
///   - jacobian: Where J and f_t come from (default: finite differences for both).
///   - linearSolver: How I/(γh) − J is factored (default: dense LU).
///   - saveAt: What to report (default: the final state); dense output uses the method's interpolant.
///   - stopTimes: Times the solver must step to exactly.
///   - maxSteps: The limit on trial steps (100 000).
/// - Returns: The solution, with Jacobian, factorisation and linear-solve counts in its statistics.
/// - Throws: ``SolverError`` for invalid tolerances, span or output times, a state type that cannot be
///   written, a Jacobian with NaN or of the wrong size, a singular iteration matrix that no smaller step
///   cures, step-size underflow, too many steps or a non-finite initial state; what the vector field or
///   the Jacobian closure throws.
public func solve<State: ODEState>(
    _ problem: ODEProblem<State>, using method: Rosenbrock, controller: StepSizeController,
    jacobian: JacobianSource<State> = .finiteDifferences, linearSolver: LinearSolverKind = .denseLU,
    saveAt: SaveAt = .end, stopTimes: [Double] = [], maxSteps: Int = 100_000
) throws -> ODESolution<State> {
    try solveStiff(problem, controller: controller, jacobian: jacobian, linearSolver: linearSolver, saveAt: saveAt,
                   stopTimes: stopTimes, maxSteps: maxSteps) { RosenbrockStepper(method: method, system: $0) }
}

/// Solves `problem` with `stepCount` equal steps of a Rosenbrock method (t_k = t₀ + k·(t₁ − t₀)/stepCount):
/// one Jacobian and one factorisation per step, no error control.
///
/// - Parameters:
///   - problem: The vector field, initial state and time span (finite).
///   - method: `.rodas5P`, `.rodas4` or any ``Rosenbrock`` tableau.
///   - stepCount: The number of steps, positive.
///   - jacobian: Where J and f_t come from (default: finite differences for both).
///   - linearSolver: How I/(γh) − J is factored (default: dense LU).
///   - saveAt: What to report (default: the final state).
/// - Returns: The solution.
/// - Throws: ``SolverError`` for an invalid span, step count or output times, a singular iteration matrix
///   (``SolverError/implicitStageFailed(time:stepSize:)``), a non-finite state; what the vector field or the
///   Jacobian closure throws.
public func solve<State: ODEState>(
    _ problem: ODEProblem<State>, using method: Rosenbrock, stepCount: Int,
    jacobian: JacobianSource<State> = .finiteDifferences, linearSolver: LinearSolverKind = .denseLU,
    saveAt: SaveAt = .end
) throws -> ODESolution<State> {
    try solveStiff(problem, controller: StepSizeController(relativeTolerance: 1, absoluteTolerance: 1),
                   jacobian: jacobian, linearSolver: linearSolver, saveAt: saveAt, stopTimes: [],
                   maxSteps: max(1, stepCount), fixedStepCount: stepCount) { RosenbrockStepper(method: method, system: $0) }
}
