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
/// - Throws: what `loss` throws, or the error of a backward pass that failed (an adjoint's backward solve).
public func valueWithGradient<M: Module, Scalar: TensorScalar>(
    at model: M, of loss: () throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, gradients: [Tensor<Scalar>]) {
    let parameters = model.parameters(of: Scalar.self)
    let saved = parameters.map(\.value)
    defer { for (parameter, value) in zip(parameters, saved) { parameter.value = value } }
    return try valueWithGradient(at: saved) { leaves in
        for (parameter, leaf) in zip(parameters, leaves) { parameter.value = leaf }
        return try loss()
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
/// - Throws: what `loss` throws, or the error of a backward pass that failed.
public func valueWithGradient<M: Module, Scalar: TensorScalar>(
    at model: M, _ input: Tensor<Scalar>, of loss: (Tensor<Scalar>) throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, gradients: (input: Tensor<Scalar>, parameters: [Tensor<Scalar>])) {
    let parameters = model.parameters(of: Scalar.self)
    let saved = parameters.map(\.value)
    defer { for (parameter, value) in zip(parameters, saved) { parameter.value = value } }
    let (value, gradients) = try valueWithGradient(at: [input] + saved) { leaves in
        for (parameter, leaf) in zip(parameters, leaves[1...]) { parameter.value = leaf }
        return try loss(leaves[0])
    }
    return (value, (gradients[0], Array(gradients[1...])))
}
