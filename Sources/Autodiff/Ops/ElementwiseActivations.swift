// Activation functions: tanh, sigmoid, relu, leaky ReLU, softplus, ELU, clamp. Each is one tape entry
// with a fused single-pass pullback that reuses the output where the derivative is a function of it.
// While a derivative is being differentiated (`Tensor.mustRecord`), each pullback takes a recorded path
// of differentiable ops that recomputes the output from the recorded input; the masks of the piecewise
// ops (relu, leaky ReLU, ELU, clamp) are constants there (their derivative is 0 away from the kinks).

import Requirements

/// The hyperbolic tangent of every element (≤ 3 ulp; see `Kernels.tanh`). Pullback: g·(1 − y²), from
/// the output y.
///
/// - Parameter x: A tensor.
/// - Returns: tanh x element by element, shaped like `x`.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func tanh<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> {
    let y = x.mappedByKernel { Kernels.tanh($0, $1, count: $2) }
    return Tensor.recordElementwise(y, input: x) { g in
        if Tensor.mustRecord(g, x) {
            // Forward mode with no tape: y carries its tangent; on a tape, tanh is recomputed from x.
            return g * (1 - (Tape<S>.current == nil ? y : tanh(x)).squared())
        }
        return Tensor.zippedByKernel(y, g) { Kernels.tanhBackward(output: $0, cotangent: $1, $2, count: $3) }
    }
}

/// The logistic sigmoid 1/(1 + e⁻ˣ) of every element (≤ 3 ulp, no overflow for any input).
/// Pullback: g·y·(1 − y), from the output y.
///
/// - Parameter x: A tensor.
/// - Returns: σ(x) element by element, in (0, 1), shaped like `x`.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func sigmoid<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> {
    let y = x.mappedByKernel { Kernels.sigmoid($0, $1, count: $2) }
    return Tensor.recordElementwise(y, input: x) { g in
        if Tensor.mustRecord(g, x) {
            let s = Tape<S>.current == nil ? y : sigmoid(x)
            return g * (s * (1 - s))
        }
        return Tensor.zippedByKernel(y, g) { Kernels.sigmoidBackward(output: $0, cotangent: $1, $2, count: $3) }
    }
}

/// The rectified linear unit max(x, 0) of every element (NaN stays NaN). Pullback: g where x > 0,
/// else 0 — the derivative at 0 is 0, as in PyTorch.
///
/// - Parameter x: A tensor.
/// - Returns: max(x, 0) element by element, shaped like `x`.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func relu<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> {
    let y = x.mappedByKernel { x, out, n in for i in 0..<n { out[i] = x[i] < 0 ? 0 : x[i] } }
    return Tensor.recordElementwise(y, input: x) { g in
        if Tensor.mustRecord(g) { return g * y.map { $0 > 0 ? 1 : 0 } }
        return Tensor.zippedByKernel(y, g) { y, g, out, n in for i in 0..<n { out[i] = y[i] > 0 ? g[i] : 0 } }
    }
}

/// Leaky ReLU: x where x > 0, `negativeSlope`·x elsewhere. Pullback: g where x > 0, else
/// `negativeSlope`·g (the derivative at 0 is `negativeSlope`, as in PyTorch).
///
/// - Parameters:
///   - x: A tensor.
///   - negativeSlope: The slope for x ≤ 0; 0.01 is PyTorch's default.
/// - Returns: The activation element by element, shaped like `x`.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func leakyRelu<S: TensorScalar>(_ x: Tensor<S>, negativeSlope: S = 0.01) -> Tensor<S> {
    let a = negativeSlope
    let y = x.mappedByKernel { x, out, n in for i in 0..<n { out[i] = x[i] > 0 ? x[i] : a * x[i] } }
    return Tensor.recordElementwise(y, input: x) { g in
        if Tensor.mustRecord(g) { return g * x.map { $0 > 0 ? 1 : a } }
        return Tensor.zippedByKernel(x, g) { x, g, out, n in for i in 0..<n { out[i] = x[i] > 0 ? g[i] : a * g[i] } }
    }
}

/// Softplus log(1 + eˣ) of every element, computed stably as max(x, 0) + log(1 + e^−|x|) (≤ 2 ulp).
/// Pullback: g·σ(x).
///
/// - Parameter x: A tensor.
/// - Returns: log(1 + eˣ) element by element, shaped like `x`.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func softplus<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> {
    let y = x.mappedByKernel { Kernels.softplus($0, $1, count: $2) }
    return Tensor.recordElementwise(y, input: x) { g in
        if Tensor.mustRecord(g, x) { return g * sigmoid(x) }
        return Tensor.zippedByKernel(x, g) { Kernels.softplusBackward(input: $0, cotangent: $1, $2, count: $3) }
    }
}

/// The exponential linear unit: x where x > 0, α(eˣ − 1) elsewhere (Clevert et al. 2016).
/// Pullback: g where x > 0, g·α·eˣ elsewhere (α at 0, as in PyTorch).
///
/// - Parameters:
///   - x: A tensor.
///   - alpha: α; the function approaches −α as x → −∞. 1 is the usual default.
/// - Returns: The activation element by element, shaped like `x`.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func elu<S: TensorScalar>(_ x: Tensor<S>, alpha: S = 1) -> Tensor<S> {
    let y = x.mappedByKernel { Kernels.elu($0, $1, count: $2, alpha: alpha) }
    return Tensor.recordElementwise(y, input: x) { g in
        if Tensor.mustRecord(g, x) {
            // 1 for x > 0, α·e^min(x, 0) elsewhere: the clamp keeps e^x finite where it is masked out.
            let positive = x.map { $0 > 0 ? 1 : 0 }, negative = x.map { $0 > 0 ? 0 : 1 }
            return g * (positive + exp(clamp(x, min: -S.infinity, max: 0)) * (negative * alpha))
        }
        return Tensor.zippedByKernel(x, g) { Kernels.eluBackward(input: $0, cotangent: $1, $2, count: $3, alpha: alpha) }
    }
}

/// Every element limited to `[minimum, maximum]` (NaN stays NaN). Pullback: g where
/// minimum ≤ x ≤ maximum, else 0 (PyTorch's convention at the bounds).
///
/// - Parameters:
///   - x: A tensor.
///   - minimum: The lower bound.
///   - maximum: The upper bound (not below `minimum`).
/// - Returns: `x` clamped element by element, shaped like `x`.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func clamp<S: TensorScalar>(_ x: Tensor<S>, min minimum: S, max maximum: S) -> Tensor<S> {
    require(minimum <= maximum, "clamp: minimum \(minimum) exceeds maximum \(maximum)")
    let y = x.mappedByKernel { x, out, n in
        for i in 0..<n { out[i] = x[i] < minimum ? minimum : (x[i] > maximum ? maximum : x[i]) }
    }
    return Tensor.recordElementwise(y, input: x) { g in
        if Tensor.mustRecord(g) { return g * x.map { $0 >= minimum && $0 <= maximum ? 1 : 0 } }
        return Tensor.zippedByKernel(x, g) { x, g, out, n in
            for i in 0..<n { out[i] = x[i] >= minimum && x[i] <= maximum ? g[i] : 0 }
        }
    }
}
