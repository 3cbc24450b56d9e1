import Requirements

/// Loss functions (PyTorch/MLX names and labels). Each is one fused tape entry with an analytic
/// pullback.

/// The element-wise losses `values` (of the given shape) reduced by `reduction`.
private func reduced<Scalar>(_ values: TensorStorage<Scalar>, shape: [Int], _ reduction: LossReduction) -> Tensor<Scalar> {
    switch reduction {
    case .none: return Tensor(shape: shape, storage: values)
    case .sum: return Tensor(Kernels.sum(values.pointer, count: values.count))
    case .mean: return Tensor(Kernels.sum(values.pointer, count: values.count) / Scalar(values.count))
    }
}

/// `g` as the per-element cotangent of a loss reduced by `reduction` over `count` elements.
@inline(__always)
private func cotangent<Scalar: TensorScalar>(_ g: UnsafePointer<Scalar>, at i: Int, count: Int, _ reduction: LossReduction) -> Scalar {
    switch reduction {
    case .none: return g[i]
    case .sum: return g[0]
    case .mean: return g[0] / Scalar(count)
    }
}

/// An element-wise loss `f(p − t)` with derivative `df(p − t)`, reduced. One tape entry.
@inline(__always)
private func elementwiseLoss<Scalar>(_ predictions: Tensor<Scalar>, _ targets: Tensor<Scalar>, _ reduction: LossReduction,
                                     _ name: String, _ f: @escaping (Scalar) -> Scalar,
                                     _ df: @escaping (Scalar) -> Scalar) -> Tensor<Scalar> {
    require(predictions.shape == targets.shape,
            "\(name): predictions of shape \(predictions.shape) and targets of shape \(targets.shape) differ")
    let n = predictions.scalarCount
    let values = TensorStorage<Scalar>(uninitializedCount: n)
    predictions.withUnsafeBufferPointer { p in
        targets.withUnsafeBufferPointer { t in
            for i in 0..<n { values.pointer[i] = f(p[i] - t[i]) }
        }
    }
    let p0 = withoutDerivative(at: predictions), t0 = withoutDerivative(at: targets)
    return Tensor.record(reduced(values, shape: p0.shape, reduction), inputs: predictions, targets) { g, needsP, needsT in
        let gradient = TensorStorage<Scalar>(uninitializedCount: n)
        p0.withUnsafeBufferPointer { p in
            t0.withUnsafeBufferPointer { t in
                g.withUnsafeBufferPointer { gp in
                    for i in 0..<n { gradient.pointer[i] = cotangent(gp.baseAddress!, at: i, count: n, reduction) * df(p[i] - t[i]) }
                }
            }
        }
        let gp = Tensor(shape: p0.shape, storage: gradient)
        return (needsP ? gp : nil, needsT ? -gp : nil)
    }
}

/// Mean squared error `mean((predictions − targets)²)` (or summed, or per element). Shapes must match.
///
/// - Parameters:
///   - predictions: The model's outputs.
///   - targets: The values they should take, shaped like `predictions`.
///   - reduction: Mean (default), sum, or one loss per element.
/// - Returns: The loss: a scalar, or per element with `.none`.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func mseLoss<Scalar>(predictions: Tensor<Scalar>, targets: Tensor<Scalar>,
                            reduction: LossReduction = .mean) -> Tensor<Scalar> {
    elementwiseLoss(predictions, targets, reduction, "mseLoss", { $0 * $0 }, { 2 * $0 })
}

/// Mean absolute error `mean(|predictions − targets|)` (PyTorch's `L1Loss`); the derivative of |d| at
/// d = 0 is taken as 0. Shapes must match.
///
/// - Parameters:
///   - predictions: The model's outputs.
///   - targets: The values they should take, shaped like `predictions`.
///   - reduction: Mean (default), sum, or one loss per element.
/// - Returns: The loss: a scalar, or per element with `.none`.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func l1Loss<Scalar>(predictions: Tensor<Scalar>, targets: Tensor<Scalar>,
                           reduction: LossReduction = .mean) -> Tensor<Scalar> {
    elementwiseLoss(predictions, targets, reduction, "l1Loss", { abs($0) }, { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) })
}

/// Cross-entropy of `logits` of shape `[N, C]` against integer class `labels` (N of them, each in
/// `0..<C`): `mean_n(ln Σ_c e^{x[n, c]} − x[n, labels[n]])`, i.e. log-softmax followed by negative log
/// likelihood, fused and stable. The gradient is `(softmax(x) − onehot(labels)) / N`.
///
/// - Parameters:
///   - logits: Unnormalised class scores, [N, C].
///   - labels: The true class of each of the N rows.
///   - reduction: Mean over the rows (default), sum, or one loss per row.
/// - Returns: The loss: a scalar, or [N] with `.none`.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func crossEntropy<Scalar>(logits: Tensor<Scalar>, labels: [Int],
                                 reduction: LossReduction = .mean) -> Tensor<Scalar> {
    require(logits.rank == 2, "crossEntropy: logits must have shape [N, C], got \(logits.shape)")
    let (n, c) = (logits.shape[0], logits.shape[1])
    require(labels.count == n, "crossEntropy: \(labels.count) labels for logits of shape \(logits.shape)")
    for (i, label) in labels.enumerated() {
        require(label >= 0 && label < c,
                "crossEntropy: label \(label) at index \(i) is out of range 0..<\(c) for logits of shape \(logits.shape)")
    }
    // Per row: the shift m (row maximum) and ln Σ e^{x − m}, kept apart for accuracy at large logits.
    var shifts = [Scalar](repeating: 0, count: 2 * n)
    let losses = TensorStorage<Scalar>(uninitializedCount: n)
    logits.withUnsafeBufferPointer { x in
        for i in 0..<n {
            let row = x.baseAddress! + i * c
            let (m, l) = ReductionKernels.shiftAndLogSum(row, stride: 1, count: c)
            shifts[2 * i] = m
            shifts[2 * i + 1] = l
            losses.pointer[i] = l - (row[labels[i]] - m)
        }
    }
    let x0 = withoutDerivative(at: logits)
    return Tensor.record(reduced(losses, shape: [n], reduction), input: logits) { g in
        let gradient = TensorStorage<Scalar>(uninitializedCount: n * c)
        x0.withUnsafeBufferPointer { x in
            g.withUnsafeBufferPointer { gp in
                for i in 0..<n {
                    let scale = cotangent(gp.baseAddress!, at: i, count: n, reduction)
                    let row = x.baseAddress! + i * c, out = gradient.pointer + i * c
                    let m = shifts[2 * i], l = shifts[2 * i + 1]
                    for k in 0..<c { out[k] = scale * libmExp((row[k] - m) - l) }
                    out[labels[i]] -= scale
                }
            }
        }
        return Tensor(shape: [n, c], storage: gradient)
    }
}
