import Requirements

/// The fused linear layer: matrix product, bias and activation as one recorded operation.

/// `activation(x · weightᵀ + bias)`: a fully connected layer in PyTorch's weight layout, fused into
/// one tape entry (one output buffer; the pullback allocates only the cotangents that are needed).
///
/// The hot path of small Neural-ODE networks, where per-operation bookkeeping costs more than the
/// arithmetic: prefer it to `matmul` + `+` + an activation.
///
/// - Parameters:
///   - x: `[..., in]`; all leading dimensions are batch dimensions.
///   - weight: `[out, in]`.
///   - bias: `[out]`, or nil for none.
///   - activation: applied element-wise after the bias; defaults to `.identity` (a plain affine map).
/// - Returns: `[..., out]`.
///
/// The derivative of the activation is computed from the output (for tanh, 1 − y²), so the pre-activation
/// values are not kept.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func linear<Scalar>(_ x: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>? = nil,
                           activation: Activation = .identity) -> Tensor<Scalar> {
    require(weight.rank == 2, "linear: weight shape \(weight.shape) must be [out, in] (input shape \(x.shape))")
    let inputs = weight.shape[1], outputs = weight.shape[0]
    require(x.rank >= 1 && x.shape[x.rank - 1] == inputs,
            "linear: input shape \(x.shape) must end in \(inputs) to match weight shape \(weight.shape)")
    if let bias {
        require(bias.shape == [outputs],
                "linear: bias shape \(bias.shape) must be [\(outputs)] for weight shape \(weight.shape)")
    }
    let rows = x.shape.dropLast().reduce(1, *)
    var outputShape = x.shape
    outputShape[outputShape.count - 1] = outputs
    let storage = TensorStorage<Scalar>(uninitializedCount: rows * outputs)
    Kernels.gemm(transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs,
                 a: x.storage.pointer, lda: inputs, b: weight.storage.pointer, ldb: inputs,
                 c: storage.pointer, ldc: outputs, accumulate: false)
    Kernels.biasActivation(storage.pointer, rows: rows, columns: outputs,
                           bias: bias.map { UnsafePointer($0.storage.pointer) }, activation: activation)
    let value = withExtendedLifetime((x, weight, bias)) { Tensor(shape: outputShape, storage: storage) }
    guard Tape<Scalar>.current != nil else {  // not differentiating: no pullback to build
        if forwardModeIsActive {
            linearTangent(to: value, x: x, weight: weight, bias: bias, activation: activation)
        }
        return value
    }

    // The output as recorded (filled in once the entry below exists), so that the recorded pullback can use
    // f(z) from the tape instead of recomputing it.
    let recorded = RecordedOutput<Scalar>()
    let result: Tensor<Scalar>
    if let bias {
        result = Tensor.recordOnTape(value, inputs: x, weight, bias, operation: #function) { g, needsX, needsWeight, needsBias in
            if Tensor.mustRecord(g, x) || Tensor.mustRecord(weight, bias) {
                return linearRecordedPullback(g, x: x, weight: weight, bias: bias, output: value,
                                              recordedOutput: recorded.tensor, activation: activation,
                                              needs: (needsX, needsWeight, needsBias))
            }
            return linearPullback(g, x: x, weight: weight, output: value, activation: activation,
                                  needs: (needsX, needsWeight, needsBias))
        }
    } else {
        result = Tensor.recordOnTape(value, inputs: x, weight, operation: #function) { g, needsX, needsWeight in
            if Tensor.mustRecord(g, x) || Tensor.mustRecord(weight) {
                let (dx, dw, _) = linearRecordedPullback(g, x: x, weight: weight, bias: nil, output: value,
                                                         recordedOutput: recorded.tensor, activation: activation,
                                                         needs: (needsX, needsWeight, false))
                return (dx, dw)
            }
            let (dx, dw, _) = linearPullback(g, x: x, weight: weight, output: value, activation: activation,
                                             needs: (needsX, needsWeight, false))
            return (dx, dw)
        }
    }
    recorded.tensor = result
    if forwardModeIsActive {
        linearTangent(to: result, x: x, weight: weight, bias: bias, activation: activation)
    }
    return result
}

