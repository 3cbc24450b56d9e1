/// What every stiff method needs besides its coefficients: f through the state type, J and f_t from the
/// ``JacobianSource``, the factorisation of `shift · I − J` through the ``LinearSolver`` seam, and the counts.
///
/// The state type meets the methods only here: a vector is written into a `State` with
/// ``ODEState/assignScalars(from:)`` for each evaluation and the derivative read back, so the methods
/// work on contiguous `Double` buffers (and `[Float]` states factor and iterate in `Double`).
@usableFromInline
struct StiffSystem<State: ODEState> {
    @usableFromInline let f: VectorField<State>
    @usableFromInline let jacobianSource: JacobianSource<State>
    @usableFromInline let bandwidths: (lower: Int, upper: Int)?
    @usableFromInline var solver: any LinearSolver
    /// The dimension n.
    @usableFromInline let n: Int
    /// f(t, y) at the start of the current step.
    @usableFromInline var derivativeAtStart: [Double]
    /// f_t at the point of the last Jacobian.
    @usableFromInline var timeDerivative: [Double]
    /// J at the point of the last Jacobian.
    @usableFromInline var jacobian: DenseMatrix
    /// Scratch for evaluations inside the Jacobian.
    @usableFromInline var scratch: [Double]
    @usableFromInline var stateIn: State
    @usableFromInline var stateOut: State
    @usableFromInline var statistics = SolverStatistics()

    @usableFromInline
    init(f: @escaping VectorField<State>, template: State, jacobian: JacobianSource<State>,
         linearSolver: LinearSolverKind) {
        self.f = f
        jacobianSource = jacobian
        n = template.scalarCount
        derivativeAtStart = [Double](repeating: 0, count: n)
        timeDerivative = derivativeAtStart
        scratch = derivativeAtStart
        self.jacobian = DenseMatrix(rows: n, columns: n)
        solver = linearSolver.makeSolver(dimension: n)
        if case let .bandedLU(lower, upper) = linearSolver { bandwidths = (lower, upper) } else { bandwidths = nil }
        stateIn = template.makeCopy()
        stateOut = template.makeCopy()
    }

    /// f(t, x) into `out`, through the state type.
    @usableFromInline
    mutating func evaluate(_ t: Double, _ x: [Double], into out: inout [Double]) throws {
        try x.withUnsafeBufferPointer { try stateIn.assignScalars(from: $0) }
        try f(t, stateIn, &stateOut)
        statistics.functionEvaluations += 1
        let count = n
        stateOut.withUnsafeScalars { d in
            out.withUnsafeMutableBufferPointer { o in for i in 0..<count { o[i] = Double(d[i]) } }
        }
    }

    /// f(t, x) into `scratch`.
    @usableFromInline
    mutating func evaluateIntoScratch(_ t: Double, _ x: [Double]) throws {
        var out: [Double] = []
        swap(&out, &scratch)
        defer { swap(&out, &scratch) }
        try evaluate(t, x, into: &out)
    }

    /// f(t, y) into `derivativeAtStart`.
    @usableFromInline
    mutating func evaluateAtStart(_ t: Double, _ y: [Double]) throws {
        var out: [Double] = []
        swap(&out, &derivativeAtStart)
        defer { swap(&out, &derivativeAtStart) }
        try evaluate(t, y, into: &out)
    }

