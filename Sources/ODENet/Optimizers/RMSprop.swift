import Autodiff
import Requirements

/// RMSprop (Hinton, 2012) with the semantics of PyTorch's `torch.optim.RMSprop`.
///
/// For each parameter θ with gradient g, a step does
///
///     g ← g + weightDecay·θ
///     v ← α·v + (1 − α)·g²
///     a ← √v + ε,  or, centered:  ḡ ← α·ḡ + (1 − α)·g,  a ← √(v − ḡ²) + ε
///     θ ← θ − learningRate·g/a,  or, with momentum μ:  b ← μ·b + g/a,  θ ← θ − learningRate·b
///
/// v, ḡ and b start at zero. ε is added outside the square root, as in PyTorch.
public final class RMSprop<Scalar: TensorScalar>: Optimizer {
    /// The step size.
    public var learningRate: Double
    /// The smoothing constant α of the running averages.
    public var alpha: Double
    /// Added to the denominator for numerical stability.
    public var epsilon: Double
    /// The L2 penalty coefficient added to the gradient.
    public var weightDecay: Double
    /// The momentum factor (0: no momentum buffer).
    public var momentum: Double
    /// Whether to normalise by the estimated variance rather than the uncentered second moment.
    public var centered: Bool

    /// One parameter's state.
    private struct Entry {
        var step: Int
        var squareAverage: Tensor<Scalar>
        var momentumBuffer: Tensor<Scalar>?
        var gradientAverage: Tensor<Scalar>?
    }
    private var entries: [Entry?] = []

    /// Creates the optimiser with PyTorch's defaults: lr 1e-2, α 0.99, eps 1e-8, no decay, no momentum.
    ///
    /// - Parameters:
    ///   - learningRate: The step size.
    ///   - alpha: The smoothing constant α of the running averages.
    ///   - epsilon: Added to the denominator for numerical stability.
    ///   - weightDecay: The L2 penalty coefficient added to the gradient.
    ///   - momentum: The momentum factor (0: no momentum buffer).
    ///   - centered: Whether to normalise by the estimated variance.
    public init(learningRate: Double = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8, weightDecay: Double = 0,
                momentum: Double = 0, centered: Bool = false) {
        require(learningRate >= 0, "RMSprop: learning rate \(learningRate) must be ≥ 0")
        require(alpha >= 0, "RMSprop: alpha \(alpha) must be ≥ 0")
        require(epsilon >= 0, "RMSprop: epsilon \(epsilon) must be ≥ 0")
        require(weightDecay >= 0, "RMSprop: weight decay \(weightDecay) must be ≥ 0")
        require(momentum >= 0, "RMSprop: momentum \(momentum) must be ≥ 0")
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
    }