/// The output of a recorded op as the tape holds it, handed to the op's pullback after recording.
final class RecordedOutput<Scalar: TensorScalar> {
    /// The recorded tensor; nil until the op has been recorded (and when no input was on the tape).
    var tensor: Tensor<Scalar>?
}

/// Native forward mode through `linear`: z′ = t_x·Wᵀ + x·t_Wᵀ + t_b and y′ = f′(z) ⊙ z′, with f′ from the
/// output y (as the pullback). Two fused kernels (a `linear` and the activation's derivative) when
/// nothing records; recorded ops when an enclosing tape records (a JVP being differentiated).
func linearTangent<Scalar>(to y: Tensor<Scalar>, x: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>?,
                           activation: Activation) {
    guard let context = TangentContext<Scalar>.propagating else { return }
    let tx = context.tangent(of: x), tw = context.tangent(of: weight), tb = bias.flatMap { context.tangent(of: $0) }
    guard tx != nil || tw != nil || tb != nil else { return }
    context.propagate(to: y) {
        var dz: Tensor<Scalar>?
        if let tx { dz = linear(tx, weight: weight, bias: tw == nil ? tb : nil) }
        if let tw {
            let term = linear(x, weight: tw, bias: tb)
            dz = dz.map { $0 + term } ?? term
        }
        let preactivation = dz ?? (tb! + Tensor.zeros(y.shape))
        return activationTangent(preactivation, output: y, activation: activation)
    }
}

/// f′(z) ⊙ t for the activation whose output is y (f′ from y), recorded when t or y is.
func activationTangent<Scalar>(_ t: Tensor<Scalar>, output y: Tensor<Scalar>, activation: Activation) -> Tensor<Scalar> {
    if activation == .identity { return t }
    if Tensor.mustRecord(t, y) {
        switch activation {
        case .identity: return t
        case .relu: return t * y.map { $0 > 0 ? 1 : 0 }
        case .tanh: return t * (1 - y * y)
        case .sigmoid: return t * (y * (1 - y))
        }
    }
    let buffer = TensorStorage<Scalar>(uninitializedCount: t.scalarCount)
    Kernels.activationBackward(t.storage.pointer, output: y.storage.pointer, buffer.pointer,
                               count: t.scalarCount, activation: activation)
    return withExtendedLifetime((t, y)) { Tensor(shape: t.shape, storage: buffer) }
}

