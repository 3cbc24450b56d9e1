import Autodiff

/// Evaluates `loss` (which calls `model`) and returns its value and the gradient of every parameter of
/// `model`, aligned with `model.parameters(of: Scalar.self)`.
///
/// During the call each parameter holds a tape-recorded copy of its value; afterwards the values are
/// restored. Errors raised by a backward pass that solves an ODE (the adjoint) are rethrown here.
///
///     let (loss, gradients) = try valueWithGradient(at: model) { l1Loss(predictions: try model(x), targets: y) }
///     optimizer.update(model.parameters(), along: gradients)
public func valueWithGradient<M: Module, Scalar: TensorScalar>(
    at model: M, of loss: () throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, gradients: [Tensor<Scalar>]) {
    let parameters = model.parameters(of: Scalar.self)
    let saved = parameters.map(\.value)
    defer { for (parameter, value) in zip(parameters, saved) { parameter.value = value } }
    BackwardFailure.clear()
    let (value, gradients) = try valueWithGradient(at: saved) { leaves in
        for (parameter, leaf) in zip(parameters, leaves) { parameter.value = leaf }
        return try loss()
    }
    if let error = BackwardFailure.take() { throw error }
    return (value, gradients)
}

/// A per-thread slot through which a pullback that cannot throw (the tape's pullbacks are
/// non-throwing) reports a failure, such as the adjoint's backward ODE solve failing. The ODE layer's
/// pullback stores its error here and returns zero cotangents; `valueWithGradient(at:of:)` rethrows it.
public enum BackwardFailure {
    nonisolated(unsafe) private static var slot = ThreadSlot<ErrorBox>()

    final class ErrorBox { let error: Error; init(_ error: Error) { self.error = error } }

    /// Records `error` for the calling thread (the first one wins).
    public static func report(_ error: Error) {
        if slot.value == nil { slot.value = ErrorBox(error) }
    }

    /// Removes and returns the calling thread's recorded error.
    public static func take() -> Error? {
        defer { slot.value = nil }
        return slot.value?.error
    }

    /// Forgets any recorded error of the calling thread.
    public static func clear() { slot.value = nil }
}
