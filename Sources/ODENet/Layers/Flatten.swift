import Autodiff

/// Merges the axes from `startAxis` on into one, PyTorch's `nn.Flatten` (default `start_dim=1`):
/// [N, C, H, W] becomes [N, C·H·W]. Shares the buffer; no parameters.
public final class Flatten<Scalar: TensorScalar>: Layer, CustomStringConvertible {
    /// The first axis merged; earlier axes (the batch) are kept.
    public let startAxis: Int

    /// Creates the layer; the default keeps the batch axis.
    ///
    /// - Parameter startAxis: The first axis to merge.
    public init(startAxis: Int = 1) {
        self.startAxis = startAxis
    }

    /// No members.
    public var namedMembers: [(name: String, member: Any)] { [] }

    /// `input` with the axes from `startAxis` merged.
    ///
    /// - Parameter input: A tensor of rank above `startAxis`.
    /// - Returns: The flattened tensor, of rank `startAxis + 1`.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        input.flattened(startAxis: startAxis)
    }

    /// `Flatten(startAxis: 1)`.
    public var description: String { "Flatten(startAxis: \(startAxis))" }
}
