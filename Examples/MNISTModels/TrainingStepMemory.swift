import ODENet

/// What one gradient computation of a training step holds at most: the peak of live tensor bytes
/// (``TensorMemory/peakBytes``, the library's own counter — tape-held activations, the adjoint's states and
/// stored checkpoints alike) above what was live before it, and the evaluations of the ODE block.
public struct TrainingStepMemory: Sendable {
    /// Peak live tensor bytes during the forward and backward pass, above those live before it.
    public var peakBytes: Int
    /// Evaluations of the ODE block's field forward (0 without an ODE block).
    public var forwardEvaluations: Int
    /// Evaluations backward.
    public var backwardEvaluations: Int
    /// Seconds the forward and backward pass took.
    public var seconds: Double
}

extension MNISTClassifier {
    /// A model of Table 1's comparison, initialised from seed 0: the ResNet with `residualBlocks` blocks, or an
    /// ODE model whose block takes `rk4Steps` fixed RK4 steps over [0, 1] (4 evaluations each) when that is
    /// positive, so that its depth is set rather than adaptive.
    ///
    /// - Parameters:
    ///   - network: The network.
    ///   - residualBlocks: The ResNet's residual blocks.
    ///   - rk4Steps: Fixed RK4 steps of the ODE block (0: its default adaptive stepping).
    ///   - gradient: The ODE block's gradient mode.
    /// - Returns: The model.
    public static func tableOneModel(_ network: MNISTNetwork, residualBlocks: Int = 6, rk4Steps: Int = 0,
                                     gradient: GradientMode = .adjoint()) -> MNISTClassifier {
        var generator = SeededGenerator(seed: 0)
        let model = MNISTClassifier(network, gradientMode: gradient, residualBlocks: residualBlocks, using: &generator)
        if rk4Steps > 0 { model.odeBlock?.stepping = .fixed(.rk4, stepSize: 1 / Double(rk4Steps)) }
        return model
    }

    /// Computes the loss's gradient for one batch (forward and backward; the optimiser's update, whose state
    /// is the same for every depth, is left out) and reports its peak memory.
    ///
    /// - Parameters:
    ///   - images: [N, 1, 28, 28].
    ///   - labels: N labels.
    ///   - clock: Returns seconds (the caller's monotonic clock).
    /// - Returns: The peak bytes and evaluations.
    /// - Throws: What the forward pass throws.
    public func measureTrainingStep(images: Tensor<Scalar>, labels: [Int], clock: () -> Double) throws -> TrainingStepMemory {
        TensorMemory.resetPeak()
        let base = TensorMemory.liveBytes
        let started = clock()
        _ = try valueWithGradient(at: self) { crossEntropy(logits: try self(images), labels: labels) }
        let seconds = clock() - started
        let statistics = odeBlock?.statistics ?? ODEStatistics()
        return TrainingStepMemory(peakBytes: TensorMemory.peakBytes - base, forwardEvaluations: statistics.forwardEvaluations,
                                  backwardEvaluations: statistics.backwardEvaluations, seconds: seconds)
    }
}
