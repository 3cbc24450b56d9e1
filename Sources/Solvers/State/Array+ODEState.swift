import FusedMultiplyAdd
import Requirements

/// Arrays of floating-point scalars are states: the solvers write into them in place, so a solve
/// with array states allocates only its outputs, never per step.
extension Array: ODEState where Element: BinaryFloatingPoint & SIMDScalar {
    /// The element type.
    public typealias Scalar = Element

    /// The number of elements.
    @inlinable
    public var scalarCount: Int { count }

    /// Calls `body` with the array's contiguous storage.
    ///
    /// - Parameter body: A closure that reads the elements; the buffer is valid only during the call.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws.
    @inlinable
    public func withUnsafeScalars<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer(body)
    }

    /// Writes `source` into the array's storage, converting each value to `Element`.
    ///
    /// - Parameter source: One value per element.
    @inlinable
    public mutating func assignScalars(from source: UnsafeBufferPointer<Double>) {
        require(source.count == count, "assignScalars: \(source.count) values for \(count) elements")
        withUnsafeMutableBufferPointer { x in for i in 0..<source.count { x[i] = Element(source[i]) } }
    }

    /// A copy with its own storage.
    ///
    /// - Returns: The copy.
    @inlinable
    public func makeCopy() -> [Element] {
        withUnsafeBufferPointer { Array($0) }
    }

    /// Writes `base + Σ coefficients[j] · terms[j]` into this array's storage, one pass per term
    /// (each pass is a vectorizable multiply-add loop). Aliasing is safe: when `base` or a term
    /// shares storage with `self`, copy-on-write gives `self` fresh storage first.
    ///
    /// - Parameters:
    ///   - base: The array to add to, or nil for zero.
    ///   - coefficients: One coefficient per term.
    ///   - terms: The arrays to combine, all of one length.
    @inlinable
    public mutating func setLinearCombination(base: [Element]?, coefficients: UnsafeBufferPointer<Double>,
                                              terms: UnsafeBufferPointer<[Element]>) {
        require(coefficients.count == terms.count,
                "setLinearCombination: \(coefficients.count) coefficients for \(terms.count) terms")
        let n = base?.count ?? (terms.isEmpty ? count : terms[0].count)
        if count != n { self = [Element](repeating: 0, count: n) }
        withUnsafeMutableBufferPointer { out in
            guard let o = out.baseAddress else { return }
            var start = 0
            if let base {
                require(base.count == n, "setLinearCombination: base has \(base.count) scalars, expected \(n)")
                base.withUnsafeBufferPointer { b in
                    if terms.isEmpty {
                        for j in 0..<n { o[j] = b[j] }
                    } else {
                        // Fuse the first term with the copy of the base.
                        let c = Element(coefficients[0])
                        terms[0].withUnsafeBufferPointer { t in
                            require(t.count == n, "setLinearCombination: term 0 has \(t.count) scalars, expected \(n)")
                            for j in 0..<n { o[j] = multiplyAdd(c, t[j], b[j]) }
                        }
                        start = 1
                    }
                }
            } else {
                for j in 0..<n { o[j] = 0 }
            }
            for i in start..<terms.count {
                let c = Element(coefficients[i])
                terms[i].withUnsafeBufferPointer { t in
                    require(t.count == n, "setLinearCombination: term \(i) has \(t.count) scalars, expected \(n)")
                    for j in 0..<n { o[j] = multiplyAdd(c, t[j], o[j]) }
                }
            }
        }
    }
}
