/// Shampine & Reichelt's Rosenbrock 2(3) (L. F. Shampine, M. W. Reichelt, "The MATLAB ODE Suite", SIAM J.
/// Sci. Comput. 18 (1997) 1–22; MATLAB's `ode23s`, SciML's `Rosenbrock23`): a second-order L-stable
/// W-method with d = 1/(2 + √2), a third-order error estimate from one more evaluation that is also the next
/// step's first (FSAL), and a second-order interpolant. Cheap per step — three linear solves, two new
/// evaluations — for small systems at loose tolerances (1e-2 … 1e-4).
///
///     let solution = try solve(problem, using: .rosenbrock23, controller: controller)
public struct Rosenbrock23: Sendable, CustomStringConvertible {
    /// d = 1/(2 + √2).
    public static let d = 1 / (2 + 2.0.squareRoot())
    /// e₃₂ = 6 + √2.
    public static let e32 = 6 + 2.0.squareRoot()

    /// The method (it has no parameters).
    public init() {}

    /// "Rosenbrock 2(3) (Shampine–Reichelt, ode23s)".
    public var description: String { "Rosenbrock 2(3) (Shampine–Reichelt, ode23s)" }

    /// The method.
    public static let rosenbrock23 = Rosenbrock23()

    /// The interpolant y(t + θh) = y₀ + h (θ(1 − θ) k₁ + θ(θ − 2d) k₂) / (1 − 2d).
    static let dense: PackedTableau = {
        let scale = 1 / (1 - 2 * d)
        return .denseWeightsOnly([[scale, -scale], [-2 * d * scale, scale]])
    }()
}

/// Solves a stiff `problem` with adaptive steps of Rosenbrock 2(3) (`ode23s`).
///
/// - Parameters:
///   - problem: The vector field, initial state and time span (finite).
///   - method: `.rosenbrock23`.
///   - controller: Tolerances and step-size policy.
///   - jacobian: Where J and f_t come from (default: finite differences for both).
///   - linearSolver: How I/(dh) − J is factored (default: dense LU).
///   - saveAt: What to report (default: the final state).
///   - stopTimes: Times the solver must step to exactly.
///   - maxSteps: The limit on trial steps (100 000).
/// - Returns: The solution, with Jacobian, factorisation and linear-solve counts in its statistics.
/// - Throws: as the Rosenbrock form (``SolverError``; what the vector field or the Jacobian closure throws).
public func solve<State: ODEState>(
    _ problem: ODEProblem<State>, using method: Rosenbrock23, controller: StepSizeController,
    jacobian: JacobianSource<State> = .finiteDifferences, linearSolver: LinearSolverKind = .denseLU,
    saveAt: SaveAt = .end, stopTimes: [Double] = [], maxSteps: Int = 100_000
) throws -> ODESolution<State> {
    try solveStiff(problem, controller: controller, jacobian: jacobian, linearSolver: linearSolver, saveAt: saveAt,
                   stopTimes: stopTimes, maxSteps: maxSteps) { Rosenbrock23Stepper(system: $0) }
}

/// Solves `problem` with `stepCount` equal steps of Rosenbrock 2(3).
///
/// - Parameters:
///   - problem: The vector field, initial state and time span (finite).
///   - method: `.rosenbrock23`.
///   - stepCount: The number of steps, positive.
///   - jacobian: Where J and f_t come from.
///   - linearSolver: How I/(dh) − J is factored.
///   - saveAt: What to report (default: the final state).
/// - Returns: The solution.
/// - Throws: as the adaptive form.
public func solve<State: ODEState>(
    _ problem: ODEProblem<State>, using method: Rosenbrock23, stepCount: Int,
    jacobian: JacobianSource<State> = .finiteDifferences, linearSolver: LinearSolverKind = .denseLU,
    saveAt: SaveAt = .end
) throws -> ODESolution<State> {
    try solveStiff(problem, controller: StepSizeController(relativeTolerance: 1, absoluteTolerance: 1),
                   jacobian: jacobian, linearSolver: linearSolver, saveAt: saveAt, stopTimes: [],
                   maxSteps: max(1, stepCount), fixedStepCount: stepCount) { Rosenbrock23Stepper(system: $0) }
}

/// One step of Rosenbrock 2(3) on `Double` buffers: W = I − hdJ factored once (as I/(hd) − J), three solves.
@usableFromInline
struct Rosenbrock23Stepper<State: ODEState>: StiffStepper {
    @usableFromInline var system: StiffSystem<State>
    @usableFromInline var k1: [Double], k2: [Double], k3: [Double], f1: [Double], f2: [Double], x: [Double]
    @usableFromInline var jacobianIsCurrent = false

    @usableFromInline
    init(system: StiffSystem<State>) {
        self.system = system
        let zero = [Double](repeating: 0, count: system.n)
        (k1, k2, k3, f1, f2, x) = (zero, zero, zero, zero, zero, zero)
    }

    @usableFromInline var errorEstimateOrder: Int { 2 }
    @usableFromInline var densePacked: PackedTableau { Rosenbrock23.dense }

    /// `out` = W⁻¹ `out`, with W = I − hdJ = hd (I/(hd) − J).
    @usableFromInline
    static func applyInverse(_ out: inout [Double], hd: Double, system: inout StiffSystem<State>) {
        for i in out.indices { out[i] /= hd }
        system.solve(&out)
    }

    @usableFromInline
    mutating func attempt(time t: Double, stepSize h: Double, state y: [Double], next: inout [Double],
                          error: inout [Double], controller: StepSizeController) throws -> Bool {
        if !jacobianIsCurrent {
            try system.updateJacobian(time: t, state: y, needsTimeDerivative: true)
            jacobianIsCurrent = true
        }
        let d = Rosenbrock23.d, e32 = Rosenbrock23.e32, hd = h * d, n = system.n
        guard system.factorize(shift: 1 / hd) else { return false }
        let f0 = system.derivativeAtStart, ft = system.timeDerivative
        for i in 0..<n { k1[i] = f0[i] + hd * ft[i] }
        Self.applyInverse(&k1, hd: hd, system: &system)
        for i in 0..<n { x[i] = y[i] + 0.5 * h * k1[i] }
        try system.evaluate(t + 0.5 * h, x, into: &f1)
        for i in 0..<n { k2[i] = f1[i] - k1[i] }
        Self.applyInverse(&k2, hd: hd, system: &system)
        for i in 0..<n { k2[i] += k1[i]; next[i] = y[i] + h * k2[i] }
        try system.evaluate(t + h, next, into: &f2)
        for i in 0..<n { k3[i] = f2[i] - e32 * (k2[i] - f1[i]) - 2 * (k1[i] - f0[i]) + hd * ft[i] }
        Self.applyInverse(&k3, hd: hd, system: &system)
        for i in 0..<n { error[i] = h / 6 * (k1[i] - 2 * k2[i] + k3[i]) }
        return true
    }

    @usableFromInline
    mutating func accept(time t: Double, state y: [Double], isLast: Bool) throws {
        jacobianIsCurrent = false
        system.derivativeAtStart = f2   // f(t₁, y₁), evaluated by the step (FSAL)
    }

    @usableFromInline
    mutating func reject() {}

    @usableFromInline
    func denseVectors(start y: [Double], end y1: [Double], stepSize h: Double) -> [[Double]] { [k1, k2] }
}
