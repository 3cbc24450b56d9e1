import Requirements

/// A Runge–Kutta method's dense output: inside a step from t₀ with size h,
///
///     y(t₀ + θh) = y₀ + h Σ_i w_i(θ) K_i,   0 ≤ θ ≤ 1,
///
/// where K are the dense stages (the method's s stages, then f(t₁, y₁) when it is not already the last
/// stage, then any extra stages) and each weight w_i(θ) is a polynomial with w_i(0) = 0 and
/// w_i(1) = b_i. (Hairer, Nørsett & Wanner, *Solving ODEs I*, 2nd ed., §II.6 "Dense Output".)
public struct ContinuousExtension: Sendable {
    /// The order of the interpolant (local error O(h^(order+1)) at every θ).
    public let order: Int
    /// The number of dense stages K.
    public let stageCount: Int
    /// Whether the weights use f(t₁, y₁).
    public let usesEndpointDerivative: Bool
    /// Index of the first extra stage (after the method's stages and f(t₁, y₁)).
    public let firstExtraStage: Int
    /// c of the extra stages.
    public let extraNodes: [Double]
    /// A rows of the extra stages, each over all dense stages before it.
    public let extraCoefficients: [[Double]]
    /// Per dense stage, the coefficients of θ¹, θ², … of w_i(θ).
    public let weightPolynomials: [[Double]]
    /// The polynomial coefficients packed with stride `degree` for evaluation.
    @usableFromInline let packedPolynomials: [Double]
    /// The highest power of θ.
    @usableFromInline let degree: Int

    /// An extension from explicit weight polynomials (coefficients of θ¹, θ², … per dense stage).
    ///
    /// - Parameters:
    ///   - order: The extension's order.
    ///   - weightPolynomials: Per dense stage, the coefficients of θ¹, θ², … of its weight.
    ///   - usesEndpointDerivative: Whether f(t₁, y₁) is one of the dense stages.
    ///   - firstExtraStage: The index of the first stage evaluated only for dense output.
    ///   - extraNodes: The nodes of the extra stages.
    ///   - extraCoefficients: The coefficient rows of the extra stages, over all earlier stages.
    public init(order: Int, weightPolynomials: [[Double]], usesEndpointDerivative: Bool,
                firstExtraStage: Int, extraNodes: [Double] = [], extraCoefficients: [[Double]] = []) {
        require(extraNodes.count == extraCoefficients.count, "one node per extra stage")
        require(weightPolynomials.count == firstExtraStage + extraNodes.count,
                "\(weightPolynomials.count) weight polynomials for \(firstExtraStage + extraNodes.count) dense stages")
        self.order = order
        self.stageCount = weightPolynomials.count
        self.usesEndpointDerivative = usesEndpointDerivative
        self.firstExtraStage = firstExtraStage
        self.extraNodes = extraNodes
        self.extraCoefficients = extraCoefficients
        self.weightPolynomials = weightPolynomials
        let degree = max(1, weightPolynomials.map(\.count).max() ?? 1)
        self.degree = degree
        var packed = [Double](repeating: 0, count: degree * weightPolynomials.count)
        for (i, p) in weightPolynomials.enumerated() { for (m, x) in p.enumerated() { packed[i * degree + m] = x } }
        packedPolynomials = packed
    }

    /// The cubic Hermite interpolant through y₀, y₁ with slopes f(t₀, y₀) = k₁ and f(t₁, y₁): third order,
    /// for methods without a better extension. With `isFirstSameAsLast` the last stage is f(t₁, y₁);
    /// otherwise it becomes one extra dense stage (one more evaluation per step that needs output).
    ///
    /// - Parameters:
    ///   - b: The method's weights.
    ///   - isFirstSameAsLast: Whether the method's last stage is f(t₁, y₁).
    /// - Returns: The extension.
    public static func hermite(weights b: [Double], isFirstSameAsLast: Bool) -> ContinuousExtension {
        let s = b.count
        let count = isFirstSameAsLast ? s : s + 1
        // y(θ) = y₀ + (3θ² − 2θ³)(y₁ − y₀) + h(θ − 2θ² + θ³) f₀ + h(θ³ − θ²) f₁, with y₁ − y₀ = h Σ b_i k_i.
        var polynomials = [[Double]](repeating: [0, 0, 0], count: count)
        for i in 0..<s { polynomials[i] = [0, 3 * b[i], -2 * b[i]] }
        for m in 0..<3 { polynomials[0][m] += [1, -2, 1][m] }
        for m in 0..<3 { polynomials[count - 1][m] += [0, -1, 1][m] }
        return ContinuousExtension(order: 3, weightPolynomials: polynomials, usesEndpointDerivative: true,
                                   firstExtraStage: count)
    }

    /// Converts Hairer's nested form (as in DOPRI5's CONTD5 and DOP853's CONTD8) to weight polynomials:
    ///
    ///     y(θ) = y₀ + θ(r₁ + (1−θ)(r₂ + θ(r₃ + (1−θ)(r₄ + θ(r₅ + …)))))
    ///
    /// with r₁ = y₁ − y₀, r₂ = h k₁ − r₁, r₃ = r₁ − h f(t₁, y₁) − r₂ and r₄, r₅, … = h Σ d_{·,i} K_i.
    /// `weights` are b over the method's stages; `endpoint` is the index of f(t₁, y₁); `dRows` are over all
    /// dense stages.
    ///
    /// - Parameters:
    ///   - b: The method's weights b.
    ///   - endpoint: The index of the stage f(t₁, y₁).
    ///   - stageCount: The number of dense stages.
    ///   - dRows: The rows of Hairer's d coefficients, over all dense stages.
    /// - Returns: Per dense stage, the coefficients of θ¹, θ², … of its weight.
    public static func hairerNestedPolynomials(weights b: [Double], endpoint: Int, stageCount: Int,
                                               dRows: [[Double]]) -> [[Double]] {
        func vector(_ fill: (Int) -> Double) -> [Double] { (0..<stageCount).map(fill) }
        let r1 = vector { $0 < b.count ? b[$0] : 0 }
        let unitFirst = vector { $0 == 0 ? 1 : 0 }
        let unitEnd = vector { $0 == endpoint ? 1 : 0 }
        let r2 = vector { unitFirst[$0] - r1[$0] }
        let r3 = vector { r1[$0] - unitEnd[$0] - r2[$0] }
        let rows = [r1, r2, r3] + dRows.map { row in vector { $0 < row.count ? row[$0] : 0 } }
        return (0..<stageCount).map { i in
            // Innermost first: P ← r_{k−1} + m_k·P with m_k = (1 − θ) for odd k and θ for even k;
            // finally w_i = θ·P, so P's coefficient of θ^m is w_i's coefficient of θ^(m+1).
            let last = rows.count - 1
            var p: [Double] = [rows[last][i]]
            for k in stride(from: last, through: 1, by: -1) {
                var q = [Double](repeating: 0, count: p.count + 1)
                for (m, x) in p.enumerated() {
                    if k % 2 == 1 { q[m] += x; q[m + 1] -= x } else { q[m + 1] += x }
                }
                q[0] += rows[k - 1][i]
                p = q
            }
            return p
        }
    }
}
