import Autodiff
import Requirements

/// Adam (Kingma & Ba, 2015) with L2 weight decay, with the semantics of PyTorch's `torch.optim.Adam`
/// (no AMSGrad).
///
/// For each parameter θ with gradient g, step t (from 1) does
///
///     g ← g + weightDecay·θ
///     m ← β₁·m + (1 − β₁)·g
///     v ← β₂·v + (1 − β₂)·g²
///     θ ← θ − learningRate / (1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// ε is added after the square root of the bias-corrected second moment, as in PyTorch. For weight
/// decay that does not pass through the moments use ``AdamW``.
public final class Adam<Scalar: TensorScalar>: Optimizer {
    /// The step size.
    public var learningRate: Double
    /// The decay rate of the first-moment estimate.
    public var beta1: Double
    /// The decay rate of the second-moment estimate.
    public var beta2: Double
    /// Added to the denominator for numerical stability.
    public var epsilon: Double
    /// The L2 penalty coefficient added to the gradient.
    public var weightDecay: Double

    private var moments = AdamMoments<Scalar>()

    /// Creates the optimiser with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no decay.
    ///
    /// - Parameters:
    ///   - learningRate: The step size.
    ///   - beta1: The decay of the first-moment average.
    ///   - beta2: The decay of the second-moment average.
    ///   - epsilon: Added to the denominator for numerical stability.
    ///   - weightDecay: The L2 penalty coefficient added to the gradient.
    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0) {
        checkAdamHyperparameters("Adam", learningRate, beta1, beta2, epsilon, weightDecay)
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// Takes one step for every parameter.
    ///
    /// - Parameters:
    ///   - parameters: The parameters, in the same order at every step.
    ///   - gradients: One gradient per parameter, shaped like it.
    public func update(_ parameters: [Parameter<Scalar>], along gradients: [Tensor<Scalar>]) {
        moments.step("Adam", parameters: parameters, gradients: gradients, learningRate: learningRate,
                     beta1: beta1, beta2: beta2, epsilon: epsilon, l2: weightDecay, decoupled: 0)
    }

    /// `state.<i>.step`, `state.<i>.exp_avg`, `state.<i>.exp_avg_sq`; `lr`, `beta1`, `beta2`, `eps`,
    /// `weight_decay`.
    ///
    /// - Returns: The moments and step counts, and the hyperparameters.
    public func state() -> OptimizerState<Scalar> {
        OptimizerState(tensors: moments.tensors,
                       scalars: [("lr", learningRate), ("beta1", beta1), ("beta2", beta2), ("eps", epsilon),
                                 ("weight_decay", weightDecay)])
    }

    /// Restores a state written by `state()`.
    ///
    /// - Parameters:
    ///   - state: A state from `state()` (or a checkpoint of it).
    ///   - parameters: The parameters the state belongs to, in their update order.
    /// - Throws: ``OptimizerStateError`` naming the entry that is missing, unexpected or misshapen; nothing changes.
    public func loadState(_ state: OptimizerState<Scalar>, for parameters: [Parameter<Scalar>]) throws(OptimizerStateError) {
        let reader = try OptimizerStateReader(state, fields: AdamMoments<Scalar>.fields, parameters: parameters)
        let values = (try reader.scalar("lr", { $0 >= 0 }, "≥ 0"), try reader.scalar("beta1", { (0..<1).contains($0) }, "in [0, 1)"),
                      try reader.scalar("beta2", { (0..<1).contains($0) }, "in [0, 1)"), try reader.scalar("eps", { $0 >= 0 }, "≥ 0"),
                      try reader.scalar("weight_decay", { $0 >= 0 }, "≥ 0"))
        let restored = try AdamMoments.read(reader, count: parameters.count)
        (learningRate, beta1, beta2, epsilon, weightDecay) = values
        moments = restored
    }

    /// Forgets the moments and step counts.
    public func resetState() { moments = AdamMoments() }
}

