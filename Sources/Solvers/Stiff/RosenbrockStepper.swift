#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The working memory and one step of a Rosenbrock method on contiguous `Double` buffers.
///
/// The state type meets the stepper only at evaluations of f (and of an analytic Jacobian): the stage
/// input is written into a `State` with ``ODEState/assignScalars(from:)`` and the derivative read back, so
/// `[Float]` states factor and iterate in `Double`.
@usableFromInline
struct RosenbrockStepper<State: ODEState> {
    @usableFromInline let tableau: RosenbrockTableau
    @usableFromInline let f: VectorField<State>
    @usableFromInline let jacobianSource: JacobianSource<State>
    @usableFromInline let bandwidths: (lower: Int, upper: Int)?
    @usableFromInline var solver: any LinearSolver
    @usableFromInline let n: Int
    /// Flat coefficients: a and c row-major s × s (strictly lower), then nodes, d, m, e.
    @usableFromInline let a: [Double], c: [Double]
    /// u₁ … u_s, each n values.
    @usableFromInline var u: [Double]
    @usableFromInline var stageInput: [Double]
    @usableFromInline var rhs: [Double]
    @usableFromInline var derivativeAtStart: [Double]
    @usableFromInline var timeDerivative: [Double]
    @usableFromInline var jacobian: DenseMatrix
    @usableFromInline var stateIn: State
    @usableFromInline var stateOut: State
    @usableFromInline var statistics = SolverStatistics()

