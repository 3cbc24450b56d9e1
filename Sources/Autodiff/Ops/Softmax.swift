/// The softmax family: one fused, numerically stable kernel (shifted by the row maximum) and one
/// analytic pullback each, so each call is one tape entry. When a derivative is being differentiated,
/// the pullbacks record the same formulas with differentiable ops (softmax recomputed from the input).

/// e^{x_i} / Σ_k e^{x_k} along `axis` (default: the last axis), computed stably.
///
/// The pullback is `y ⊙ (g − Σ_k g_k y_k)` with `y` the result, computed from the saved result.
///
/// - Parameters:
///   - x: The scores.
///   - axis: The axis to normalise along (negative counts from the back).
/// - Returns: Probabilities along `axis`, shaped like `x`.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func softmax<Scalar>(_ x: Tensor<Scalar>, axis: Int = -1) -> Tensor<Scalar> {
    Tensor.softmaxFamily(x, axis: axis, logarithm: false, "softmax")
}

/// x_i − ln Σ_k e^{x_k} along `axis` (default: the last axis), computed stably: the logarithm of
/// `softmax`, without its underflow to −∞ for very unlikely classes.
///
/// The pullback is `g − e^y · Σ_k g_k` with `y` the result.
///
/// - Parameters:
///   - x: The scores.
///   - axis: The axis to normalise along (negative counts from the back).
/// - Returns: Log-probabilities along `axis`, shaped like `x`.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func logSoftmax<Scalar>(_ x: Tensor<Scalar>, axis: Int = -1) -> Tensor<Scalar> {
    Tensor.softmaxFamily(x, axis: axis, logarithm: true, "logSoftmax")
}

extension Tensor {
    static func softmaxFamily(_ x: Tensor, axis: Int, logarithm: Bool, _ operation: StaticString) -> Tensor {
        let a = x.normalizedAxis(axis, operation)
        let (outer, extent, inner) = layout(of: x.shape, axis: a)
        let out = TensorStorage<Scalar>(uninitializedCount: x.scalarCount)
        x.withUnsafeBufferPointer {
            ReductionKernels.softmax($0.baseAddress!, outer: outer, extent: extent, inner: inner,
                                     logarithm: logarithm, into: out.pointer)
        }
        let shape = x.shape
        return record(Tensor(shape: shape, storage: out), input: x, operation: operation) { g in
            if mustRecord(g, x) {
                // The same formulas with recorded ops; the result is recomputed from the recorded input
                // (by softmax itself, whose pullback records in turn: closed under differentiation).
                let y = softmax(x, axis: a)
                return logarithm ? g - y * g.sum(axis: a, keepDims: true)
                                 : y * (g - (g * y).sum(axis: a, keepDims: true))
            }
            let gradient = TensorStorage<Scalar>(uninitializedCount: out.count)
            g.withUnsafeBufferPointer {
                ReductionKernels.softmaxPullback(out.pointer, $0.baseAddress!, outer: outer, extent: extent,
                                                 inner: inner, logarithm: logarithm, into: gradient.pointer)
            }
            return Tensor(shape: shape, storage: gradient)
        }
    }
}
