import Requirements

/// The coefficients of a Rosenbrock (linearly implicit Runge–Kutta) method, as data, in the transformed
/// form of Hairer & Wanner (*Solving ODEs II*, 2nd ed., §IV.7, eq. (7.4′)) that their code RODAS uses: with
/// W = I/(γh) − J (J = ∂f/∂y at the step's start, f_t = ∂f/∂t), stage i solves
///
///     W uᵢ = f(t + αᵢh, y + Σ_{j<i} aᵢⱼ uⱼ) + Σ_{j<i} (cᵢⱼ/h) uⱼ + h·dᵢ·f_t,
///
/// and y₁ = y + Σ mᵢ uᵢ, with the error estimate Σ eᵢ uᵢ. The dense output is
///
///     y(t + θh) = (1 − θ) y₀ + θ (y₁ + (1 − θ)(D₁ + θ (D₂ + θ D₃ …))),   D_k = Σᵢ h_{k,i} uᵢ.
///
/// One factorisation of W serves all stages of a step; the method needs the exact Jacobian for its order.
public struct RosenbrockTableau: Sendable {
    /// A name for messages, e.g. "Rodas5P".
    public let name: String
    /// γ, the diagonal of the method.
    public let gamma: Double
    /// aᵢⱼ: row i holds i entries.
    public let a: [[Double]]
    /// cᵢⱼ: row i holds i entries.
    public let c: [[Double]]
    /// αᵢ: the stage times as fractions of the step.
    public let nodes: [Double]
    /// dᵢ: the coefficients of h·f_t (the row sums γᵢ of the original Γ).
    public let timeDerivativeWeights: [Double]
    /// mᵢ: the weights of y₁.
    public let weights: [Double]
    /// eᵢ: the weights of the error estimate.
    public let errorWeights: [Double]
    /// The rows h_k of the dense output's D_k.
    public let denseRows: [[Double]]
    /// The order of y₁.
    public let order: Int
    /// The order of the embedded solution y₁ − error (sets the controller exponent 1/(q+1)).
    public let errorEstimateOrder: Int
    /// The order of the dense output.
    public let denseOrder: Int

    /// Builds and checks a tableau (row lengths; one node, d, m and e per stage; Σ e over a stiffly
    /// accurate pair need not vanish, so no sum is checked).
    ///
    /// - Parameters:
    ///   - name: A name.
    ///   - gamma: γ.
    ///   - a: aᵢⱼ rows.
    ///   - c: cᵢⱼ rows.
    ///   - nodes: αᵢ.
    ///   - timeDerivativeWeights: dᵢ.
    ///   - weights: mᵢ.
    ///   - errorWeights: eᵢ.
    ///   - denseRows: The dense output's rows h_k.
    ///   - order: The order of y₁.
    ///   - errorEstimateOrder: The order of the embedded solution.
    ///   - denseOrder: The order of the dense output.
    public init(name: String, gamma: Double, a: [[Double]], c: [[Double]], nodes: [Double],
                timeDerivativeWeights: [Double], weights: [Double], errorWeights: [Double], denseRows: [[Double]],
                order: Int, errorEstimateOrder: Int, denseOrder: Int) {
        let s = nodes.count
        require(s > 0 && gamma > 0, "\(name): needs stages and γ > 0")
        require(a.count == s && c.count == s, "\(name): \(a.count) a rows and \(c.count) c rows for \(s) stages")
        for i in 0..<s {
            require(a[i].count == i && c[i].count == i, "\(name): row \(i) of a or c does not have \(i) entries")
        }
        require(timeDerivativeWeights.count == s && weights.count == s && errorWeights.count == s,
                "\(name): d, m and e need one entry per stage")
        require(denseRows.allSatisfy { $0.count == s }, "\(name): dense rows need one entry per stage")
        self.name = name
        self.gamma = gamma
        self.a = a
        self.c = c
        self.nodes = nodes
        self.timeDerivativeWeights = timeDerivativeWeights
        self.weights = weights
        self.errorWeights = errorWeights
        self.denseRows = denseRows
        self.order = order
        self.errorEstimateOrder = errorEstimateOrder
        self.denseOrder = denseOrder
    }

    /// The number of stages s.
    public var stageCount: Int { nodes.count }

    /// The dense output as weight polynomials over the stages: y(t + θh) = y₀ + Σᵢ wᵢ(θ) uᵢ, entry
    /// [i][m] the coefficient of θ^(m+1) in wᵢ.
    public var denseWeightPolynomials: [[Double]] {
        // θ mᵢ + Σ_k (θ^k − θ^(k+1)) h_{k,i}, k = 1, 2, …
        let degree = denseRows.count + 1
        return (0..<stageCount).map { i in
            var p = [Double](repeating: 0, count: degree)
            p[0] = weights[i]
            for (k, row) in denseRows.enumerated() {
                p[k] += row[i]
                p[k + 1] -= row[i]
            }
            return p
        }
    }

    /// The stability function R(z) = y₁ for y′ = λy, y₀ = 1, z = hλ (computed from the coefficients: each
    /// stage is (1/γ − z) uᵢ = z (1 + Σ aᵢⱼ uⱼ) + Σ cᵢⱼ uⱼ).
    ///
    /// - Parameter z: hλ (complex, as (real, imaginary)).
    /// - Returns: R(z), and the embedded solution's R̂(z) = R(z) − Σ eᵢ uᵢ.
    public func stabilityFunction(_ z: (re: Double, im: Double)) -> (value: (re: Double, im: Double),
                                                                     embedded: (re: Double, im: Double)) {
        let point = ComplexNumber(z)
        var u: [ComplexNumber] = []
        let w = ComplexNumber(1 / gamma) - point
        for i in 0..<stageCount {
            var stageInput = ComplexNumber(1), extra = ComplexNumber(0)
            for j in 0..<i {
                stageInput = stageInput + a[i][j] * u[j]
                extra = extra + c[i][j] * u[j]
            }
            u.append((point * stageInput + extra) / w)
        }
        var r = ComplexNumber(1), e = ComplexNumber(0)
        for i in 0..<stageCount {
            r = r + weights[i] * u[i]
            e = e + errorWeights[i] * u[i]
        }
        return (r.tuple, (r - e).tuple)
    }
}
