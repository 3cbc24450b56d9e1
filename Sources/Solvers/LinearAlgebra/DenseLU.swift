import Requirements

/// LU factorisation with partial (row) pivoting of a dense n × n matrix, P·A = L·U (Golub & Van Loan,
/// *Matrix Computations*, 4th ed., Algorithm 3.4.1), with forward and back substitution.
///
/// As a ``LinearSolver`` it factors `shift · I − J`; `factor(_:)` factors any square matrix.
public struct DenseLU: LinearSolver, Sendable {
    /// n.
    public let dimension: Int
    /// L (unit lower, below the diagonal) and U (on and above it), row-major.
    @usableFromInline var factors: [Double]
    /// Row i of the factors came from row `pivots[i]`'s position after the exchanges up to step i.
    @usableFromInline var pivots: [Int]

    /// An empty factorisation for n × n systems.
    ///
    /// - Parameter dimension: n ≥ 0.
    public init(dimension: Int) {
        require(dimension >= 0, "DenseLU: negative dimension \(dimension)")
        self.dimension = dimension
        factors = [Double](repeating: 0, count: dimension * dimension)
        pivots = [Int](repeating: 0, count: dimension)
    }

    /// Factors `matrix` (square, n × n).
    ///
    /// - Parameter matrix: The matrix A.
    /// - Returns: `false` when A is singular to working precision.
    public mutating func factor(_ matrix: DenseMatrix) -> Bool {
        require(matrix.rows == dimension && matrix.columns == dimension,
                "DenseLU: a \(matrix.rows) × \(matrix.columns) matrix for dimension \(dimension)")
        factors = matrix.elements
        return decompose()
    }

    /// Factors `shift · I − jacobian`.
    ///
    /// - Parameters:
    ///   - shift: The diagonal shift.
    ///   - jacobian: J, n × n.
    /// - Returns: `false` when the matrix is singular to working precision.
    public mutating func factorize(shift: Double, jacobian: DenseMatrix) -> Bool {
        require(jacobian.rows == dimension && jacobian.columns == dimension,
                "DenseLU: a \(jacobian.rows) × \(jacobian.columns) Jacobian for dimension \(dimension)")
        let n = dimension
        factors.withUnsafeMutableBufferPointer { a in
            jacobian.elements.withUnsafeBufferPointer { j in
                for k in 0..<(n * n) { a[k] = -j[k] }
                for i in 0..<n { a[i * n + i] += shift }
            }
        }
        return decompose()
    }

    /// Gaussian elimination in place, the largest remaining entry of each column as pivot.
    mutating func decompose() -> Bool {
        let n = dimension
        var regular = true
        factors.withUnsafeMutableBufferPointer { a in
            pivots.withUnsafeMutableBufferPointer { p in
                for k in 0..<n {
                    var best = k
                    var largest = abs(a[k * n + k])
                    for i in (k + 1)..<max(k + 1, n) where abs(a[i * n + k]) > largest {
                        largest = abs(a[i * n + k])
                        best = i
                    }
                    p[k] = best
                    guard largest > 0 && largest.isFinite else {
                        regular = false
                        return
                    }
                    if best != k {
                        for j in 0..<n { a.swapAt(k * n + j, best * n + j) }
                    }
                    let inverse = 1 / a[k * n + k]
                    for i in (k + 1)..<max(k + 1, n) {
                        let l = a[i * n + k] * inverse
                        a[i * n + k] = l
                        if l == 0 { continue }
                        for j in (k + 1)..<n { a[i * n + j] -= l * a[k * n + j] }
                    }
                }
            }
        }
        return regular
    }

    /// Solves A x = b with the factors of A.
    ///
    /// - Parameter x: b on entry, x on return.
    public func solve(_ x: UnsafeMutableBufferPointer<Double>) {
        let n = dimension
        require(x.count == n, "DenseLU.solve: \(x.count) values for dimension \(n)")
        factors.withUnsafeBufferPointer { a in
            for k in 0..<n where pivots[k] != k { x.swapAt(k, pivots[k]) }
            for i in 0..<n {
                var sum = x[i]
                for j in 0..<i { sum -= a[i * n + j] * x[j] }
                x[i] = sum
            }
            for i in stride(from: n - 1, through: 0, by: -1) {
                var sum = x[i]
                for j in (i + 1)..<max(i + 1, n) { sum -= a[i * n + j] * x[j] }
                x[i] = sum / a[i * n + i]
            }
        }
    }

    /// Solves A x = b, returning x.
    ///
    /// - Parameter b: The right-hand side, n values.
    /// - Returns: x.
    public func solve(_ b: [Double]) -> [Double] {
        var x = b
        x.withUnsafeMutableBufferPointer { solve($0) }
        return x
    }
}
