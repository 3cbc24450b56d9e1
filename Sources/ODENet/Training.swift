import Autodiff

/// Evaluates `loss` (which calls `model`) and returns its value and the gradient of every parameter of
/// `model`, aligned with `model.parameters(of: Scalar.self)`.
///
/// During the call each parameter holds a tape-recorded copy of its value; afterwards the values are
/// restored, also when the call throws.
///
///     let (loss, gradients) = try valueWithGradient(at: model) { l1Loss(predictions: try model(x), targets: y) }
///     optimizer.update(model, along: gradients)
///
/// - Parameters:
///   - model: the module whose parameters are differentiated.
///   - loss: a function returning one scalar.
/// - Returns: the loss and one gradient per parameter.
/// - Throws: what `loss` throws, the error of a backward pass that failed (an adjoint's backward solve), or
///   `ODENetError.nonFiniteGradient` when a gradient is NaN or infinite although the loss and the parameters
///   are finite.
public func valueWithGradient<M: Module, Scalar: TensorScalar>(
    at model: M, of loss: () throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, gradients: [Tensor<Scalar>]) {
    let named = model.namedParameters(of: Scalar.self)
    let saved = named.map(\.parameter.value)
    defer { for ((_, parameter), value) in zip(named, saved) { parameter.value = value } }
    let result = try valueWithGradient(at: saved) { leaves in
        for ((_, parameter), leaf) in zip(named, leaves) { parameter.value = leaf }
        return try loss()
    }
    try checkFinite(result.gradients, names: named.map(\.name), values: saved, loss: result.value)
    return result
}

/// Throws `ODENetError.nonFiniteGradient` for the first NaN or infinite gradient element whose parameter and
/// loss are finite (one pass over the gradients; non-finite inputs explain non-finite gradients themselves).
func checkFinite<Scalar: TensorScalar>(_ gradients: [Tensor<Scalar>], names: [String], values: [Tensor<Scalar>],
                                       loss: Tensor<Scalar>) throws {
    guard loss.firstNonFinite() == nil else { return }
    for (j, gradient) in gradients.enumerated() {
        if let bad = gradient.firstNonFinite(), values[j].firstNonFinite() == nil {
            throw ODENetError.nonFiniteGradient(parameter: names[j], index: bad.index, value: Double(bad.value))
        }
    }
}

/// Evaluates `loss` at `input` (calling `model`) and returns its value with the gradients for the input
/// and for every parameter of `model` at once.
///
///     let (value, gradients) = try valueWithGradient(at: model, x) { x in mseLoss(predictions: try model(x), targets: y) }
///     print(gradients.input, gradients.parameters.count)
///
/// - Parameters:
///   - model: the module whose parameters are differentiated.
///   - input: the tensor also differentiated (e.g. a network's input or an ODE's initial state).
///   - loss: a function of the input returning one scalar.
/// - Returns: the loss, ∂loss/∂input, and one gradient per parameter (aligned with `model.parameters(of:)`).
/// - Throws: what `loss` throws, the error of a backward pass that failed, or `ODENetError.nonFiniteGradient`
///   (the input is named `input`).
public func valueWithGradient<M: Module, Scalar: TensorScalar>(
    at model: M, _ input: Tensor<Scalar>, of loss: (Tensor<Scalar>) throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, gradients: (input: Tensor<Scalar>, parameters: [Tensor<Scalar>])) {
    let named = model.namedParameters(of: Scalar.self)
    let saved = named.map(\.parameter.value)
    defer { for ((_, parameter), value) in zip(named, saved) { parameter.value = value } }
    let (value, gradients) = try valueWithGradient(at: [input] + saved) { leaves in
        for ((_, parameter), leaf) in zip(named, leaves[1...]) { parameter.value = leaf }
        return try loss(leaves[0])
    }
    try checkFinite(gradients, names: ["input"] + named.map(\.name), values: [input] + saved, loss: value)
    return (value, (gradients[0], Array(gradients[1...])))
}
