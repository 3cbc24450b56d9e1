import Requirements

/// The coefficients of an ESDIRK method — a diagonally implicit Runge–Kutta method with an explicit first
/// stage and one diagonal γ — as data. Stage i ≥ 1 solves the implicit equation
///
///     Yᵢ = y + h Σ_{j<i} aᵢⱼ Kⱼ + hγ Kᵢ,   Kᵢ = f(t + cᵢh, Yᵢ),
///
/// by a simplified Newton iteration with the matrix I − hγJ; y₁ = y + h Σ bᵢKᵢ and the error estimate is
/// h Σ eᵢKᵢ. Stiffly accurate tableaus (the last row equals b, c_s = 1) make y₁ the last stage and its K the
/// next step's first (FSAL).
public struct ESDIRKTableau: Sendable {
    /// A name, e.g. "Kværnø 5(4)".
    public let name: String
    /// γ.
    public let gamma: Double
    /// aᵢⱼ below the diagonal: row i holds i entries (row 0 empty).
    public let a: [[Double]]
    /// cᵢ.
    public let nodes: [Double]
    /// bᵢ.
    public let weights: [Double]
    /// eᵢ = bᵢ − b̂ᵢ.
    public let errorWeights: [Double]
    /// The order of y₁.
    public let order: Int
    /// The order of the embedded solution.
    public let errorEstimateOrder: Int

    /// Builds and checks a tableau: Σⱼ aᵢⱼ + γ = cᵢ for i ≥ 1, Σ b = 1 and Σ e = 0 (to 1e-12).
    ///
    /// - Parameters:
    ///   - name: A name.
    ///   - gamma: γ.
    ///   - a: The rows below the diagonal.
    ///   - nodes: c.
    ///   - weights: b.
    ///   - errorWeights: e = b − b̂.
    ///   - order: The order of y₁.
    ///   - errorEstimateOrder: The order of the embedded solution.
    public init(name: String, gamma: Double, a: [[Double]], nodes: [Double], weights: [Double],
                errorWeights: [Double], order: Int, errorEstimateOrder: Int) {
        let s = nodes.count
        require(s >= 2 && nodes[0] == 0 && gamma > 0, "\(name): needs an explicit first stage and γ > 0")
        require(a.count == s && weights.count == s && errorWeights.count == s, "\(name): sizes do not match \(s) stages")
        for i in 0..<s {
            require(a[i].count == i, "\(name): row \(i) has \(a[i].count) entries, expected \(i)")
            if i > 0 {
                let sum = a[i].reduce(0, +) + gamma
                require(abs(sum - nodes[i]) <= 1e-12 * max(1, abs(nodes[i])), "\(name): row \(i) sums to \(sum), not c = \(nodes[i])")
            }
        }
        require(abs(weights.reduce(0, +) - 1) <= 1e-12, "\(name): Σ b = \(weights.reduce(0, +))")
        require(abs(errorWeights.reduce(0, +)) <= 1e-12, "\(name): Σ e = \(errorWeights.reduce(0, +))")
        self.name = name
        self.gamma = gamma
        self.a = a
        self.nodes = nodes
        self.weights = weights
        self.errorWeights = errorWeights
        self.order = order
        self.errorEstimateOrder = errorEstimateOrder
    }

    /// The number of stages.
    public var stageCount: Int { nodes.count }

    /// Whether the last row equals b (with γ) and c_s = 1: y₁ is the last stage, and f(t₁, y₁) its K.
    public var isStifflyAccurate: Bool {
        let s = stageCount
        return nodes[s - 1] == 1 && abs(weights[s - 1] - gamma) <= 1e-15
            && zip(a[s - 1], weights).allSatisfy { abs($0 - $1) <= 1e-15 }
    }

    /// The stability function R(z) of y′ = λy, z = hλ, and R̂(z) of the embedded solution (computed from
    /// the coefficients: Yᵢ = (1 + z Σ_{j<i} aᵢⱼYⱼ) / (1 − γz), R = 1 + z Σ bᵢYᵢ).
    ///
    /// - Parameter z: hλ as (real, imaginary).
    /// - Returns: R(z) and R̂(z).
    public func stabilityFunction(_ z: (re: Double, im: Double)) -> (value: (re: Double, im: Double),
                                                                     embedded: (re: Double, im: Double)) {
        let point = ComplexNumber(z), one = ComplexNumber(1)
        var stages = [one]
        for i in 1..<stageCount {
            var sum = ComplexNumber(0)
            for j in 0..<i { sum = sum + a[i][j] * stages[j] }
            stages.append((one + point * sum) / (one - gamma * point))
        }
        var r = ComplexNumber(0), e = ComplexNumber(0)
        for i in 0..<stageCount {
            r = r + weights[i] * stages[i]
            e = e + errorWeights[i] * stages[i]
        }
        return ((one + point * r).tuple, (one + point * r - point * e).tuple)
    }
}