/// The cotangents of `linear` with differentiable operations, recorded so that they can be differentiated
/// again (a derivative of a derivative): dz = g ⊙ f′(z), dx = dz·W, dW = dzᵀ·x, db = Σ_rows dz. Where f′
/// depends on z (tanh: 1 − f², sigmoid: f(1 − f)), f(z) is the op's own recorded output when the recording
/// tape is the one it was recorded on (the usual case: a derivative taken while that tape records), and is
/// otherwise recomputed from the recorded inputs with `matmul`, `+` and the activation's op; relu's 0/1 mask
/// (from the output) is a constant, its derivative being 0 wherever it is defined.
func linearRecordedPullback<Scalar>(_ g: Tensor<Scalar>, x: Tensor<Scalar>, weight: Tensor<Scalar>,
                                    bias: Tensor<Scalar>?, output: Tensor<Scalar>, recordedOutput: Tensor<Scalar>?,
                                    activation: Activation, needs: (x: Bool, weight: Bool, bias: Bool))
    -> (Tensor<Scalar>?, Tensor<Scalar>?, Tensor<Scalar>?) {
    /// The activation's output f(z) on the recording tape. With no tape (forward mode through this
    /// pullback: the output's tangent is known) the output itself.
    func recomputedOutput(_ f: (Tensor<Scalar>) -> Tensor<Scalar>) -> Tensor<Scalar> {
        guard let tape = Tape<Scalar>.current else { return output }
        if let recordedOutput, recordedOutput.node(on: tape) >= 0 { return recordedOutput }
        let z = x.matmul(weight.transposed())
        return f(bias.map { z + $0 } ?? z)
    }
    let dz: Tensor<Scalar>
    switch activation {
    case .identity:
        dz = g
    case .relu:
        let mask = Tensor<Scalar>(shape: output.shape, scalars: output.scalars.map { $0 > 0 ? 1 : 0 })
        dz = g * mask
    case .tanh:
        let y = recomputedOutput { tanh($0) }
        dz = g * (1 - y * y)
    case .sigmoid:
        let y = recomputedOutput { sigmoid($0) }
        dz = g * (y * (1 - y))
    }
    let rows = x.shape.dropLast().reduce(1, *), outputs = weight.shape[0], inputs = weight.shape[1]
    let dzRows = dz.reshaped([rows, outputs])
    let dx = needs.x ? dz.matmul(weight) : nil
    let dw = needs.weight ? dzRows.transposed().matmul(x.reshaped([rows, inputs])) : nil
    let db = needs.bias ? dzRows.sum(axis: 0) : nil
    return (dx, dw, db)
}

/// The cotangents of `linear`: dz = g ⊙ f′ (from the output y), dx = dz·W, dW = dzᵀ·x, db = Σ_rows dz,
/// each only when needed.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
@usableFromInline
func linearPullback<Scalar>(_ g: Tensor<Scalar>, x: Tensor<Scalar>, weight: Tensor<Scalar>, output: Tensor<Scalar>,
                            activation: Activation, needs: (x: Bool, weight: Bool, bias: Bool))
    -> (Tensor<Scalar>?, Tensor<Scalar>?, Tensor<Scalar>?) {
    let inputs = weight.shape[1], outputs = weight.shape[0], rows = g.scalarCount / Swift.max(outputs, 1)
    var dz = g
    if activation != .identity {
        let buffer = TensorStorage<Scalar>(uninitializedCount: g.scalarCount)
        Kernels.activationBackward(g.storage.pointer, output: output.storage.pointer, buffer.pointer,
                                   count: g.scalarCount, activation: activation)
        dz = Tensor(shape: g.shape, storage: buffer)
    }
    let pz = dz.storage.pointer
    var dx: Tensor<Scalar>?, dw: Tensor<Scalar>?, db: Tensor<Scalar>?
    if needs.x {
        let buffer = TensorStorage<Scalar>(uninitializedCount: x.scalarCount)
        Kernels.gemm(transposeA: false, transposeB: false, m: rows, n: inputs, k: outputs,
                     a: pz, lda: outputs, b: weight.storage.pointer, ldb: inputs,
                     c: buffer.pointer, ldc: inputs, accumulate: false)
        dx = Tensor(shape: x.shape, storage: buffer)
    }
    if needs.weight {
        let buffer = TensorStorage<Scalar>(uninitializedCount: weight.scalarCount)
        Kernels.gemm(transposeA: true, transposeB: false, m: outputs, n: inputs, k: rows,
                     a: pz, lda: outputs, b: x.storage.pointer, ldb: inputs,
                     c: buffer.pointer, ldc: inputs, accumulate: false)
        dw = Tensor(shape: weight.shape, storage: buffer)
    }
    if needs.bias {
        let buffer = TensorStorage<Scalar>(repeating: 0, count: outputs)
        for r in 0..<rows { Kernels.add(buffer.pointer, pz + r * outputs, buffer.pointer, count: outputs) }
        db = Tensor(shape: [outputs], storage: buffer)
    }
    return withExtendedLifetime((dz, x, weight, output)) { (dx, dw, db) }
}