    /// Takes one step for every parameter.
    ///
    /// - Parameters:
    ///   - parameters: The parameters, in the same order at every step.
    ///   - gradients: One gradient per parameter, shaped like it.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func update(_ parameters: [Parameter<Scalar>], along gradients: [Tensor<Scalar>]) {
        validateUpdate("RMSprop", parameters: parameters, gradients: gradients,
                       stateShapes: entries.map { $0?.squareAverage.shape })
        padded(&entries, to: parameters.count)
        let lr = Scalar(learningRate), a = Scalar(alpha), oneMinusA = Scalar(1 - alpha), eps = Scalar(epsilon)
        let decay = Scalar(weightDecay), mu = Scalar(momentum)
        for (index, (parameter, gradient)) in zip(parameters, gradients).enumerated() {
            let shape = parameter.shape
            var entry = entries[index] ?? Entry(step: 0, squareAverage: .zeros(shape), momentumBuffer: nil,
                                                gradientAverage: nil)
            entries[index] = nil
            entry.step += 1
            // Buffers are created when first needed, so flags switched on later start from zero.
            var buffer = momentum > 0 ? (entry.momentumBuffer ?? .zeros(shape)) : entry.momentumBuffer
            var average = centered ? (entry.gradientAverage ?? .zeros(shape)) : entry.gradientAverage
            entry.momentumBuffer = nil
            entry.gradientAverage = nil
            var scratchA = Tensor<Scalar>.zeros([0]), scratchB = Tensor<Scalar>.zeros([0])
            parameter.value.withUnsafeMutableBufferPointer { theta in
                gradient.withUnsafeBufferPointer { g in
                    entry.squareAverage.withUnsafeMutableBufferPointer { v in
                        withOptionalBuffer(&average, fallback: &scratchA) { ga in
                            withOptionalBuffer(&buffer, fallback: &scratchB) { b in
                                for i in 0..<theta.count {
                                    var d = g[i]
                                    if weightDecay != 0 { d += decay * theta[i] }
                                    v[i] = a * v[i] + oneMinusA * d * d
                                    var denominator: Scalar
                                    if centered {
                                        ga[i] += oneMinusA * (d - ga[i])
                                        denominator = (v[i] - ga[i] * ga[i]).squareRoot() + eps
                                    } else {
                                        denominator = v[i].squareRoot() + eps
                                    }
                                    if momentum > 0 {
                                        b[i] = mu * b[i] + d / denominator
                                        theta[i] -= lr * b[i]
                                    } else {
                                        theta[i] -= lr * (d / denominator)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            entry.momentumBuffer = buffer
            entry.gradientAverage = average
            entries[index] = entry
        }
    }

    /// `state.<i>.step`, `state.<i>.square_avg`, and when present `state.<i>.momentum_buffer`,
    /// `state.<i>.grad_avg`; `lr`, `alpha`, `eps`, `weight_decay`, `momentum`, `centered`.
    ///
    /// - Returns: The running averages and buffers, and the hyperparameters.
    public func state() -> OptimizerState<Scalar> {
        var tensors: [(name: String, value: Tensor<Scalar>)] = []
        for (index, entry) in entries.enumerated() {
            guard let entry else { continue }
            tensors.append((stateName(index, "step"), Tensor(Scalar(Double(entry.step)))))
            tensors.append((stateName(index, "square_avg"), entry.squareAverage))
            if let b = entry.momentumBuffer { tensors.append((stateName(index, "momentum_buffer"), b)) }
            if let ga = entry.gradientAverage { tensors.append((stateName(index, "grad_avg"), ga)) }
        }
        return OptimizerState(tensors: tensors,
                              scalars: [("lr", learningRate), ("alpha", alpha), ("eps", epsilon),
                                        ("weight_decay", weightDecay), ("momentum", momentum),
                                        ("centered", centered ? 1 : 0)])
    }

    /// Restores a state written by `state()`.
    ///
    /// - Parameters:
    ///   - state: A state from `state()` (or a checkpoint of it).
    ///   - parameters: The parameters the state belongs to, in their update order.
    /// - Throws: ``OptimizerStateError`` naming the entry that is missing, unexpected or misshapen; nothing changes.
    public func loadState(_ state: OptimizerState<Scalar>, for parameters: [Parameter<Scalar>]) throws(OptimizerStateError) {
        let reader = try OptimizerStateReader(state, fields: ["step", "square_avg", "momentum_buffer", "grad_avg"],
                                              parameters: parameters)
        let values = (try reader.scalar("lr", { $0 >= 0 }, "≥ 0"), try reader.scalar("alpha", { $0 >= 0 }, "≥ 0"),
                      try reader.scalar("eps", { $0 >= 0 }, "≥ 0"), try reader.scalar("weight_decay", { $0 >= 0 }, "≥ 0"),
                      try reader.scalar("momentum", { $0 >= 0 }, "≥ 0"), try reader.flag("centered"))
        var restored = [Entry?](repeating: nil, count: parameters.count)
        for position in reader.positions {
            let fields = reader.entries[position] ?? [:]
            restored[position] = Entry(step: try reader.step(at: position),
                                       squareAverage: try reader.tensor("square_avg", at: position),
                                       momentumBuffer: fields["momentum_buffer"], gradientAverage: fields["grad_avg"])
            if values.4 > 0, fields["momentum_buffer"] == nil {
                throw .missingEntry(name: stateName(position, "momentum_buffer"))
            }
            if values.5, fields["grad_avg"] == nil { throw .missingEntry(name: stateName(position, "grad_avg")) }
        }
        (learningRate, alpha, epsilon, weightDecay, momentum, centered) = values
        entries = restored
    }

    /// Forgets the running averages, momentum buffers and step counts.
    public func resetState() { entries = [] }
}

/// Calls `body` with the buffer of `tensor`, or of the empty `fallback` when `tensor` is nil.
private func withOptionalBuffer<Scalar: TensorScalar>(
    _ tensor: inout Tensor<Scalar>?, fallback: inout Tensor<Scalar>,
    _ body: (UnsafeMutableBufferPointer<Scalar>) -> Void) {
    if tensor != nil {
        tensor!.withUnsafeMutableBufferPointer(body)
    } else {
        fallback.withUnsafeMutableBufferPointer(body)
    }
}
