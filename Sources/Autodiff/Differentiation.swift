/// Differential operators. Each installs a fresh tape on the calling thread, evaluates the function
/// (recording every operation on the inputs), runs the reverse pass, and releases the tape. Calls nest:
/// a pullback may itself differentiate something (the ODE layer's backward pass does, ~100 times), and
/// the inner call records on its own tape.

/// Evaluates `f` at `x` and returns its scalar value and the gradient ∂f/∂x.
public func valueWithGradient<Scalar>(
    at x: Tensor<Scalar>, of f: (Tensor<Scalar>) throws -> Tensor<Scalar>
) rethrows -> (value: Tensor<Scalar>, gradient: Tensor<Scalar>) {
    let (value, gradients) = try valueWithGradient(at: [x]) { try f($0[0]) }
    return (value, gradients[0])
}

/// Evaluates `f` at the inputs and returns its scalar value and the gradient with respect to each input.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func valueWithGradient<Scalar>(
    at inputs: [Tensor<Scalar>], of f: ([Tensor<Scalar>]) throws -> Tensor<Scalar>
) rethrows -> (value: Tensor<Scalar>, gradients: [Tensor<Scalar>]) {
    let (value, pullback) = try valueWithPullback(at: inputs, of: f)
    precondition(value.scalarCount == 1,
                 "valueWithGradient: the function must return one scalar, got shape \(value.shape); use valueWithPullback for a vector-Jacobian product")
    return (value, pullback(Tensor(repeating: 1, shape: value.shape)))
}

/// The gradient of the scalar function `f` at `x`.
public func gradient<Scalar>(
    at x: Tensor<Scalar>, of f: (Tensor<Scalar>) throws -> Tensor<Scalar>
) rethrows -> Tensor<Scalar> {
    try valueWithGradient(at: x, of: f).gradient
}

/// Evaluates `f` at the inputs and returns its value with a pullback: `pullback(v)` is the
/// vector-Jacobian product `vᵀ ∂f/∂inputs` for a cotangent `v` shaped like the value.
///
/// The tape lives as long as the pullback closure and is released with it. The pullback may be called
/// more than once. Inputs that do not influence the value get zero cotangents.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func valueWithPullback<Scalar>(
    at inputs: [Tensor<Scalar>], of f: ([Tensor<Scalar>]) throws -> Tensor<Scalar>
) rethrows -> (value: Tensor<Scalar>, pullback: (Tensor<Scalar>) -> [Tensor<Scalar>]) {
    let tape = Tape<Scalar>()
    var leaves = inputs
    for i in leaves.indices {
        let node = tape.append(.init(first: -1, second: -1, others: nil, pullback: .leaf))
        leaves[i] = leaves[i].attached(to: tape, node: node)
    }
    let output = try Tape.withCurrent(tape) { try f(leaves) }
    var inputShapes: [[Int]] = []
    inputShapes.reserveCapacity(inputs.count)
    for input in inputs { inputShapes.append(input.shape) }
    var value = output
    value.tapeIdentity = 0
    value.tapeNode = -1
    let outputNode = output.node(on: tape)
    let pullback: (Tensor<Scalar>) -> [Tensor<Scalar>] = { cotangent in
        precondition(cotangent.shape == value.shape,
                     "pullback: cotangent shape \(cotangent.shape) differs from the value's shape \(value.shape)")
        guard outputNode >= 0 else { return inputShapes.map { Tensor.zeros($0) } }
        var seed = cotangent
        seed.tapeIdentity = 0
        seed.tapeNode = -1
        let gradients = tape.reverse(from: outputNode, seed: seed)
        var result: [Tensor<Scalar>] = []
        result.reserveCapacity(inputShapes.count)
        for i in 0..<inputShapes.count {
            result.append(i < gradients.count ? (gradients[i] ?? Tensor.zeros(inputShapes[i])) : Tensor.zeros(inputShapes[i]))
        }
        return result
    }
    return (value, pullback)
}

/// `x` cut off from the tape: operations on the result are not differentiated through `x`.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func withoutDerivative<Scalar>(at x: Tensor<Scalar>) -> Tensor<Scalar> {
    var result = x
    result.tapeIdentity = 0
    result.tapeNode = -1
    return result
}

/// Runs `body` with recording switched off for tensors of type `Scalar` on this thread (a no-gradient
/// scope, like `torch.no_grad()`): nothing inside is differentiated, and no tape memory is used.
public func withoutRecording<Scalar: TensorScalar, Result>(
    _ scalarType: Scalar.Type, _ body: () throws -> Result) rethrows -> Result {
    try Tape<Scalar>.withCurrent(nil, body)
}

/// Records one custom operation with a hand-written pullback: `value` was computed from `inputs`
/// outside the tape (e.g. by an ODE solve), and `pullback(v)` returns `vᵀ ∂value/∂inputs[i]` for each
/// input. The pullback runs during the reverse pass with nothing recording, so it may call
/// `valueWithPullback` and friends, which use fresh tapes of their own.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func customDifferentiable<Scalar>(
    inputs: [Tensor<Scalar>], value: Tensor<Scalar>,
    pullback: @escaping (Tensor<Scalar>) -> [Tensor<Scalar>]
) -> Tensor<Scalar> {
    var shapes: [[Int]] = []
    shapes.reserveCapacity(inputs.count)
    for input in inputs { shapes.append(input.shape) }
    return Tensor.record(withoutDerivative(at: value), inputs: inputs) { cotangent, _ in
        let results = pullback(cotangent)
        precondition(results.count == shapes.count,
                     "customDifferentiable: pullback returned \(results.count) cotangents for \(shapes.count) inputs")
        for i in 0..<shapes.count {
            precondition(results[i].shape == shapes[i],
                         "customDifferentiable: pullback returned shape \(results[i].shape) for an input of shape \(shapes[i])")
        }
        return results
    }
}
