/// A Rosenbrock (linearly implicit) method for stiff problems: one LU factorisation of I/(γh) − J per
/// step, no Newton iteration. Use it where an explicit method crawls ("step size underflow", "too many
/// steps"): chemical kinetics, Van der Pol with large μ, stiff learned dynamics.
///
///     let solution = try solve(robertson, using: .rodas5P, controller: StepSizeController(
///         relativeTolerance: 1e-8, absoluteTolerance: 1e-10), jacobian: .analytic { t, y, J in … })
public struct Rosenbrock: Sendable, CustomStringConvertible {
    /// The coefficients.
    public let tableau: RosenbrockTableau
    /// Weight polynomials of the dense output, packed once.
    @usableFromInline let densePacked: PackedTableau

    /// A method from its tableau.
    ///
    /// - Parameter tableau: The coefficients.
    public init(_ tableau: RosenbrockTableau) {
        self.tableau = tableau
        densePacked = .denseWeightsOnly(tableau.denseWeightPolynomials)
    }

    /// "Rodas5P (Rosenbrock, order 5(4), 8 stages)".
    public var description: String {
        "\(tableau.name) (Rosenbrock, order \(tableau.order)(\(tableau.errorEstimateOrder)), \(tableau.stageCount) stages)"
    }

    /// Rodas4 (Hairer & Wanner's RODAS): order 4(3), six stages, L-stable; a good choice at moderate
    /// tolerances (1e-3 … 1e-6).
    public static let rodas4 = Rosenbrock(.rodas4)
    /// Rodas5P (Steinebach 2023): order 5(4), eight stages, L-stable; the choice at tight tolerances and
    /// SciML's default for small stiff systems.
    public static let rodas5P = Rosenbrock(.rodas5P)
}
