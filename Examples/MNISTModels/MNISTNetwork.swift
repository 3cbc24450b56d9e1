/// The networks of torchdiffeq's `odenet_mnist.py` and the W4 MLP ODE-Net.
public enum MNISTNetwork: String, CaseIterable, Sendable {
    /// One ODE block (dynamics `ConvODEFunction(64)`) over t ∈ [0, 1].
    case odeNet = "odenet"
    /// Six `ResidualBlock(64, 64)` in place of the ODE block.
    case resNet = "resnet"
    /// Flatten → Linear(784→64) → ODE block (`MLPODEFunction(64)`) → Linear(64→10).
    case mlpODENet = "mlp"
}
