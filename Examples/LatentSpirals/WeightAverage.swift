import Autodiff
import ODENet

/// An exponential moving average of a model's parameters (Polyak averaging), for evaluating a model
/// whose weights oscillate from update to update: after each update `average = β·average + (1 − β)·θ`,
/// started from the first weights; `apply()` writes the averages into the model.
final class WeightAverage {
    let parameters: [Parameter<Float>]
    let decay: Float
    private(set) var averages: [Tensor<Float>]

    /// Starts the average at `model`'s current weights; `decay` β in [0, 1).
    init(_ model: some Module, decay: Double) {
        precondition(decay >= 0 && decay < 1, "WeightAverage: decay \(decay) must be in [0, 1)")
        parameters = model.parameters(of: Float.self)
        averages = parameters.map(\.value)
        self.decay = Float(decay)
    }

    /// Folds the model's current weights into the averages.
    func update() {
        withoutRecording(Float.self) {
            for (i, p) in parameters.enumerated() { averages[i] = averages[i] * decay + p.value * (1 - decay) }
        }
    }

    /// Replaces the model's weights by the averages.
    func apply() {
        for (i, p) in parameters.enumerated() { p.value = averages[i] }
    }
}
