import Requirements

/// A dense n × m matrix of `Double`s, row-major: what a Jacobian closure fills (`J[i, j] = ∂fᵢ/∂yⱼ`).
public struct DenseMatrix: Sendable, Equatable {
    /// The number of rows.
    public let rows: Int
    /// The number of columns.
    public let columns: Int
    /// The entries, row after row (`elements[i * columns + j]` is row i, column j).
    public var elements: [Double]

    /// A matrix of zeros.
    ///
    /// - Parameters:
    ///   - rows: The number of rows, ≥ 0.
    ///   - columns: The number of columns, ≥ 0.
    public init(rows: Int, columns: Int) {
        require(rows >= 0 && columns >= 0, "DenseMatrix: negative size \(rows) × \(columns)")
        self.rows = rows
        self.columns = columns
        elements = [Double](repeating: 0, count: rows * columns)
    }

    /// A matrix from its rows.
    ///
    /// - Parameter rows: The rows, all of one length.
    public init(_ rows: [[Double]]) {
        let columns = rows.first?.count ?? 0
        require(rows.allSatisfy { $0.count == columns }, "DenseMatrix: rows of different lengths")
        self.rows = rows.count
        self.columns = columns
        elements = rows.flatMap { $0 }
    }

    /// The entry in row `row`, column `column`.
    ///
    /// - Parameters:
    ///   - row: A row index.
    ///   - column: A column index.
    /// - Returns: The entry.
    @inlinable
    public subscript(row: Int, column: Int) -> Double {
        get { elements[row * columns + column] }
        set { elements[row * columns + column] = newValue }
    }

    /// Sets every entry to zero.
    @inlinable
    public mutating func setZero() {
        elements.withUnsafeMutableBufferPointer { e in e.update(repeating: 0) }
    }

    /// The first entry that is NaN or infinite, as (row, column, value), or nil.
    ///
    /// - Returns: Where the first non-finite entry is, or nil when all are finite.
    public func firstNonFiniteEntry() -> (row: Int, column: Int, value: Double)? {
        guard let k = elements.firstIndex(where: { !$0.isFinite }) else { return nil }
        return (k / max(columns, 1), k % max(columns, 1), elements[k])
    }
}
