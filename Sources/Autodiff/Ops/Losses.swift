import Requirements

/// Loss functions (PyTorch/MLX names and labels). Each is one fused tape entry with an analytic
/// pullback, which records the same formula with differentiable ops when a derivative is being
/// differentiated.

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

/// The cotangent `g` of a loss reduced by `reduction` as per-element cotangents of `shape`, with recorded
/// ops (the recorded path of the pullbacks).
private func expandedCotangent<Scalar>(_ g: Tensor<Scalar>, to shape: [Int], _ reduction: LossReduction) -> Tensor<Scalar> {
    switch reduction {
    case .none: return g
    case .sum: return g.broadcast(to: shape)
    case .mean: return g.broadcast(to: shape) / Scalar(shape.reduce(1, *))
    }
}

/// An element-wise loss `f(p − t)` with derivative `df(p − t)`, reduced. One tape entry. When a
/// derivative is being differentiated, the pullback multiplies the cotangent by `recordedDerivative(p, t)`
/// (the derivative written with differentiable ops, from the recorded inputs) instead.
@inline(__always)
private func elementwiseLoss<Scalar>(_ predictions: Tensor<Scalar>, _ targets: Tensor<Scalar>, _ reduction: LossReduction,
                                     _ name: String, _ f: @escaping (Scalar) -> Scalar,
                                     _ df: @escaping (Scalar) -> Scalar,
                                     recordedDerivative: @escaping (Tensor<Scalar>, Tensor<Scalar>) -> Tensor<Scalar>)
    -> Tensor<Scalar> {
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
        if Tensor.mustRecord(g, predictions) || Tensor.mustRecord(targets) {
            let gp = expandedCotangent(g, to: p0.shape, reduction) * recordedDerivative(predictions, targets)
            return (needsP ? gp : nil, needsT ? -gp : nil)
        }
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
    elementwiseLoss(predictions, targets, reduction, "mseLoss", { $0 * $0 }, { 2 * $0 },
                    recordedDerivative: { p, t in 2 * (p - t) })
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
    let sign: (Scalar) -> Scalar = { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
    return elementwiseLoss(predictions, targets, reduction, "l1Loss", { abs($0) }, sign, recordedDerivative: { p, t in
        // The sign of p − t, a constant (its derivative is 0 away from p = t).
        Tensor.broadcastingMap(withoutDerivative(at: p), withoutDerivative(at: t)) { sign($0 - $1) }
    })
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
        if Tensor.mustRecord(g, logits) {
            // (softmax(x) − onehot(labels)) scaled by the per-row cotangent, with recorded ops.
            var oneHot = [Scalar](repeating: 0, count: n * c)
            for (i, label) in labels.enumerated() { oneHot[i * c + label] = 1 }
            let rows = expandedCotangent(g, to: [n], reduction).reshaped([n, 1])
            return rows * (softmax(logits, axis: 1) - Tensor(shape: [n, c], scalars: oneHot))
        }
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
