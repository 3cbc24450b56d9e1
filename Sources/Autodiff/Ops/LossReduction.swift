/// How a loss combines its per-element (or per-sample) values.
public enum LossReduction: Sendable {
    /// The average (PyTorch's and MLX's default).
    case mean
    /// The sum.
    case sum
    /// No reduction: one loss per element (per sample for `crossEntropy`).
    case none
}
