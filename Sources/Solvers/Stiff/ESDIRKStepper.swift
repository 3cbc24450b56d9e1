/// One step of an ESDIRK method on `Double` buffers, with the Jacobian and factorisation kept across steps.
@usableFromInline
struct ESDIRKStepper<State: ODEState>: StiffStepper {
    @usableFromInline var system: StiffSystem<State>
    @usableFromInline let tableau: ESDIRKTableau
    @usableFromInline var densePacked: PackedTableau { ESDIRK.hermite }
    /// K₁ … K_s, each n values.
    @usableFromInline var k: [Double]
    @usableFromInline var base: [Double], stage: [Double], residual: [Double], derivative: [Double]
    /// Whether J has been evaluated at all, and at the current step's start.
    @usableFromInline var hasJacobian = false
    @usableFromInline var jacobianIsFresh = false
    /// Whether the next step should start with a new J (the last iteration converged slowly).
    @usableFromInline var wantsNewJacobian = false
    /// hγ of the current factorisation (0: none).
    @usableFromInline var factoredStep = 0.0
    /// The largest Newton iterations per stage, and the rate above which J is refreshed.
    @usableFromInline let maximumIterations = 10
    @usableFromInline let slowRate = 0.5
    /// The iteration stops when its estimated remaining error is below this fraction of the tolerance
    /// (SciML's κ = 1/100).
    @usableFromInline let newtonTolerance = 0.01
    /// The last estimate of η = rate/(1 − rate), carried between stages and steps (1 after a new Jacobian).
    @usableFromInline var eta = 1.0

    @usableFromInline
    init(method: ESDIRK, system: StiffSystem<State>) {
        self.system = system
        tableau = method.tableau
        let n = system.n
        k = [Double](repeating: 0, count: tableau.stageCount * n)
        base = [Double](repeating: 0, count: n)
        stage = base
        residual = base
        derivative = base
    }

    @usableFromInline var errorEstimateOrder: Int { tableau.errorEstimateOrder }

    @usableFromInline
    mutating func attempt(time t: Double, stepSize h: Double, state y: [Double], next: inout [Double],
                          error: inout [Double], controller: StepSizeController) throws -> Bool {
        if !hasJacobian || (wantsNewJacobian && !jacobianIsFresh) { try refreshJacobian(t, y) }
        while try stages(time: t, stepSize: h, state: y, controller: controller) != .converged {
            // Singular or diverged: with an old J, try once more with a fresh one before asking for a smaller step.
            guard !jacobianIsFresh else { return false }
            try refreshJacobian(t, y)
        }
        let s = tableau.stageCount, n = system.n
        let b = tableau.weights, e = tableau.errorWeights
        for i in 0..<n { next[i] = y[i]; error[i] = 0 }
        for j in 0..<s {
            let offset = j * n, hb = h * b[j], he = h * e[j]
            for i in 0..<n {
                next[i] += hb * k[offset + i]
                error[i] += he * k[offset + i]
            }
        }
        for i in 0..<n { next[i] = stage[i] }   // stiffly accurate: y₁ is the last stage exactly
        return true
    }

    @usableFromInline
    enum StageOutcome { case converged, singular, diverged }

    @usableFromInline
    mutating func refreshJacobian(_ t: Double, _ y: [Double]) throws {
        // Differences need f(t, y) itself: the carried K_s misses it by the iteration's error / (hγ), which
        // divided by an increment of √ε·|yⱼ| would swamp the columns.
        if case .finiteDifferences = system.jacobianSource.matrix { try system.evaluateAtStart(t, y) }
        try system.updateJacobian(time: t, state: y, needsTimeDerivative: false)
        hasJacobian = true
        jacobianIsFresh = true
        eta = 1
        wantsNewJacobian = false
        factoredStep = 0
    }

