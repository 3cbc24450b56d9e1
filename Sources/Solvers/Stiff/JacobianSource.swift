/// Where a stiff solve gets J = ∂f/∂y and f_t = ∂f/∂t.
///
///     // Analytic (what SciPy's `jac=` and DifferentialEquations.jl's `jac` give):
///     let jacobian = JacobianSource<[Double]>.analytic { t, y, J in
///         J[0, 0] = -0.04; J[0, 1] = 1e4 * y[2]; …
///     }
///
/// Finite differences cost n evaluations of f per Jacobian (fewer with a banded ``LinearSolverKind``: the
/// columns are probed in groups of `lower + upper + 1`, Curtis, Powell & Reid 1974); they are counted in
/// the solve's `functionEvaluations`.
public struct JacobianSource<State: ODEState> {
    /// How J is computed.
    public enum Matrix {
        /// Forward differences, column by column, with the increment √ε·max(|yⱼ|, typical) (Hairer & Wanner,
        /// *Solving ODEs II*, §IV.8, as in RADAU5: √(10⁻¹⁶·max(10⁻⁵, |yⱼ|))).
        case finiteDifferences
        /// A closure that writes ∂fᵢ/∂yⱼ into the n × n matrix it is given (zeroed before each call).
        case analytic((_ time: Double, _ state: State, _ jacobian: inout DenseMatrix) throws -> Void)
    }

    /// How f_t is computed.
    public enum TimeDerivative {
        /// One forward difference in t (one evaluation of f per Jacobian).
        case finiteDifferences
        /// f does not depend on t: f_t = 0, no evaluation.
        case zero
        /// A closure that writes ∂f/∂t into its third argument.
        case analytic((_ time: Double, _ state: State, _ derivative: inout State) throws -> Void)
    }

    /// How J is computed.
    public var matrix: Matrix
    /// How f_t is computed.
    public var timeDerivative: TimeDerivative

    /// A source of J and f_t.
    ///
    /// - Parameters:
    ///   - matrix: How J is computed.
    ///   - timeDerivative: How f_t is computed.
    public init(matrix: Matrix, timeDerivative: TimeDerivative = .finiteDifferences) {
        self.matrix = matrix
        self.timeDerivative = timeDerivative
    }

    /// Finite differences for J and f_t (the default).
    public static var finiteDifferences: Self { Self(matrix: .finiteDifferences) }

    /// Finite differences for J; f_t = 0 (an autonomous problem).
    public static var finiteDifferencesAutonomous: Self { Self(matrix: .finiteDifferences, timeDerivative: .zero) }

    /// An analytic Jacobian, and f_t as given.
    ///
    /// - Parameters:
    ///   - timeDerivative: How f_t is computed (default: one forward difference in t; `.zero` for an
    ///     autonomous problem).
    ///   - jacobian: Writes ∂fᵢ/∂yⱼ into `J[i, j]` (the matrix arrives zeroed).
    /// - Returns: The source.
    public static func analytic(timeDerivative: TimeDerivative = .finiteDifferences,
                                _ jacobian: @escaping (_ time: Double, _ state: State,
                                                       _ jacobian: inout DenseMatrix) throws -> Void) -> Self {
        Self(matrix: .analytic(jacobian), timeDerivative: timeDerivative)
    }
}
