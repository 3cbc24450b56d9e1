import Autodiff
import Requirements

/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
/// decay, with the semantics of PyTorch's `torch.optim.SGD`.
///
/// For each parameter θ with gradient g, a step does
///
///     g ← g + weightDecay·θ
///     b ← g                              (first step)
///     b ← momentum·b + (1 − dampening)·g (later steps)      — only when momentum ≠ 0
///     g ← g + momentum·b (nesterov) or g ← b
///     θ ← θ − learningRate·g
///
/// Note that the first momentum step copies g without dampening, as PyTorch does.
public final class SGD<Scalar: TensorScalar>: Optimizer {
    /// The step size.
    public var learningRate: Double
    /// The momentum factor μ (0: plain SGD, no buffer is kept).
    public var momentum: Double
    /// The dampening of the gradient's contribution to the momentum buffer.
    public var dampening: Double
    /// The L2 penalty coefficient added to the gradient.
    public var weightDecay: Double
    /// Whether to use Nesterov momentum (needs momentum > 0 and dampening = 0).
    public var nesterov: Bool

    /// Momentum buffers by parameter position (nil until the parameter's first step with momentum).
    private var buffers: [Tensor<Scalar>?] = []

    /// Creates the optimiser; PyTorch's defaults except the learning rate, which has none there either.
    ///
    /// - Parameters:
    ///   - learningRate: The step size, ≥ 0.
    ///   - momentum: The momentum factor μ (0: plain SGD).
    ///   - dampening: The dampening of the gradient's contribution to the momentum buffer.
    ///   - weightDecay: The L2 penalty coefficient added to the gradient.
    ///   - nesterov: Whether to use Nesterov momentum (needs momentum > 0 and dampening 0).
    public init(learningRate: Double, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0,
                nesterov: Bool = false) {
        require(learningRate >= 0, "SGD: learning rate \(learningRate) must be ≥ 0")
        require(momentum >= 0, "SGD: momentum \(momentum) must be ≥ 0")
        require(weightDecay >= 0, "SGD: weight decay \(weightDecay) must be ≥ 0")
        require(!nesterov || (momentum > 0 && dampening == 0),
                "SGD: Nesterov momentum needs momentum > 0 and zero dampening (got momentum \(momentum), dampening \(dampening))")
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    /// Takes one step for every parameter.
    ///
    /// - Parameters:
    ///   - parameters: The parameters, in the same order at every step.
    ///   - gradients: One gradient per parameter, shaped like it.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func update(_ parameters: [Parameter<Scalar>], along gradients: [Tensor<Scalar>]) {
        validateUpdate("SGD", parameters: parameters, gradients: gradients, stateShapes: buffers.map { $0?.shape })
        padded(&buffers, to: parameters.count)
        let lr = Scalar(learningRate), mu = Scalar(momentum), decay = Scalar(weightDecay)
        let keep = Scalar(1 - dampening)
        for (index, (parameter, gradient)) in zip(parameters, gradients).enumerated() {
            var buffer = buffers[index]
            buffers[index] = nil
            let first = buffer == nil
            if momentum != 0 && first { buffer = Tensor.zeros(parameter.shape) }
            parameter.value.withUnsafeMutableBufferPointer { theta in
                gradient.withUnsafeBufferPointer { g in
                    if momentum == 0 {
                        for i in 0..<theta.count { theta[i] -= lr * (g[i] + decay * theta[i]) }
                        return
                    }
                    buffer!.withUnsafeMutableBufferPointer { b in
                        for i in 0..<theta.count {
                            var d = g[i]
                            if decay != 0 { d += decay * theta[i] }
                            b[i] = first ? d : mu * b[i] + keep * d
                            theta[i] -= lr * (nesterov ? d + mu * b[i] : b[i])
                        }
                    }
                }
            }
            buffers[index] = buffer
        }
    }

    /// `state.<i>.momentum_buffer` for every parameter with a buffer; `lr`, `momentum`, `dampening`,
    /// `weight_decay`, `nesterov`.
    ///
    /// - Returns: The momentum buffers and the hyperparameters.
    public func state() -> OptimizerState<Scalar> {
        OptimizerState(
            tensors: buffers.enumerated().compactMap { index, buffer in
                buffer.map { (stateName(index, "momentum_buffer"), $0) }
            },
            scalars: [("lr", learningRate), ("momentum", momentum), ("dampening", dampening),
                      ("weight_decay", weightDecay), ("nesterov", nesterov ? 1 : 0)])
    }

    /// Restores a state written by `state()`.
    ///
    /// - Parameters:
    ///   - state: A state from `state()` (or a checkpoint of it).
    ///   - parameters: The parameters the state belongs to, in their update order.
    /// - Throws: ``OptimizerStateError`` naming the entry that is missing, unexpected or misshapen; nothing changes.
    public func loadState(_ state: OptimizerState<Scalar>, for parameters: [Parameter<Scalar>]) throws(OptimizerStateError) {
        let reader = try OptimizerStateReader(state, fields: ["momentum_buffer"], parameters: parameters)
        let values = (try reader.scalar("lr", { $0 >= 0 }, "≥ 0"), try reader.scalar("momentum", { $0 >= 0 }, "≥ 0"),
                      try reader.scalar("dampening"), try reader.scalar("weight_decay", { $0 >= 0 }, "≥ 0"),
                      try reader.flag("nesterov"))
        if values.4, !(values.1 > 0 && values.2 == 0) {
            throw .invalidValue(name: "nesterov", reason: "Nesterov momentum needs momentum > 0 and zero dampening "
                                    + "(the state has momentum \(values.1), dampening \(values.2))")
        }
        var restored = [Tensor<Scalar>?](repeating: nil, count: parameters.count)
        for position in reader.positions { restored[position] = try reader.tensor("momentum_buffer", at: position) }
        (learningRate, momentum, dampening, weightDecay, nesterov) = values
        buffers = restored
    }

    /// Drops all momentum buffers.
    public func resetState() { buffers = [] }
}