    /// All stages by simplified Newton iterations; K₁ = f(t, y).
    @usableFromInline
    mutating func stages(time t: Double, stepSize h: Double, state y: [Double],
                         controller: StepSizeController) throws -> StageOutcome {
        let s = tableau.stageCount, n = system.n, g = tableau.gamma
        let hg = h * g
        if factoredStep != hg {
            guard system.factorize(shift: 1 / hg) else {
                factoredStep = 0
                return .singular
            }
            factoredStep = hg
        }
        for i in 0..<n { k[i] = system.derivativeAtStart[i] }
        var slowest = 0.0
        for stageIndex in 1..<s {
            // base = y + h Σ_{j<i} aᵢⱼ Kⱼ; predictor Y⁰ = base + hγ K_{i−1}.
            for i in 0..<n { base[i] = y[i] }
            for (j, aij) in tableau.a[stageIndex].enumerated() where aij != 0 {
                let offset = j * n, ha = h * aij
                for i in 0..<n { base[i] += ha * k[offset + i] }
            }
            let previous = (stageIndex - 1) * n
            for i in 0..<n { stage[i] = base[i] + hg * k[previous + i] }
            let time = t + tableau.nodes[stageIndex] * h
            var previousNorm = 0.0, rate = 0.0
            var converged = false
            for iteration in 0..<maximumIterations {
                try system.evaluate(time, stage, into: &derivative)
                // (I/(hγ) − J) Δ = (base + hγ f(Y) − Y) / (hγ).
                for i in 0..<n { residual[i] = (base[i] - stage[i]) / hg + derivative[i] }
                system.solve(&residual)
                var finite = true, atRounding = true
                for i in 0..<n {
                    stage[i] += residual[i]
                    if !residual[i].isFinite { finite = false }
                    if abs(residual[i]) > 8 * Double.ulpOfOne * abs(stage[i]) { atRounding = false }
                }
                guard finite else { return .diverged }
                // A correction at the rounding level of the stage: nothing left to gain (tolerances near ε).
                if atRounding { converged = true; break }
                let norm = controller.norm.scaledNorm(of: residual, start: y, end: y,
                                                      relativeTolerance: controller.relativeTolerance,
                                                      absoluteTolerance: controller.absoluteTolerance)
                if iteration > 0 {
                    rate = norm / previousNorm
                    // Corrections far below the tolerance are noise, whatever their ratio.
                    if norm <= 1e-2 * newtonTolerance { converged = true; break }
                    // Growing corrections: give up at a rate above 2 (SciML's NLNewton); between 1 and 2 the
                    // iteration may still settle (a stage whose predictor is already within the tolerance).
                    if rate > 2 { return .diverged }
                    if rate < 1 {
                        // Hairer's test: the remaining error η‖Δ‖ with η = rate/(1 − rate), and whether it can
                        // get small enough in the iterations left.
                        eta = rate / (1 - rate)
                        if eta * norm <= newtonTolerance { converged = true; break }
                        var power = 1.0
                        for _ in 0..<(maximumIterations - 1 - iteration) { power *= rate }
                        if power / (1 - rate) * norm > newtonTolerance { return .diverged }
                    }
                } else if max(eta, 1e-3).squareRoot() * norm <= newtonTolerance {
                    // The first correction, judged with the last iteration's rate (RADAU5 uses η^0.8; the
                    // square root is a little more cautious).
                    converged = true
                    break
                }
                previousNorm = norm
            }
            guard converged else { return .diverged }
            slowest = max(slowest, rate)
            // Kᵢ from the converged stage, (Yᵢ − base)/(hγ): no further evaluation, and no amplification of
            // the iteration's error by the stiff part of f.
            let offset = stageIndex * n
            for i in 0..<n { k[offset + i] = (stage[i] - base[i]) / hg }
        }
        if slowest > slowRate { wantsNewJacobian = true }
        return .converged
    }

    @usableFromInline
    mutating func accept(time t: Double, state y: [Double], isLast: Bool) throws {
        jacobianIsFresh = false
        // Stiffly accurate: the last K is f(t₁, y₁) (to the iteration's tolerance), the next step's first.
        let offset = (tableau.stageCount - 1) * system.n
        for i in 0..<system.n { system.derivativeAtStart[i] = k[offset + i] }
    }

    @usableFromInline
    mutating func reject() {}

    @usableFromInline
    func denseVectors(start y: [Double], end y1: [Double], stepSize h: Double) -> [[Double]] {
        let n = system.n
        let f0 = Array(k[0..<n])
        let f1 = Array(k[((tableau.stageCount - 1) * n)..<(tableau.stageCount * n)])
        return [f0, (0..<n).map { (y1[$0] - y[$0]) / h }, f1]
    }
}
