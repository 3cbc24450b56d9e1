import Requirements

/// An ESDIRK method for stiff problems: each implicit stage is solved by a simplified Newton iteration
/// with I − hγJ, whose Jacobian and factorisation are reused across stages, iterations and steps (refreshed
/// when the iteration converges slowly or fails, as in Hairer & Wanner's RADAU5). Fewer Jacobians than a
/// Rosenbrock method, so the choice when J is expensive.
///
///     let solution = try solve(problem, using: .kvaerno5, controller: controller, jacobian: .finiteDifferences)
public struct ESDIRK: Sendable, CustomStringConvertible {
    /// The coefficients.
    public let tableau: ESDIRKTableau

    /// A method from its tableau.
    ///
    /// - Parameter tableau: Stiffly accurate coefficients (y₁ is the last stage; its K starts the next step).
    public init(_ tableau: ESDIRKTableau) {
        require(tableau.isStifflyAccurate, "ESDIRK: \(tableau.name) is not stiffly accurate (last row = b, c_s = 1)")
        self.tableau = tableau
    }

    /// "Kværnø 5(4) (ESDIRK, order 5(4), 7 stages)".
    public var description: String {
        "\(tableau.name) (ESDIRK, order \(tableau.order)(\(tableau.errorEstimateOrder)), \(tableau.stageCount) stages)"
    }

    /// Kværnø 3(2) (diffrax's `Kvaerno3`): loose tolerances.
    public static let kvaerno3 = ESDIRK(.kvaerno3)
    /// Kværnø 4(3) (diffrax's `Kvaerno4`).
    public static let kvaerno4 = ESDIRK(.kvaerno4)
    /// Kværnø 5(4) (diffrax's `Kvaerno5`): tight tolerances.
    public static let kvaerno5 = ESDIRK(.kvaerno5)

    /// The dense output: the cubic Hermite interpolant through y₀, y₁ with slopes f(t₀, y₀) and f(t₁, y₁)
    /// (third order; Kværnø gives no continuous extension, and diffrax uses the same), over the vectors
    /// (f₀, (y₁ − y₀)/h, f₁).
    static let hermite = PackedTableau.denseWeightsOnly([[1, -2, 1], [0, 3, -2], [0, -1, 1]])
}

/// Solves a stiff `problem` with adaptive steps of an ESDIRK method (simplified Newton per stage).
///
/// - Parameters:
///   - problem: The vector field, initial state and time span (finite).
///   - method: `.kvaerno3`, `.kvaerno4`, `.kvaerno5` or any ``ESDIRK`` tableau.
///   - controller: Tolerances and step-size policy; the Newton iteration stops at 1/20 of the tolerance.
///   - jacobian: Where J comes from (f_t is not needed).
///   - linearSolver: How I/(γh) − J is factored (default: dense LU).
///   - saveAt: What to report (default: the final state); outputs use the cubic Hermite interpolant.
///   - stopTimes: Times the solver must step to exactly.
///   - maxSteps: The limit on trial steps (100 000).
/// - Returns: The solution, with Jacobian, factorisation and linear-solve counts in its statistics.
/// - Throws: as ``solve(_:using:controller:jacobian:linearSolver:saveAt:stopTimes:maxSteps:)`` for Rosenbrock
///   methods; ``SolverError/implicitStageFailed(time:stepSize:)`` when the Newton iteration fails down to
///   the smallest step.
public func solve<State: ODEState>(
    _ problem: ODEProblem<State>, using method: ESDIRK, controller: StepSizeController,
    jacobian: JacobianSource<State> = .finiteDifferences, linearSolver: LinearSolverKind = .denseLU,
    saveAt: SaveAt = .end, stopTimes: [Double] = [], maxSteps: Int = 100_000
) throws -> ODESolution<State> {
    try solveStiff(problem, controller: controller, jacobian: jacobian, linearSolver: linearSolver, saveAt: saveAt,
                   stopTimes: stopTimes, maxSteps: maxSteps) { ESDIRKStepper(method: method, system: $0) }
}

/// Solves `problem` with `stepCount` equal steps of an ESDIRK method (t_k = t₀ + k·(t₁ − t₀)/stepCount), each
/// stage's Newton iteration run to `newtonTolerance` (torchdiffeq's fixed-grid implicit solvers, with an
/// L-stable method).
///
/// - Parameters:
///   - problem: The vector field, initial state and time span (finite).
///   - method: `.kvaerno3`, `.kvaerno4`, `.kvaerno5` or any ``ESDIRK`` tableau.
///   - stepCount: The number of steps, positive.
///   - jacobian: Where J comes from.
///   - linearSolver: How I/(γh) − J is factored (default: dense LU).
///   - newtonTolerance: The iteration stops when its estimated error is below this (in the scaled norm with
///     rtol = atol = `newtonTolerance`: relative to |y| plus absolute); default 1e-10.
///   - saveAt: What to report (default: the final state).
/// - Returns: The solution.
/// - Throws: ``SolverError/implicitStageFailed(time:stepSize:)`` when a stage's iteration does not converge even
///   with a fresh Jacobian (use more steps); what the adaptive form throws for invalid input.
public func solve<State: ODEState>(
    _ problem: ODEProblem<State>, using method: ESDIRK, stepCount: Int,
    jacobian: JacobianSource<State> = .finiteDifferences, linearSolver: LinearSolverKind = .denseLU,
    newtonTolerance: Double = 1e-10, saveAt: SaveAt = .end
) throws -> ODESolution<State> {
    guard newtonTolerance > 0 && newtonTolerance.isFinite else {
        throw SolverError.invalidTolerance(name: "newtonTolerance", value: newtonTolerance, reason: "must be positive")
    }
    // The stepper stops at 1/20 of the controller's tolerance.
    let tolerance = Tolerance.scalar(20 * newtonTolerance)
    return try solveStiff(problem, controller: StepSizeController(relativeTolerance: tolerance, absoluteTolerance: tolerance),
                          jacobian: jacobian, linearSolver: linearSolver, saveAt: saveAt, stopTimes: [],
                          maxSteps: max(1, stepCount), fixedStepCount: stepCount) { ESDIRKStepper(method: method, system: $0) }
}
