import Autodiff
import ODENet

/// A small convolutional vector field for the checkpoint tests: f(t, x) = norm(conv1(t, relu(x))), with
/// a time-concatenated convolution and a group norm, so that a model holds nested parameter names
/// (`dynamics.conv1._layer.weight`, `dynamics.norm.bias`).
final class ConvCheckpointField: Dynamics {
    typealias Scalar = Float
    let conv1: ConcatConv2d<Float>
    let norm: GroupNorm<Float>

    init(channels: Int, using generator: inout SeededGenerator) {
        conv1 = ConcatConv2d(channels, channels, kernelSize: 3, padding: 1, using: &generator)
        norm = GroupNorm(2, channels)
    }

    var namedMembers: [(name: String, member: Any)] { [("conv1", conv1), ("norm", norm)] }

    func callAsFunction(_ time: Tensor<Float>, _ state: Tensor<Float>) -> Tensor<Float> {
        norm(conv1(time, relu(state)))
    }
}
