import Requirements

/// LU factorisation with partial pivoting of an n × n band matrix with `lower` sub- and `upper`
/// super-diagonals (the scheme of LAPACK's `dgbtrf`: pivoting widens U to `lower + upper` super-diagonals).
///
/// Row i keeps columns i − lower … i + lower + upper, so storage is n·(2·lower + upper + 1) values and a
/// factorisation costs O(n·lower·(lower + upper)) — for Hairer & Wanner's 1-D Brusselator (n = 1000, lower =
/// upper = 2) some 2·10⁴ operations instead of 7·10⁸ for a dense LU.
public struct BandedLU: LinearSolver, Sendable {
    /// n.
    public let dimension: Int
    /// Sub-diagonals of the matrix.
    public let lower: Int
    /// Super-diagonals of the matrix.
    public let upper: Int
    /// Stored columns per row: 2·lower + upper + 1.
    @usableFromInline let width: Int
    /// Row i, column j at `i * width + (j − i + lower)`.
    @usableFromInline var band: [Double]
    @usableFromInline var pivots: [Int]

    /// An empty factorisation.
    ///
    /// - Parameters:
    ///   - dimension: n ≥ 0.
    ///   - lower: Sub-diagonals, ≥ 0.
    ///   - upper: Super-diagonals, ≥ 0.
    public init(dimension: Int, lower: Int, upper: Int) {
        require(dimension >= 0 && lower >= 0 && upper >= 0,
                "BandedLU: dimension \(dimension), lower \(lower), upper \(upper) must not be negative")
        self.dimension = dimension
        self.lower = lower
        self.upper = upper
        width = 2 * lower + upper + 1
        band = [Double](repeating: 0, count: dimension * width)
        pivots = [Int](repeating: 0, count: dimension)
    }

    /// Factors `shift · I − jacobian`, reading only the band of `jacobian`.
    ///
    /// - Parameters:
    ///   - shift: The diagonal shift.
    ///   - jacobian: J, n × n.
    /// - Returns: `false` when the matrix is singular to working precision.
    public mutating func factorize(shift: Double, jacobian: DenseMatrix) -> Bool {
        let n = dimension, kl = lower, ku = upper, w = width
        require(jacobian.rows == n && jacobian.columns == n,
                "BandedLU: a \(jacobian.rows) × \(jacobian.columns) Jacobian for dimension \(n)")
        band.withUnsafeMutableBufferPointer { b in
            b.update(repeating: 0)
            jacobian.elements.withUnsafeBufferPointer { j in
                for i in 0..<n {
                    for c in max(0, i - kl)...min(n - 1, i + ku) { b[i * w + c - i + kl] = -j[i * n + c] }
                    b[i * w + kl] += shift
                }
            }
        }
        return decompose()
    }

    /// Factors the band matrix given by its entries (entries outside the band are ignored).
    ///
    /// - Parameter matrix: A, n × n.
    /// - Returns: `false` when A is singular to working precision.
    public mutating func factor(_ matrix: DenseMatrix) -> Bool {
        var negated = matrix
        for k in negated.elements.indices { negated.elements[k] = -negated.elements[k] }
        return factorize(shift: 0, jacobian: negated)
    }

    mutating func decompose() -> Bool {
        let n = dimension, kl = lower, ku = upper, w = width
        var regular = true
        band.withUnsafeMutableBufferPointer { b in
            pivots.withUnsafeMutableBufferPointer { p in
                // Entry (i, j) of the working matrix.
                @inline(__always) func at(_ i: Int, _ j: Int) -> Int { i * w + j - i + kl }
                for k in 0..<n {
                    let lastRow = min(n - 1, k + kl)
                    var best = k
                    var largest = abs(b[at(k, k)])
                    if k < lastRow {
                        for i in (k + 1)...lastRow where abs(b[at(i, k)]) > largest {
                            largest = abs(b[at(i, k)])
                            best = i
                        }
                    }
                    p[k] = best
                    guard largest > 0 && largest.isFinite else {
                        regular = false
                        return
                    }
                    let lastColumn = min(n - 1, k + kl + ku)
                    if best != k {
                        for j in k...lastColumn { b.swapAt(at(k, j), at(best, j)) }
                    }
                    guard k < lastRow else { continue }
                    let inverse = 1 / b[at(k, k)]
                    for i in (k + 1)...lastRow {
                        let l = b[at(i, k)] * inverse
                        b[at(i, k)] = l
                        if l == 0 || k == lastColumn { continue }
                        for j in (k + 1)...lastColumn { b[at(i, j)] -= l * b[at(k, j)] }
                    }
                }
            }
        }
        return regular
    }

    /// Solves A x = b with the factors.
    ///
    /// - Parameter x: b on entry, x on return.
    public func solve(_ x: UnsafeMutableBufferPointer<Double>) {
        let n = dimension, kl = lower, ku = upper, w = width
        require(x.count == n, "BandedLU.solve: \(x.count) values for dimension \(n)")
        band.withUnsafeBufferPointer { b in
            for k in 0..<n {
                if pivots[k] != k { x.swapAt(k, pivots[k]) }
                let xk = x[k]
                if xk != 0 {
                    for i in stride(from: k + 1, through: min(n - 1, k + kl), by: 1) { x[i] -= b[i * w + k - i + kl] * xk }
                }
            }
            for i in stride(from: n - 1, through: 0, by: -1) {
                var sum = x[i]
                for j in stride(from: i + 1, through: min(n - 1, i + kl + ku), by: 1) { sum -= b[i * w + j - i + kl] * x[j] }
                x[i] = sum / b[i * w + kl]
            }
        }
    }
}