    /// J and f_t at (t, y), where `derivativeAtStart` holds f(t, y).
    ///
    /// - Parameter needsTimeDerivative: Whether to compute f_t too (Rosenbrock methods need it).
    @usableFromInline
    mutating func updateJacobian(time t: Double, state y: [Double], needsTimeDerivative: Bool) throws {
        statistics.jacobianEvaluations += 1
        jacobian.setZero()
        switch jacobianSource.matrix {
        case .analytic(let closure):
            try y.withUnsafeBufferPointer { try stateIn.assignScalars(from: $0) }
            try closure(t, stateIn, &jacobian)
            guard jacobian.rows == n && jacobian.columns == n else {
                throw SolverError.invalidJacobian(time: t, reason: "the closure made it \(jacobian.rows) × "
                                                  + "\(jacobian.columns), expected \(n) × \(n)")
            }
        case .finiteDifferences:
            try finiteDifferenceJacobian(time: t, state: y)
        }
        if let bad = jacobian.firstNonFiniteEntry() {
            throw SolverError.invalidJacobian(time: t, reason: "entry [\(bad.row), \(bad.column)] is \(bad.value)")
        }
        guard needsTimeDerivative else { return }
        switch jacobianSource.timeDerivative {
        case .zero:
            for i in 0..<n { timeDerivative[i] = 0 }
        case .analytic(let closure):
            try y.withUnsafeBufferPointer { try stateIn.assignScalars(from: $0) }
            try closure(t, stateIn, &stateOut)
            let count = n
            stateOut.withUnsafeScalars { d in for i in 0..<count { timeDerivative[i] = Double(d[i]) } }
        case .finiteDifferences:
            let delta = Double.ulpOfOne.squareRoot() * max(1e-5, abs(t))
            try evaluateIntoScratch(t + delta, y)
            for i in 0..<n { timeDerivative[i] = (scratch[i] - derivativeAtStart[i]) / delta }
        }
    }

    /// Forward differences with RADAU5's increments √(10⁻¹⁶·max(10⁻⁵, |yⱼ|)); with a band, the columns
    /// j, j + w, j + 2w, … (w = lower + upper + 1) share one evaluation (Curtis, Powell & Reid 1974).
    @usableFromInline
    mutating func finiteDifferenceJacobian(time t: Double, state y: [Double]) throws {
        var probe = y
        let groupStride = bandwidths.map { $0.lower + $0.upper + 1 } ?? 1
        let groups = bandwidths == nil ? n : min(n, groupStride)
        for g in 0..<groups {
            let columns = bandwidths == nil ? stride(from: g, through: g, by: 1)
                : stride(from: g, through: n - 1, by: groupStride)
            for j in columns { probe[j] = y[j] + (1e-16 * max(1e-5, abs(y[j]))).squareRoot() }
            try evaluateIntoScratch(t, probe)
            for j in columns {
                let delta = probe[j] - y[j]
                let rows = bandwidths.map { max(0, j - $0.upper)...min(n - 1, j + $0.lower) } ?? 0...(n - 1)
                for i in rows { jacobian[i, j] = (scratch[i] - derivativeAtStart[i]) / delta }
                probe[j] = y[j]
            }
        }
    }

    /// Factors `shift · I − J`. Returns false when it is singular.
    @usableFromInline
    mutating func factorize(shift: Double) -> Bool {
        statistics.factorizations += 1
        return solver.factorize(shift: shift, jacobian: jacobian)
    }

    /// Solves with the last factors, in place.
    @usableFromInline
    mutating func solve(_ x: inout [Double]) {
        statistics.linearSolves += 1
        let solver = self.solver
        x.withUnsafeMutableBufferPointer { solver.solve($0) }
    }
}

/// A stiff method's stepper, driven by the one adaptive loop all stiff methods share (`solveStiff`).
@usableFromInline
protocol StiffStepper {
    associatedtype State: ODEState
    /// f, J, the linear solver and the counts.
    var system: StiffSystem<State> { get set }
    /// q in the controller exponent 1/(q + 1).
    var errorEstimateOrder: Int { get }
    /// The dense output's weight polynomials over `denseVectors`.
    var densePacked: PackedTableau { get }
    /// Tries a step of size h from (t, y) — `system.derivativeAtStart` holds f(t, y) — writing y₁ and the
    /// error estimate. Returns false when the step failed before an error estimate existed (a singular
    /// iteration matrix, a Newton iteration that diverged): the loop then retries with a smaller step.
    mutating func attempt(time t: Double, stepSize h: Double, state y: [Double], next: inout [Double],
                          error: inout [Double], controller: StepSizeController) throws -> Bool
    /// The last attempt was accepted, ending at (t, y₁): prepare the next step's start (f(t, y₁) into
    /// `system.derivativeAtStart`, unless the method has it already).
    mutating func accept(time t: Double, state y: [Double], isLast: Bool) throws
    /// The last attempt was rejected by the error test.
    mutating func reject()
    /// The vectors K of the last step, so that y(t + θh) = y₀ + h Σ wᵢ(θ) Kᵢ with `densePacked`'s weights.
    func denseVectors(start y: [Double], end y1: [Double], stepSize h: Double) -> [[Double]]
}
