/// Differential operators. Each installs a fresh tape on the calling thread, evaluates the function
/// (recording every operation on the inputs), runs the reverse pass, and releases the tape. Calls nest:
/// a pullback may itself differentiate something (the ODE layer's backward pass does, ~100 times), and
/// the inner call records on its own tape.
///
/// Every operator `throws`: besides the function's own errors, the reverse pass throws the error of a
/// pullback that failed (an adjoint's backward solve that did not converge, say). A gradient is either
/// complete or an error, never a silent zero.

/// Evaluates `f` at `x` and returns its scalar value and the gradient ∂f/∂x.
///
/// - Parameters:
///   - x: the point.
///   - f: a function returning one scalar (a tensor with one element).
/// - Returns: f(x) and ∂f/∂x, shaped like `x`.
/// - Throws: what `f` throws, or the error of a failing pullback (see `customDifferentiable`).
public func valueWithGradient<Scalar>(
    at x: Tensor<Scalar>, of f: (Tensor<Scalar>) throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, gradient: Tensor<Scalar>) {
    let (value, gradients) = try valueWithGradient(at: [x]) { try f($0[0]) }
    return (value, gradients[0])
}

/// Evaluates `f` at the inputs and returns its scalar value and the gradient with respect to each input.
///
/// - Parameters:
///   - inputs: the tensors to differentiate with respect to.
///   - f: a function of the inputs returning one scalar.
/// - Returns: f(inputs) and one gradient per input, shaped like it (zeros for an input `f` does not use).
/// - Throws: what `f` throws, or the error of a failing pullback.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func valueWithGradient<Scalar>(
    at inputs: [Tensor<Scalar>], of f: ([Tensor<Scalar>]) throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, gradients: [Tensor<Scalar>]) {
    let (value, pullback) = try valueWithPullback(at: inputs, of: f)
    if value.scalarCount != 1 {
        fatalError("valueWithGradient: the function must return one scalar, got shape \(value.shape); "
                   + "use valueWithPullback for a vector-Jacobian product")
    }
    return (value, try pullback(Tensor(repeating: 1, shape: value.shape)))
}

/// The gradient of the scalar function `f` at `x`.
///
/// - Parameters:
///   - x: the point.
///   - f: a function returning one scalar.
/// - Returns: ∂f/∂x, shaped like `x`.
/// - Throws: what `f` throws, or the error of a failing pullback.
public func gradient<Scalar>(
    at x: Tensor<Scalar>, of f: (Tensor<Scalar>) throws -> Tensor<Scalar>
) throws -> Tensor<Scalar> {
    try valueWithGradient(at: x, of: f).gradient
}

/// Evaluates `f` at the inputs and returns its value with a pullback: `pullback(v)` is the
/// vector-Jacobian product `vᵀ ∂f/∂inputs` for a cotangent `v` shaped like the value.
///
/// The tape lives as long as the pullback closure and is released with it. The pullback may be called
/// more than once. Inputs that do not influence the value get zero cotangents.
///
/// Calls nest to any order. Inside a function that an enclosing operator differentiates, this call
/// records on the enclosing operator's tape (its inputs become new nodes there, so a tensor captured
/// from outside gets no cotangent from this call), and its pullback records its own operations, so
/// the cotangents it returns can be differentiated again:
///
///     let d2 = try gradient(at: x) { x in try gradient(at: x) { x in (x * x * x).sum() }.sum() }   // 6x
///
/// - Parameters:
///   - inputs: the tensors to differentiate with respect to.
///   - f: the function.
/// - Returns: f(inputs) and its pullback, which throws the error of a failing recorded pullback.
/// - Throws: what `f` throws.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func valueWithPullback<Scalar>(
    at inputs: [Tensor<Scalar>], of f: ([Tensor<Scalar>]) throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, pullback: (Tensor<Scalar>) throws -> [Tensor<Scalar>]) {
    let enclosing = Tape<Scalar>.current
    let tape = enclosing ?? Tape<Scalar>()
    let base = tape.entries.count
    var leaves = inputs
    for i in leaves.indices {
        let outer = leaves[i].node(on: tape)
        let node = outer >= 0
            ? tape.append(.init(first: outer, second: -1, others: nil, pullback: .identity,
                                     operation: "input"))
            : tape.append(.init(first: -1, second: -1, others: nil, pullback: .leaf,
                                     operation: "input"))
        leaves[i] = leaves[i].attached(to: tape, node: node)
    }
    let stop = tape.entries.count
    let output = enclosing == nil ? try Tape.withCurrent(tape) { try f(leaves) } : try f(leaves)
    var inputShapes: [[Int]] = []
    inputShapes.reserveCapacity(inputs.count)
    for input in inputs { inputShapes.append(input.shape) }
    let outputNode = output.node(on: tape)
    // On an enclosing tape the value stays recorded there: the enclosing operator differentiates
    // through it. On a tape of its own, it is returned unrecorded.
    var value = output
    if enclosing == nil {
        value.tapeIdentity = 0
        value.tapeNode = -1
    }
    let valueShape = value.shape
    let pullback: (Tensor<Scalar>) throws -> [Tensor<Scalar>] = { cotangent in
        if cotangent.shape != valueShape {
            fatalError("pullback: cotangent shape \(cotangent.shape) differs from the value's shape \(valueShape)")
        }
        let gradients: [Tensor<Scalar>?]
        if outputNode >= stop {
            gradients = try tape.reverse(from: outputNode, seed: cotangent, base: base, stop: stop)
        } else if outputNode >= base {
            // f returned one of its inputs.
            gradients = (base..<stop).map { $0 == outputNode ? cotangent : nil }
        } else {
            // The value does not depend on the inputs.
            gradients = []
        }
        var result: [Tensor<Scalar>] = []
        result.reserveCapacity(inputShapes.count)
        for i in 0..<inputShapes.count {
            result.append(i < gradients.count ? (gradients[i] ?? Tensor.zeros(inputShapes[i])) : Tensor.zeros(inputShapes[i]))
        }
        return result
    }
    return (value, pullback)
}

