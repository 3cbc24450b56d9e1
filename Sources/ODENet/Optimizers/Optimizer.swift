import Autodiff
import Requirements

/// A first-order optimiser: moves parameters against their gradients, keeping per-parameter state
/// (moment estimates, momentum buffers, step counts) between calls.
///
/// State is kept per parameter *position*: the i-th parameter of every `update` call owns the i-th
/// state, as in a PyTorch optimiser's `state_dict` (`state.0.exp_avg`, …). Pass the parameters in the
/// same order each time; ``Module/parameters(of:)`` does.
///
///     let optimizer = Adam<Float>(learningRate: 1e-3)
///     for _ in 0..<100 {
///         let (_, gradients) = try valueWithGradient(at: model) { mseLoss(predictions: try model(x), targets: y) }
///         optimizer.update(model.parameters(), along: gradients)
///     }
///
/// Hyperparameters are `Double` (like PyTorch's Python floats), so a ``LearningRateSchedule`` can set
/// `learningRate` for any scalar type; the arithmetic runs in `Scalar`.
public protocol Optimizer<Scalar>: AnyObject {
    /// The scalar type of the parameters.
    associatedtype Scalar: TensorScalar

    /// The step size; set it between updates to follow a schedule.
    var learningRate: Double { get set }

    /// Moves every parameter against its gradient (`gradients[i]` belongs to `parameters[i]` and has
    /// its shape) and advances the internal state.
    ///
    /// - Parameters:
    ///   - parameters: The parameters, in the same order at every step.
    ///   - gradients: One gradient per parameter, shaped like it.
    func update(_ parameters: [Parameter<Scalar>], along gradients: [Tensor<Scalar>])

    /// The optimiser's state: per-parameter buffers named `state.<i>.<field>` with PyTorch's field
    /// names, and the hyperparameters with PyTorch's names (`lr`, `weight_decay`, …).
    ///
    /// - Returns: The state, for a checkpoint.
    func state() -> OptimizerState<Scalar>

    /// Replaces the optimiser's state and hyperparameters with `state`, checking every buffer against
    /// the shape of the parameter at its position in `parameters`. On error nothing is changed.
    ///
    /// - Parameters:
    ///   - state: A state from `state()` (or a checkpoint of it).
    ///   - parameters: The parameters the state belongs to, in their update order.
    /// - Throws: ``OptimizerStateError`` naming the entry that is missing, unexpected or misshapen; nothing changes.
    func loadState(_ state: OptimizerState<Scalar>, for parameters: [Parameter<Scalar>]) throws(OptimizerStateError)

    /// Forgets all per-parameter state (the next update is a first step again).
    func resetState()
}

extension Optimizer {
    /// Updates all parameters of `model` (in `model.parameters(of:)` order) along `gradients`, the
    /// gradients returned by `valueWithGradient(at: model, of:)`.
    ///
    /// - Parameters:
    ///   - model: The module whose parameters to update.
    ///   - gradients: One gradient per parameter, in `model.parameters(of:)` order.
    public func update<M: Module>(_ model: M, along gradients: [Tensor<Scalar>]) {
        update(model.parameters(of: Scalar.self), along: gradients)
    }
}

/// Checks an update's arguments against each other and against the stored per-position state shapes.
func validateUpdate<Scalar: TensorScalar>(
    _ optimizer: String, parameters: [Parameter<Scalar>], gradients: [Tensor<Scalar>], stateShapes: [[Int]?]
) {
    require(parameters.count == gradients.count,
            "\(optimizer).update: \(parameters.count) parameters but \(gradients.count) gradients")
    require(stateShapes.count <= parameters.count,
            "\(optimizer).update: state holds \(stateShapes.count) parameters but \(parameters.count) were passed; "
                + "pass the same parameters each step or call resetState()")
    for (index, (parameter, gradient)) in zip(parameters, gradients).enumerated() {
        require(parameter.shape == gradient.shape,
                "\(optimizer).update: parameter \(index) has shape \(parameter.shape) but its gradient has shape \(gradient.shape)")
        if index < stateShapes.count, let shape = stateShapes[index] {
            require(shape == parameter.shape,
                    "\(optimizer).update: parameter \(index) has shape \(parameter.shape) but its state has shape \(shape); "
                        + "pass the same parameters each step or call resetState()")
        }
    }
}

/// Grows `states` with `nil` up to `count` entries.
func padded<State>(_ states: inout [State?], to count: Int) {
    if states.count < count { states.append(contentsOf: repeatElement(nil, count: count - states.count)) }
}
