import Autodiff
import Solvers

/// `Tensor` as a solver state. Every state the solvers produce goes through `setLinearCombination`,
/// which is one recorded op (`linearCombination`) when the inputs are on a tape, so a solve carrying
/// tensors is differentiable end to end (the direct gradient); without recording it writes in place.
extension Tensor: ODEState {
    /// Read-only access to the elements.
    ///
    /// - Parameter body: A closure that reads the elements; the buffer is valid only during the call.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws.
    @inlinable
    public func withUnsafeScalars<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer(body)
    }

    /// Sets `self` to `base + Σ coefficients[j]·terms[j]`: recorded when any input is on the tape, in
    /// place otherwise.
    ///
    /// - Parameters:
    ///   - base: The tensor to add to, or nil for zero.
    ///   - coefficients: One coefficient per term.
    ///   - terms: The tensors to combine, all of one shape.
    public mutating func setLinearCombination(base: Tensor?, coefficients: UnsafeBufferPointer<Double>,
                                              terms: UnsafeBufferPointer<Tensor>) {
        formLinearCombination(base: base, coefficients: coefficients, terms: terms)
    }

    /// A copy with its own buffer, still connected to the tape.
    ///
    /// - Returns: The copy.
    public func makeCopy() -> Tensor {
        linearCombination(base: self, coefficients: [], terms: [])
    }
}
