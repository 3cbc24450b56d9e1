import Requirements

/// Group normalisation (Wu & He, "Group Normalization", ECCV 2018), with PyTorch's `GroupNorm`
/// semantics: the channels are split into `groups` consecutive groups, and each image's group is
/// normalised by its own mean and biased variance (over C/G·H·W elements), then scaled and shifted per
/// channel:
///
///     y[n, c, …] = (x[n, c, …] − μ[n, g]) / √(σ²[n, g] + ε) · weight[c] + bias[c]
///
/// One tape entry with a fused forward (two passes over each group: mean, then the variance around
/// it, sums in `Double` across runs) and the analytic fused backward. Only the per-group mean and
/// inverse deviation (N·G scalars each) are kept for the pullback, besides the input itself.
///
/// - Parameters:
///   - x: [N, C, …] with any number (including zero) of trailing spatial dimensions.
///   - groups: how many groups the C channels form; must divide C. `groups == C` is instance
///     normalisation, `groups == 1` normalises each image as a whole (layer normalisation over C, H, W
///     with per-channel affine parameters).
///   - weight: per-channel scale γ, [C], or nil for 1 (PyTorch `affine=False`).
///   - bias: per-channel shift β, [C], or nil for 0.
///   - epsilon: added to the variance; 1e-5 as in PyTorch.
/// - Returns: a tensor shaped like `x`.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func groupNorm<Scalar: TensorScalar>(_ x: Tensor<Scalar>, groups: Int, weight: Tensor<Scalar>? = nil,
                                            bias: Tensor<Scalar>? = nil, epsilon: Scalar = 1e-5) -> Tensor<Scalar> {
    require(x.rank >= 2, "groupNorm: input shape \(x.shape) is not [N, C, …]")
    let (batch, channels) = (x.shape[0], x.shape[1])
    let spatial = x.shape.dropFirst(2).reduce(1, *)
    require(groups > 0 && channels % groups == 0,
            "groupNorm: \(groups) groups do not divide the \(channels) channels of input shape \(x.shape)")
    if let weight {
        require(weight.shape == [channels], "groupNorm: weight shape \(weight.shape) does not match input shape \(x.shape) (expected [\(channels)])")
    }
    if let bias {
        require(bias.shape == [channels], "groupNorm: bias shape \(bias.shape) does not match input shape \(x.shape) (expected [\(channels)])")
    }
    let statistics = batch * groups
    let output = TensorStorage<Scalar>(uninitializedCount: x.scalarCount)
    let mean = TensorStorage<Scalar>(uninitializedCount: statistics)
    let inverseDeviation = TensorStorage<Scalar>(uninitializedCount: statistics)
    withOptionalPointers(weight, bias) { gamma, beta in
        x.withUnsafeBufferPointer { xs in
            Kernels.groupNormForward(xs.baseAddress!, gamma: gamma, beta: beta, output.pointer,
                                     mean: mean.pointer, inverseDeviation: inverseDeviation.pointer,
                                     batch: batch, channels: channels, spatial: spatial, groups: groups,
                                     epsilon: epsilon)
        }
    }
    let value = Tensor(shape: x.shape, storage: output)
    var inputs = [x]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    return Tensor.record(value, inputs: inputs) { gradient, needs in
        if Tensor.mustRecord(gradient, x) || weight.map({ Tensor.mustRecord($0) }) == true {
            // Recorded: the vector–Jacobian product of the op recomputed from differentiable primitives.
            let cotangents = try Tensor.recordedPullback(of: { xs in
                groupNormComposite(xs[0], groups: groups, weight: weight == nil ? nil : xs[1],
                                   bias: bias == nil ? nil : xs[xs.count - 1], epsilon: epsilon)
            }, at: inputs, cotangent: gradient)
            return cotangents.indices.map { needs[$0] ? cotangents[$0] : nil }
        }
        let weightSlot = weight == nil ? -1 : 1
        let biasSlot = bias == nil ? -1 : (weight == nil ? 1 : 2)
        let dx = needs[0] ? TensorStorage<Scalar>(uninitializedCount: x.scalarCount) : nil
        let dGamma = weightSlot > 0 && needs[weightSlot] ? TensorStorage<Scalar>(uninitializedCount: channels) : nil
        let dBeta = biasSlot > 0 && needs[biasSlot] ? TensorStorage<Scalar>(uninitializedCount: channels) : nil
        withOptionalPointers(weight, nil) { gamma, _ in
            gradient.withUnsafeBufferPointer { g in
                x.withUnsafeBufferPointer { xs in
                    Kernels.groupNormBackward(g.baseAddress!, xs.baseAddress!, gamma: gamma, mean: mean.pointer,
                                              inverseDeviation: inverseDeviation.pointer, dx: dx?.pointer,
                                              dGamma: dGamma?.pointer, dBeta: dBeta?.pointer,
                                              batch: batch, channels: channels, spatial: spatial, groups: groups)
                }
            }
        }
        var result: [Tensor<Scalar>?] = [dx.map { Tensor(shape: x.shape, storage: $0) }]
        if weight != nil { result.append(dGamma.map { Tensor(shape: [channels], storage: $0) }) }
        if bias != nil { result.append(dBeta.map { Tensor(shape: [channels], storage: $0) }) }
        return result
    }
}

/// `groupNorm` written with differentiable primitives (reshaping, means, broadcasting arithmetic and
/// `sqrt`): its value, and its derivatives to any order that those ops support, equal `groupNorm`'s. The
/// recorded pullback of `groupNorm` differentiates it; `squareRoot` (√ by default) is replaceable for tests.
///
/// - Parameters:
///   - x: [N, C, …].
///   - groups: How many groups the C channels form; divides C.
///   - weight: Per-channel scale, [C], or nil.
///   - bias: Per-channel shift, [C], or nil.
///   - epsilon: Added to the variance.
///   - squareRoot: The element-wise square root to use.
/// - Returns: A tensor shaped like `x`.
func groupNormComposite<Scalar: TensorScalar>(
    _ x: Tensor<Scalar>, groups: Int, weight: Tensor<Scalar>?, bias: Tensor<Scalar>?, epsilon: Scalar,
    squareRoot: (Tensor<Scalar>) -> Tensor<Scalar> = { sqrt($0) }
) -> Tensor<Scalar> {
    let (batch, channels) = (x.shape[0], x.shape[1])
    let grouped = x.reshaped([batch, groups, x.scalarCount / Swift.max(batch * groups, 1)])
    let centered = grouped - grouped.mean(axis: 2, keepDims: true)
    let variance = (centered * centered).mean(axis: 2, keepDims: true)
    var y = (centered / squareRoot(variance + epsilon)).reshaped(x.shape)
    let perChannel = [channels] + [Int](repeating: 1, count: x.rank - 2)
    if let weight { y = y * weight.reshaped(perChannel) }
    if let bias { y = y + bias.reshaped(perChannel) }
    return y
}

/// Calls `body` with the element pointers of two optional tensors (nil for an absent one).
@inlinable
func withOptionalPointers<Scalar: TensorScalar, Result>(
    _ a: Tensor<Scalar>?, _ b: Tensor<Scalar>?,
    _ body: (UnsafePointer<Scalar>?, UnsafePointer<Scalar>?) -> Result
) -> Result {
    func withPointer<R>(_ t: Tensor<Scalar>?, _ inner: (UnsafePointer<Scalar>?) -> R) -> R {
        guard let t else { return inner(nil) }
        return t.withUnsafeBufferPointer { inner(UnsafePointer($0.baseAddress!)) }
    }
    return withPointer(a) { pa in withPointer(b) { pb in body(pa, pb) } }
}
