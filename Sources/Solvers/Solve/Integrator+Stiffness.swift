/// Evidence that a problem is stiff for an explicit method, from Hairer's test (Hairer & Wanner, *Solving
/// ODEs I*, §IV.2, as in DOPRI5): ρ = ‖k_s − k_{s−1}‖ / ‖Y_s − Y_{s−1}‖ estimates the largest |λ| of the
/// Jacobian from the last two stages of a step; when h·ρ reaches the method's stability boundary on the
/// negative real axis, the step size is limited by stability, not accuracy.
public struct StiffnessDiagnosis: Sendable, Equatable, CustomStringConvertible {
    /// h·ρ at the last trial step.
    public var stepTimesEigenvalue: Double
    /// The method's stability boundary: the largest x with |R(−x′)| ≤ 1 for all 0 ≤ x′ ≤ x.
    public var stabilityBoundary: Double

    /// Whether h·ρ is at 90% of the boundary or beyond: the step is held by stability.
    public var isStiff: Bool { stepTimesEigenvalue >= 0.9 * stabilityBoundary }

    /// A diagnosis.
    ///
    /// - Parameters:
    ///   - stepTimesEigenvalue: h·ρ.
    ///   - stabilityBoundary: The method's real stability boundary.
    public init(stepTimesEigenvalue: Double, stabilityBoundary: Double) {
        self.stepTimesEigenvalue = stepTimesEigenvalue
        self.stabilityBoundary = stabilityBoundary
    }

    /// "h·|λ| ≈ 3.29 against the method's stability boundary 3.31".
    public var description: String {
        let estimate = (stepTimesEigenvalue * 100).rounded() / 100, boundary = (stabilityBoundary * 100).rounded() / 100
        return "h·|λ| ≈ \(estimate) against the method's stability boundary \(boundary)"
    }
}

extension ButcherTableau {
    /// The stability boundary on the negative real axis: the largest x such that |R(−x′)| ≤ 1 for every
    /// x′ in [0, x], R the method's stability polynomial (scanned in steps of 10⁻³ up to 100).
    public var realStabilityBoundary: Double {
        var x = 0.0
        while x < 100 {
            let next = x + 1e-3
            if abs(stabilityPolynomial(-next)) > 1 + 1e-12 { return x }
            x = next
        }
        return x
    }

    /// R(z) = 1 + z bᵀ(I − zA)⁻¹𝟙 of the explicit method at a real z, by the stage recursion.
    func stabilityPolynomial(_ z: Double) -> Double {
        var stages: [Double] = []
        for row in coefficients {
            stages.append(1 + z * zip(row, stages).reduce(0) { $0 + $1.0 * $1.1 })
        }
        return 1 + z * zip(weights, stages).reduce(0) { $0 + $1.0 * $1.1 }
    }
}

extension Integrator {
    /// Hairer's stiffness estimate from the stages of the trial step of size `h` just taken, or nil when the
    /// method has fewer than three stages or the stages coincide.
    @inlinable
    func stiffnessDiagnosis(stepSize h: Double) -> StiffnessDiagnosis? {
        let tableau = method.tableau
        let s = tableau.stageCount
        guard s >= 3 else { return nil }
        let last = s - 1, previous = s - 2
        let rowLast = tableau.coefficients[last], rowPrevious = tableau.coefficients[previous]
        var numerator = 0.0, denominator = 0.0
        let n = workspace.stages[0].scalarCount
        var difference = [Double](repeating: 0, count: n)
        for j in 0..<last {
            let weight = h * (rowLast[j] - (j < rowPrevious.count ? rowPrevious[j] : 0))
            guard weight != 0 else { continue }
            workspace.stages[j].withUnsafeScalars { k in for i in 0..<n { difference[i] += weight * Double(k[i]) } }
        }
        for i in 0..<n { denominator += difference[i] * difference[i] }
        workspace.stages[last].withUnsafeScalars { a in
            workspace.stages[previous].withUnsafeScalars { b in
                for i in 0..<n { numerator += (Double(a[i]) - Double(b[i])) * (Double(a[i]) - Double(b[i])) }
            }
        }
        guard denominator > 0, numerator.isFinite else { return nil }
        return StiffnessDiagnosis(stepTimesEigenvalue: abs(h) * (numerator / denominator).squareRoot(),
                                  stabilityBoundary: tableau.realStabilityBoundary)
    }
}