    @usableFromInline
    init(tableau: RosenbrockTableau, f: @escaping VectorField<State>, template: State,
         jacobian: JacobianSource<State>, linearSolver: LinearSolverKind) {
        self.tableau = tableau
        self.f = f
        jacobianSource = jacobian
        n = template.scalarCount
        let s = tableau.stageCount
        var a = [Double](repeating: 0, count: s * s), c = a
        for i in 0..<s { for j in 0..<i { a[i * s + j] = tableau.a[i][j]; c[i * s + j] = tableau.c[i][j] } }
        self.a = a
        self.c = c
        u = [Double](repeating: 0, count: s * n)
        stageInput = [Double](repeating: 0, count: n)
        rhs = stageInput
        derivativeAtStart = stageInput
        timeDerivative = stageInput
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

    /// f(t, x) into `rhs`.
    @usableFromInline
    mutating func evaluateIntoRightHandSide(_ t: Double, _ x: [Double]) throws {
        var out: [Double] = []
        swap(&out, &rhs)
        defer { swap(&out, &rhs) }
        try evaluate(t, x, into: &out)
    }

    /// f(t, y) into `derivativeAtStart`, the first stage of the next step.
    @usableFromInline
    mutating func evaluateAtStart(_ t: Double, _ y: [Double]) throws {
        var out: [Double] = []
        swap(&out, &derivativeAtStart)
        defer { swap(&out, &derivativeAtStart) }
        try evaluate(t, y, into: &out)
    }

    /// J and f_t at (t, y), where `derivativeAtStart` holds f(t, y).
    @usableFromInline
    mutating func updateJacobian(time t: Double, state y: [Double]) throws {
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
        switch jacobianSource.timeDerivative {
        case .zero:
            for i in 0..<n { timeDerivative[i] = 0 }
        case .analytic(let closure):
            try y.withUnsafeBufferPointer { try stateIn.assignScalars(from: $0) }
            try closure(t, stateIn, &stateOut)
            let count = n
            stateOut.withUnsafeScalars { d in for i in 0..<count { timeDerivative[i] = Double(d[i]) } }
        case .finiteDifferences:
            let delta = (Double.ulpOfOne).squareRoot() * max(1e-5, abs(t))
            try evaluateIntoRightHandSide(t + delta, y)
            for i in 0..<n { timeDerivative[i] = (rhs[i] - derivativeAtStart[i]) / delta }
        }
    }

    /// Forward differences with RADAU5's increments √(10⁻¹⁶·max(10⁻⁵, |yⱼ|)); with a band, the columns
    /// j, j + w, j + 2w, … (w = lower + upper + 1) share one evaluation.
    @usableFromInline
    mutating func finiteDifferenceJacobian(time t: Double, state y: [Double]) throws {
        var probe = y
        let groupStride = bandwidths.map { $0.lower + $0.upper + 1 } ?? 1
        let groups = bandwidths == nil ? n : min(n, groupStride)
        for g in 0..<groups {
            let columns = bandwidths == nil ? stride(from: g, through: g, by: 1)
                : stride(from: g, through: n - 1, by: groupStride)
            for j in columns { probe[j] = y[j] + (1e-16 * max(1e-5, abs(y[j]))).squareRoot() }
            try evaluateIntoRightHandSide(t, probe)
            for j in columns {
                let delta = probe[j] - y[j]
                let rows = bandwidths.map { max(0, j - $0.upper)...min(n - 1, j + $0.lower) } ?? 0...(n - 1)
                for i in rows { jacobian[i, j] = (rhs[i] - derivativeAtStart[i]) / delta }
                probe[j] = y[j]
            }
        }
    }

    /// Factors I/(γh) − J. Returns false when it is singular.
    @usableFromInline
    mutating func factorize(stepSize h: Double) -> Bool {
        statistics.factorizations += 1
        return solver.factorize(shift: 1 / (tableau.gamma * h), jacobian: jacobian)
    }

    /// One step from (t, y) of size h (after `factorize(stepSize: h)`): the stages into `u`, y₁ into `next`,
    /// the error estimate into `error`.
    @usableFromInline
    mutating func step(time t: Double, stepSize h: Double, state y: [Double], next: inout [Double],
                       error: inout [Double]) throws {
        let s = tableau.stageCount, n = self.n
        let nodes = tableau.nodes, d = tableau.timeDerivativeWeights
        // The buffers move into locals for the step (swaps, no copies), so that closures over them do not
        // overlap with the evaluations of f through `self`.
        var u: [Double] = [], x: [Double] = [], r: [Double] = []
        swap(&u, &self.u); swap(&x, &stageInput); swap(&r, &rhs)
        defer { swap(&u, &self.u); swap(&x, &stageInput); swap(&r, &rhs) }
        for i in 0..<s {
            // Stage input y + Σ aᵢⱼ uⱼ and right-hand side f(·) + Σ (cᵢⱼ/h) uⱼ + h dᵢ f_t.
            if i == 0 {
                for k in 0..<n { r[k] = derivativeAtStart[k] }
            } else {
                u.withUnsafeBufferPointer { uu in
                    x.withUnsafeMutableBufferPointer { xx in
                        for k in 0..<n { xx[k] = y[k] }
                        for j in 0..<i where a[i * s + j] != 0 {
                            let aij = a[i * s + j], stage = uu.baseAddress! + j * n
                            for k in 0..<n { xx[k] += aij * stage[k] }
                        }
                    }
                }
                try evaluate(t + nodes[i] * h, x, into: &r)
            }
            let hd = h * d[i]
            let solver = self.solver
            timeDerivative.withUnsafeBufferPointer { ft in
                u.withUnsafeMutableBufferPointer { uu in
                    r.withUnsafeMutableBufferPointer { rr in
                        if hd != 0 { for k in 0..<n { rr[k] += hd * ft[k] } }
                        for j in 0..<i where c[i * s + j] != 0 {
                            let cij = c[i * s + j] / h, stage = uu.baseAddress! + j * n
                            for k in 0..<n { rr[k] += cij * stage[k] }
                        }
                        solver.solve(rr)
                        let target = uu.baseAddress! + i * n
                        for k in 0..<n { target[k] = rr[k] }
                    }
                }
            }
            statistics.linearSolves += 1
        }
        let m = tableau.weights, e = tableau.errorWeights
        u.withUnsafeBufferPointer { uu in
            for k in 0..<n { next[k] = y[k]; error[k] = 0 }
            for j in 0..<s {
                let stage = uu.baseAddress! + j * n
                if m[j] != 0 { for k in 0..<n { next[k] += m[j] * stage[k] } }
                if e[j] != 0 { for k in 0..<n { error[k] += e[j] * stage[k] } }
            }
        }
    }

    /// The dense output inside the last step: y(t + θh) = y₀ + Σ wᵢ(θ) uᵢ.
    @usableFromInline
    func interpolate(theta: Double, start y: [Double], packed: PackedTableau, into out: inout [Double]) {
        let s = tableau.stageCount, n = self.n
        withUnsafeTemporaryAllocation(of: Double.self, capacity: max(8, (s + 7) / 8 * 8)) { w in
            packed.denseWeights(at: theta, scale: 1, into: w.baseAddress!)
            u.withUnsafeBufferPointer { uu in
                for k in 0..<n { out[k] = y[k] }
                for j in 0..<s {
                    let wj = w[j], stage = uu.baseAddress! + j * n
                    for k in 0..<n { out[k] += wj * stage[k] }
                }
            }
        }
    }
}
