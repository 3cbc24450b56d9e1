/// The downsampling stage of the convolutional networks (28×28 → 64 × 6×6).
public enum MNISTDownsampling: String, CaseIterable, Sendable {
    /// Conv(1→64, 3×3) → norm → ReLU → Conv(64→64, 4×4, s2, p1) → norm → ReLU → Conv(64→64, 4×4, s2, p1).
    case conv
    /// Conv(1→64, 3×3) → two `ResidualBlock(64, 64, stride 2)` with 1×1 strided shortcuts.
    case res
}