/// `x` cut off from the tape: operations on the result are not differentiated through `x` (in reverse or
/// forward mode: the result carries no tangent).
///
/// - Parameter x: the tensor.
/// - Returns: the same values, recorded on no tape.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func withoutDerivative<Scalar>(at x: Tensor<Scalar>) -> Tensor<Scalar> {
    var result = x
    result.tapeIdentity = 0
    result.tapeNode = -1
    // Forward mode keeps tangents by buffer: a constant needs a buffer of its own.
    if let context = TangentContext<Scalar>.propagating, context.tangent(of: x) != nil {
        result.storage = x.storage.copy()
    }
    return result
}

/// Runs `body` with recording switched off for tensors of type `Scalar` on this thread (a no-gradient
/// scope, like `torch.no_grad()`): nothing inside is differentiated — neither recorded for reverse mode
/// nor given tangents by a running `jvp` — and no tape memory is used.
///
/// - Parameters:
///   - scalarType: the scalar type whose recording is switched off.
///   - body: the work to run.
/// - Returns: what `body` returns.
/// - Throws: what `body` throws.
public func withoutRecording<Scalar: TensorScalar, Result>(
    _ scalarType: Scalar.Type, _ body: () throws -> Result) rethrows -> Result {
    try Tape<Scalar>.withCurrent(nil) {
        guard let context = TangentContext<Scalar>.current else { return try body() }
        return try context.suspended(body)
    }
}

/// Records one custom operation with a hand-written pullback: `value` was computed from `inputs`
/// outside the tape (e.g. by an ODE solve), and `pullback(v)` returns `vᵀ ∂value/∂inputs[i]` for each
/// input. The pullback may call `valueWithPullback` and friends: with nothing recording around the
/// reverse pass they use fresh tapes of their own.
///
/// The pullback may throw: the differential operator running the reverse pass (`valueWithGradient`,
/// `gradient`, or the pullback `valueWithPullback` returned) then throws the same error.
///
/// Differentiating the pullback itself (a second derivative through this op) needs a pullback written
/// with the library's differentiable operations, recording when its cotangent or inputs are recorded;
/// say so with `pullbackIsDifferentiable: true`. Otherwise a reverse pass that must record through it
/// throws ``AutodiffError/notDifferentiableTwice(operation:)`` naming `operation`, never a silent zero.
///
/// - Parameters:
///   - inputs: the tensors `value` depends on.
///   - value: the result, computed without recording.
///   - operation: the operation's name for the tape and its errors (the calling function's, by default).
///   - pullbackIsDifferentiable: whether `pullback` records its operations, so that it can be
///     differentiated again.
///   - pullback: returns one cotangent per input, shaped like it.
/// - Returns: `value`, recorded as one operation on the current tape (as is, when nothing records).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func customDifferentiable<Scalar>(
    inputs: [Tensor<Scalar>], value: Tensor<Scalar>, operation: StaticString = #function,
    pullbackIsDifferentiable: Bool = false,
    pullback: @escaping (Tensor<Scalar>) throws -> [Tensor<Scalar>]
) -> Tensor<Scalar> {
    var shapes: [[Int]] = []
    shapes.reserveCapacity(inputs.count)
    for input in inputs { shapes.append(input.shape) }
    let identities = pullbackIsDifferentiable ? [] : inputs.map(\.tapeIdentity)
    return Tensor.record(withoutDerivative(at: value), inputs: inputs, operation: operation) { cotangent, _ in
        if !pullbackIsDifferentiable, let tape = Tape<Scalar>.current,
           cotangent.tapeIdentity == tape.identity || identities.contains(tape.identity) {
            throw AutodiffError.notDifferentiableTwice(operation: "\(operation)")
        }
        let results = try pullback(cotangent)
        if results.count != shapes.count {
            fatalError("customDifferentiable: the pullback of \(operation) returned \(results.count) cotangents "
                       + "for \(shapes.count) inputs")
        }
        for i in 0..<shapes.count where results[i].shape != shapes[i] {
            fatalError("customDifferentiable: the pullback of \(operation) returned shape \(results[i].shape) "
                       + "for input \(i) of shape \(shapes[i])")
        }
        return results
    }
}

extension Tensor {
    /// The operations this tensor was computed by, as recorded on the current tape (empty when it is
    /// not recorded): one line per entry up to this tensor's, `%node = operation(inputs)`, where an
    /// input `%k` is an earlier entry and `const` a tensor that is not recorded.
    public var tapeDescription: String {
        guard let tape = Tape<Scalar>.current, tapeIdentity == tape.identity else { return "" }
        return tape.description(upTo: tapeNode)
    }
}
