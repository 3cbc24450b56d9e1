import Requirements

/// A state the solvers integrate: a fixed-length vector of real scalars.
///
/// The solvers never do arithmetic on a state directly: every state they produce (stage inputs,
/// the next state, error estimates, interpolated outputs) comes from `setLinearCombination`, and
/// they read scalars only to make control decisions (error norms, events, finiteness checks). A
/// conformance that records each `setLinearCombination` on an autodiff tape therefore makes a whole
/// solve differentiable.
public protocol ODEState {
    /// The scalar type of the components.
    associatedtype Scalar: BinaryFloatingPoint & SIMDScalar
    /// Number of scalar components.
    var scalarCount: Int { get }
    /// Read-only access to the components, contiguous.
    ///
    /// - Parameter body: A closure that reads the components; the buffer is valid only during the call.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws.
    func withUnsafeScalars<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R
    /// Sets `self` to `base + Σ_j coefficients[j] · terms[j]` (`base == nil` means zero).
    /// All states involved have the same scalarCount. Conformances reuse self's storage where they can
    /// (arrays write in place: no allocation in the solver loop); a tensor conformance records one op.
    ///
    /// - Parameters:
    ///   - base: The state to add to, or nil for zero.
    ///   - coefficients: One coefficient per term.
    ///   - terms: The states to combine.
    mutating func setLinearCombination(base: Self?, coefficients: UnsafeBufferPointer<Double>,
                                       terms: UnsafeBufferPointer<Self>)
    /// A copy that does not share storage with `self` (so that writing into it never copies again).
    ///
    /// The default builds it with `setLinearCombination(base: self, …)` and no terms.
    ///
    /// - Returns: The copy.
    func makeCopy() -> Self
    /// Overwrites every component with `source[i]` (rounded to `Scalar`): how the implicit and linearly
    /// implicit methods, which compute stages by linear solves, hand a stage back to the state type.
    ///
    /// The default throws ``SolverError/stateNotWritable(type:)``: a state type that cannot be written
    /// from scalars still works with every explicit method. Arrays and SIMD vectors write in place.
    ///
    /// - Parameter source: One value per component (`source.count == scalarCount`).
    /// - Throws: ``SolverError/stateNotWritable(type:)`` when the type does not support it.
    mutating func assignScalars(from source: UnsafeBufferPointer<Double>) throws
}

extension ODEState {
    /// Throws ``SolverError/stateNotWritable(type:)``: the type has not said how to write its components.
    ///
    /// - Parameter source: Ignored.
    /// - Throws: Always ``SolverError/stateNotWritable(type:)``.
    @inlinable
    public mutating func assignScalars(from source: UnsafeBufferPointer<Double>) throws {
        throw SolverError.stateNotWritable(type: "\(Self.self)")
    }

    /// A copy built as `self + Σ (nothing)`; conformances with cheaper copies override it.
    ///
    /// - Returns: The copy.
    @inlinable
    public func makeCopy() -> Self {
        var copy = self
        let none = UnsafeBufferPointer<Double>(start: nil, count: 0)
        let noTerms = UnsafeBufferPointer<Self>(start: nil, count: 0)
        copy.setLinearCombination(base: self, coefficients: none, terms: noTerms)
        return copy
    }

    /// The first component that is NaN or infinite, with its value, or `nil` when all are finite.
    ///
    /// - Returns: The index and value of the first non-finite component, or nil.
    @inlinable
    public func firstNonFiniteComponent() -> (index: Int, value: Double)? {
        withUnsafeScalars { x in
            for i in x.indices where !x[i].isFinite { return (i, Double(x[i])) }
            return nil
        }
    }

    /// Sets `self` to `base + Σ coefficients[j] · terms[j]` from Swift arrays (allocates; for tests and
    /// setup code, not for inner loops).
    ///
    /// - Parameters:
    ///   - base: The state to add to, or nil for zero.
    ///   - coefficients: One coefficient per term.
    ///   - terms: The states to combine.
    @inlinable
    public mutating func setLinearCombination(base: Self?, coefficients: [Double], terms: [Self]) {
        require(coefficients.count == terms.count,
                "setLinearCombination: \(coefficients.count) coefficients for \(terms.count) terms")
        coefficients.withUnsafeBufferPointer { c in
            terms.withUnsafeBufferPointer { t in setLinearCombination(base: base, coefficients: c, terms: t) }
        }
    }
}
