/// The seam between the stiff methods and linear algebra: factor the iteration matrix
/// `shift · I − J` of a step once, then solve with it for every stage.
///
/// The methods never touch the factors; a solver may store them in any layout (dense, banded, sparse) and
/// may read only the part of `J` it needs. The mass matrix is the identity here (M = I is the value this
/// seam passes; a constant mass matrix is a later extension of `factorize`).
public protocol LinearSolver {
    /// The dimension n of the systems.
    var dimension: Int { get }
    /// Factors `shift · I − jacobian` (n × n).
    ///
    /// - Parameters:
    ///   - shift: The diagonal shift, 1/(γh) for a step of size h of a method with diagonal γ.
    ///   - jacobian: J = ∂f/∂y.
    /// - Returns: `false` when the matrix is singular to working precision (the factors are then unusable).
    mutating func factorize(shift: Double, jacobian: DenseMatrix) -> Bool
    /// Overwrites `x` (a right-hand side b) with the solution of `(shift · I − J) x = b`, using the last factors.
    ///
    /// - Parameter x: The right-hand side on entry, the solution on return; n values.
    func solve(_ x: UnsafeMutableBufferPointer<Double>)
}

/// Which ``LinearSolver`` a stiff solve factors its iteration matrices with.
public enum LinearSolverKind: Sendable, Equatable {
    /// Dense LU with partial pivoting (``DenseLU``): any Jacobian; O(n³) per factorisation.
    case denseLU
    /// Banded LU with partial pivoting (``BandedLU``) for Jacobians with `lower` sub- and `upper`
    /// super-diagonals: O(n·lower·(lower + upper)) per factorisation. Entries outside the band are ignored.
    case bandedLU(lower: Int, upper: Int)

    /// A solver of this kind for n-dimensional systems.
    ///
    /// - Parameter dimension: n.
    /// - Returns: The solver.
    public func makeSolver(dimension: Int) -> any LinearSolver {
        switch self {
        case .denseLU: return DenseLU(dimension: dimension)
        case let .bandedLU(lower, upper): return BandedLU(dimension: dimension, lower: lower, upper: upper)
        }
    }
}
