import Requirements
import FusedMultiplyAdd

// Fixed-size SIMD vectors are states: a 2-, 4- or 8-dimensional problem solved on `SIMD2<Double>`,
// `SIMD4<Double>` or `SIMD8<Double>` keeps every stage and every output in registers and in place — no
// allocation per step or per output, no loops over tiny arrays. The solution's `states` are an array of
// vectors. (A 3-dimensional problem can use `SIMD4` with a zero fourth component and a field that keeps it
// zero.)

extension SIMD2: ODEState where Scalar: BinaryFloatingPoint {}
extension SIMD4: ODEState where Scalar: BinaryFloatingPoint {}
extension SIMD8: ODEState where Scalar: BinaryFloatingPoint {}

extension SIMD where Self: ODEState, Scalar: BinaryFloatingPoint {
    /// The number of lanes.
    @inlinable
    public var scalarCount: Int { Self.scalarCount }

    /// Calls `body` with the lanes.
    ///
    /// - Parameter body: A closure that reads the lanes; the buffer is valid only during the call.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws.
    @inlinable
    public func withUnsafeScalars<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: self) { raw in
            try body(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: Scalar.self), count: Self.scalarCount))
        }
    }

    /// Sets this vector to `base + Σ coefficients[j] · terms[j]` (base nil: zero), with fused multiply-adds.
    ///
    /// - Parameters:
    ///   - base: The vector to add to, or nil for zero.
    ///   - coefficients: One coefficient per term.
    ///   - terms: The vectors to combine.
    @inlinable
    public mutating func setLinearCombination(base: Self?, coefficients: UnsafeBufferPointer<Double>,
                                              terms: UnsafeBufferPointer<Self>) {
        require(coefficients.count == terms.count,
                "setLinearCombination: \(coefficients.count) coefficients for \(terms.count) terms")
        var accumulator = base ?? Self()
        for j in 0..<terms.count {
            accumulator = multiplyAdd(Self(repeating: Scalar(coefficients[j])), terms[j], accumulator)
        }
        self = accumulator
    }

    /// Sets the lanes to `source`, converting each value to `Scalar`.
    ///
    /// - Parameter source: One value per lane.
    @inlinable
    public mutating func assignScalars(from source: UnsafeBufferPointer<Double>) {
        require(source.count == Self.scalarCount, "assignScalars: \(source.count) values for \(Self.scalarCount) lanes")
        for i in 0..<source.count { self[i] = Scalar(source[i]) }
    }

    /// The vector itself (vectors are values).
    ///
    /// - Returns: `self`.
    @inlinable
    public func makeCopy() -> Self { self }
}
