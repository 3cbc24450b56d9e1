/// The Euclidean (L2) norm over all elements, one axis, or a set of axes — PyTorch's
/// `torch.linalg.vector_norm` with `ord=2`. One tape entry per call.
///
/// The value is computed scaled by the largest magnitude, so it neither overflows for large elements
/// nor underflows for tiny ones where √(Σx²) would (‖(1e30, 1e30)‖ in `Float` is 1.41e30, not +∞).
/// The gradient is x/‖x‖ and, where the norm is 0, zero: PyTorch's subgradient at the origin, where
/// `sqrt((x * x).sum())` would give NaN (0/0) or +∞.
extension Tensor {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func reducedNorm(_ axes: [Int], keepDims: Bool, _ operation: StaticString) -> Tensor {
        let plan = reductionPlan(axes, keepDims: keepDims, operation)
        let input = withoutDerivative(at: self)
        guard plan.reducedCount > 0 else {
            // The norm of no elements is 0, and so is its gradient.
            let inputShape = shape
            return Tensor.record(Tensor.zeros(plan.resultShape), input: self, operation: operation) { _ in
                Tensor.zeros(inputShape)
            }
        }
        let kept: Tensor = withoutRecording(Scalar.self) {
            let largest = abs(input).max(axes: plan.axes, keepDims: true)
            // A zero, infinite or NaN largest magnitude: scaling by 1 gives 0, +∞ or NaN, as it should.
            let scale = largest.map { $0 > 0 && $0.isFinite ? $0 : 1 }
            return scale * sqrt((input / scale).squared().sum(axes: plan.axes, keepDims: true))
        }
        let value = keepDims ? kept : kept.reshaped(plan.resultShape)
        let x = self
        return Tensor.record(value, input: self, operation: operation) { g in
            if Tensor.mustRecord(g, x) {
                // Differentiable: x·(g/‖x‖) with the norm recomputed by this (recorded) op. Where it is 0,
                // constant masks make the divisor 1 and the scale 0, so the cotangent and all its
                // derivatives are 0 there (PyTorch's double backward), never 0/0.
                let norm = x.reducedNorm(plan.axes, keepDims: true, operation)
                let zero = kept.map { $0 > 0 ? 0 : 1 }, nonzero = kept.map { $0 > 0 ? 1 : 0 }
                return x * (g.reshaped(plan.keptShape) * nonzero / (norm + zero))
            }
            // Every element is 0 where the norm is 0, so any nonzero divisor gives the zero subgradient.
            let divisor = kept.map { $0 > 0 ? $0 : 1 }
            return input * (g.reshaped(plan.keptShape) / divisor)
        }
    }

    /// The Euclidean norm of all elements, √(Σ x²), as a rank-0 tensor. Its gradient is x/‖x‖, and zero at
    /// x = 0 (PyTorch's convention).
    ///
    /// - Returns: A rank-0 tensor.
    public func norm() -> Tensor { reducedNorm(Array(0..<rank), keepDims: false, "norm()") }

    /// The Euclidean norm along `axis`; its gradient is zero where the norm is zero.
    ///
    /// - Parameters:
    ///   - axis: The axis to reduce (negative counts from the back).
    ///   - keepDims: Whether to keep the axis with extent 1.
    /// - Returns: The norms, one per position of the other axes.
    public func norm(axis: Int, keepDims: Bool = false) -> Tensor {
        reducedNorm([axis], keepDims: keepDims, "norm(axis:)")
    }

    /// The Euclidean norm over `axes`; its gradient is zero where the norm is zero.
    ///
    /// - Parameters:
    ///   - axes: The axes to reduce (negative counts from the back).
    ///   - keepDims: Whether to keep the axes with extent 1.
    /// - Returns: The norms, one per position of the other axes.
    public func norm(axes: [Int], keepDims: Bool = false) -> Tensor {
        reducedNorm(axes, keepDims: keepDims, "norm(axes:)")
    }
}