/// Adam with decoupled weight decay (Loshchilov & Hutter, 2019), with the semantics of PyTorch's
/// `torch.optim.AdamW`: each step first shrinks θ ← θ·(1 − learningRate·weightDecay), then takes an
/// ``Adam`` step without weight decay.
public final class AdamW<Scalar: TensorScalar>: Optimizer {
    /// The step size.
    public var learningRate: Double
    /// The decay rate of the first-moment estimate.
    public var beta1: Double
    /// The decay rate of the second-moment estimate.
    public var beta2: Double
    /// Added to the denominator for numerical stability.
    public var epsilon: Double
    /// The decoupled decay coefficient.
    public var weightDecay: Double

    private var moments = AdamMoments<Scalar>()

    /// Creates the optimiser with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, decay 1e-2.
    ///
    /// - Parameters:
    ///   - learningRate: The step size.
    ///   - beta1: The decay of the first-moment average.
    ///   - beta2: The decay of the second-moment average.
    ///   - epsilon: Added to the denominator for numerical stability.
    ///   - weightDecay: The decoupled decay: each step first scales θ by 1 − learningRate·weightDecay.
    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 1e-2) {
        checkAdamHyperparameters("AdamW", learningRate, beta1, beta2, epsilon, weightDecay)
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// Takes one step for every parameter.
    ///
    /// - Parameters:
    ///   - parameters: The parameters, in the same order at every step.
    ///   - gradients: One gradient per parameter, shaped like it.
    public func update(_ parameters: [Parameter<Scalar>], along gradients: [Tensor<Scalar>]) {
        moments.step("AdamW", parameters: parameters, gradients: gradients, learningRate: learningRate,
                     beta1: beta1, beta2: beta2, epsilon: epsilon, l2: 0, decoupled: weightDecay)
    }

    /// `state.<i>.step`, `state.<i>.exp_avg`, `state.<i>.exp_avg_sq`; `lr`, `beta1`, `beta2`, `eps`,
    /// `weight_decay`.
    ///
    /// - Returns: The moments and step counts, and the hyperparameters.
    public func state() -> OptimizerState<Scalar> {
        OptimizerState(tensors: moments.tensors,
                       scalars: [("lr", learningRate), ("beta1", beta1), ("beta2", beta2), ("eps", epsilon),
                                 ("weight_decay", weightDecay)])
    }

    /// Restores a state written by `state()`.
    ///
    /// - Parameters:
    ///   - state: A state from `state()` (or a checkpoint of it).
    ///   - parameters: The parameters the state belongs to, in their update order.
    /// - Throws: ``OptimizerStateError`` naming the entry that is missing, unexpected or misshapen; nothing changes.
    public func loadState(_ state: OptimizerState<Scalar>, for parameters: [Parameter<Scalar>]) throws(OptimizerStateError) {
        let reader = try OptimizerStateReader(state, fields: AdamMoments<Scalar>.fields, parameters: parameters)
        let values = (try reader.scalar("lr", { $0 >= 0 }, "≥ 0"), try reader.scalar("beta1", { (0..<1).contains($0) }, "in [0, 1)"),
                      try reader.scalar("beta2", { (0..<1).contains($0) }, "in [0, 1)"), try reader.scalar("eps", { $0 >= 0 }, "≥ 0"),
                      try reader.scalar("weight_decay", { $0 >= 0 }, "≥ 0"))
        let restored = try AdamMoments.read(reader, count: parameters.count)
        (learningRate, beta1, beta2, epsilon, weightDecay) = values
        moments = restored
    }

    /// Forgets the moments and step counts.
    public func resetState() { moments = AdamMoments() }
}

/// Preconditions on Adam-family hyperparameters, naming the offending value.
func checkAdamHyperparameters(_ name: String, _ learningRate: Double, _ beta1: Double, _ beta2: Double,
                              _ epsilon: Double, _ weightDecay: Double) {
    require(learningRate >= 0, "\(name): learning rate \(learningRate) must be ≥ 0")
    require((0..<1).contains(beta1), "\(name): beta1 \(beta1) must be in [0, 1)")
    require((0..<1).contains(beta2), "\(name): beta2 \(beta2) must be in [0, 1)")
    require(epsilon >= 0, "\(name): epsilon \(epsilon) must be ≥ 0")
    require(weightDecay >= 0, "\(name): weight decay \(weightDecay) must be ≥ 0")
}
