/// One step of a Rosenbrock method on contiguous `Double` buffers (see ``RosenbrockTableau`` for the
/// scheme): J and f_t fresh at every step's start (the method's order needs the exact Jacobian there), one
/// factorisation per attempt, one linear solve per stage.
@usableFromInline
struct RosenbrockStepper<State: ODEState>: StiffStepper {
    @usableFromInline var system: StiffSystem<State>
    @usableFromInline let tableau: RosenbrockTableau
    @usableFromInline let densePacked: PackedTableau
    /// a and c row-major s × s (strictly lower).
    @usableFromInline let a: [Double], c: [Double]
    /// u₁ … u_s, each n values.
    @usableFromInline var u: [Double]
    @usableFromInline var stageInput: [Double]
    @usableFromInline var rhs: [Double]
    /// Whether J and f_t belong to the current step's start.
    @usableFromInline var jacobianIsCurrent = false

    @usableFromInline
    init(method: Rosenbrock, system: StiffSystem<State>) {
        self.system = system
        tableau = method.tableau
        densePacked = method.densePacked
        let s = tableau.stageCount, n = system.n
        var a = [Double](repeating: 0, count: s * s), c = a
        for i in 0..<s { for j in 0..<i { a[i * s + j] = tableau.a[i][j]; c[i * s + j] = tableau.c[i][j] } }
        self.a = a
        self.c = c
        u = [Double](repeating: 0, count: s * n)
        stageInput = [Double](repeating: 0, count: n)
        rhs = stageInput
    }

    @usableFromInline var errorEstimateOrder: Int { tableau.errorEstimateOrder }

    @usableFromInline
    mutating func attempt(time t: Double, stepSize h: Double, state y: [Double], next: inout [Double],
                          error: inout [Double], controller: StepSizeController) throws -> Bool {
        if !jacobianIsCurrent {
            try system.updateJacobian(time: t, state: y, needsTimeDerivative: true)
            jacobianIsCurrent = true
        }
        guard system.factorize(shift: 1 / (tableau.gamma * h)) else { return false }
        let s = tableau.stageCount, n = system.n
        let nodes = tableau.nodes, d = tableau.timeDerivativeWeights
        for i in 0..<s {
            // Right-hand side f(y + Σ aᵢⱼ uⱼ) + Σ (cᵢⱼ/h) uⱼ + h dᵢ f_t, then uᵢ = W⁻¹ · it.
            if i == 0 {
                for k in 0..<n { rhs[k] = system.derivativeAtStart[k] }
            } else {
                for k in 0..<n { stageInput[k] = y[k] }
                for j in 0..<i where a[i * s + j] != 0 {
                    let aij = a[i * s + j], offset = j * n
                    for k in 0..<n { stageInput[k] += aij * u[offset + k] }
                }
                try system.evaluate(t + nodes[i] * h, stageInput, into: &rhs)
            }
            let hd = h * d[i]
            if hd != 0 { for k in 0..<n { rhs[k] += hd * system.timeDerivative[k] } }
            for j in 0..<i where c[i * s + j] != 0 {
                let cij = c[i * s + j] / h, offset = j * n
                for k in 0..<n { rhs[k] += cij * u[offset + k] }
            }
            system.solve(&rhs)
            let offset = i * n
            for k in 0..<n { u[offset + k] = rhs[k] }
        }
        let m = tableau.weights, e = tableau.errorWeights
        for k in 0..<n { next[k] = y[k]; error[k] = 0 }
        for j in 0..<s {
            let offset = j * n
            if m[j] != 0 { for k in 0..<n { next[k] += m[j] * u[offset + k] } }
            if e[j] != 0 { for k in 0..<n { error[k] += e[j] * u[offset + k] } }
        }
        return true
    }

    @usableFromInline
    mutating func accept(time t: Double, state y: [Double], isLast: Bool) throws {
        jacobianIsCurrent = false
        if !isLast { try system.evaluateAtStart(t, y) }
    }

    @usableFromInline
    mutating func reject() {}   // J stays: the next attempt starts from the same point

    @usableFromInline
    func denseVectors(start y: [Double], end y1: [Double], stepSize h: Double) -> [[Double]] {
        let n = system.n
        return (0..<tableau.stageCount).map { j in (0..<n).map { u[j * n + $0] / h } }
    }
}
