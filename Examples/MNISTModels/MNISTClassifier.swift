import Autodiff
import Datasets
import ODENet
import Requirements
import Solvers

// The MNIST models of Chen et al. (2018), exactly as torchdiffeq's `examples/odenet_mnist.py` builds
// them, plus the light MLP ODE-Net of the peers' W4 workload. Parameter names are PyTorch's
// `state_dict` keys of those scripts (`7.odefunc.conv1._layer.weight`, …), so weights move both ways.

/// An MNIST classifier: [N, 1, 28, 28] images (pixels in 0…1) → [N, 10] logits.
///
/// The layers form one `Sequential` whose member names are those of the PyTorch `nn.Sequential` in
/// `odenet_mnist.py` (or the W4 script for the MLP), so a `state_dict` loads by name.
///
///     var g = SeededGenerator(seed: 0)
///     let model = MNISTClassifier<Float>(.odeNet, downsampling: .conv, using: &g)   // 208,266 parameters
///     let logits = try model(images)
///     print(model.odeBlock?.statistics)                                             // NFE-F, NFE-B
public final class MNISTClassifier<Scalar: TensorScalar>: Layer, CustomStringConvertible {
    /// Which network this is.
    public let network: MNISTNetwork
    /// The downsampling stage (nil for the MLP ODE-Net).
    public let downsampling: MNISTDownsampling?
    /// All layers in order.
    public let layers: Sequential<Scalar>
    /// The ODE block (nil for the ResNet).
    public let odeBlock: (any ODEBlockControls)?
    /// The position of the ODE block in `layers` (nil for the ResNet).
    public let odeBlockIndex: Int?

    /// Parameter counts of every network (the figures of torchdiffeq's example and the W4 script).
    public static func expectedParameterCount(_ network: MNISTNetwork, downsampling: MNISTDownsampling = .conv) -> Int {
        switch (network, downsampling) {
        case (.odeNet, .conv): 208_266
        case (.odeNet, .res): 232_970
        case (.resNet, .conv): 576_778
        case (.resNet, .res): 601_482
        case (.mlpODENet, _): 55_114
        }
    }

    /// Builds a network with PyTorch's default initialisation drawn from `generator`. ODE blocks use
    /// `method` with rtol = atol = `tolerance` over [0, 1] and the given gradient mode (the paper's RK-Net
    /// is the ODE-Net with `.direct`). The default method is torchdiffeq's dopri5 (Dormand–Prince with
    /// its error estimate), so that steps, NFE and losses compare with odenet_mnist.py. The ResNet has
    /// `residualBlocks` residual blocks after the downsampling (the paper's 6; more for Table 1's memory column).
    public init(_ network: MNISTNetwork, downsampling: MNISTDownsampling = .conv, tolerance: Double = 1e-3,
                method: any AdaptiveRungeKuttaMethod = EmbeddedRungeKutta.dormandPrince54Torchdiffeq,
                gradientMode: GradientMode = .adjoint(), residualBlocks: Int = 6, using generator: inout SeededGenerator) {
        require(residualBlocks >= 1, "MNISTClassifier: residualBlocks must be at least 1, got \(residualBlocks)")
        self.network = network
        var layers: [any Layer<Scalar>] = []
        var odeBlock: (any ODEBlockControls)?
        var odeBlockIndex: Int?
        func makeBlock<D: Dynamics>(_ dynamics: D) -> TorchdiffeqODEBlock<D> where D.Scalar == Scalar {
            let block = ODEBlock(dynamics, method: method, relativeTolerance: tolerance,
                                 absoluteTolerance: tolerance, gradientMode: gradientMode)
            odeBlock = block
            odeBlockIndex = layers.count
            return TorchdiffeqODEBlock(block)
        }
        if network == .mlpODENet {
            self.downsampling = nil
            layers.append(Flatten<Scalar>())
            layers.append(Linear<Scalar>(MNIST.side * MNIST.side, 64, using: &generator))
            layers.append(makeBlock(MLPODEFunction<Scalar>(dimensions: 64, using: &generator)))
            layers.append(Linear<Scalar>(64, 10, using: &generator))
        } else {
            self.downsampling = downsampling
            layers.append(Conv2d<Scalar>(1, 64, kernelSize: 3, using: &generator))
            switch downsampling {
            case .conv:
                layers.append(odenetGroupNorm(64) as GroupNorm<Scalar>)
                layers.append(ReLU<Scalar>())
                layers.append(Conv2d<Scalar>(64, 64, kernelSize: 4, stride: 2, padding: 1, using: &generator))
                layers.append(odenetGroupNorm(64) as GroupNorm<Scalar>)
                layers.append(ReLU<Scalar>())
                layers.append(Conv2d<Scalar>(64, 64, kernelSize: 4, stride: 2, padding: 1, using: &generator))
            case .res:
                layers.append(ResidualBlock<Scalar>(64, 64, stride: 2, downsample: true, using: &generator))
                layers.append(ResidualBlock<Scalar>(64, 64, stride: 2, downsample: true, using: &generator))
            }
            if network == .odeNet {
                layers.append(makeBlock(ConvODEFunction<Scalar>(channels: 64, using: &generator)))
            } else {
                for _ in 0..<residualBlocks { layers.append(ResidualBlock<Scalar>(64, 64, using: &generator)) }
            }
            layers.append(odenetGroupNorm(64) as GroupNorm<Scalar>)
            layers.append(ReLU<Scalar>())
            layers.append(Lambda<Scalar>("AdaptiveAvgPool2d") { globalAveragePool2d($0) })
            layers.append(Flatten<Scalar>())
            layers.append(Linear<Scalar>(64, 10, using: &generator))
        }
        self.layers = Sequential(layers)
        self.odeBlock = odeBlock
        self.odeBlockIndex = odeBlockIndex
    }

    /// The layers' members: `0.weight`, …, as PyTorch's `nn.Sequential` names them.
    public var namedMembers: [(name: String, member: Any)] { layers.namedMembers }

    /// The ODE block's input z(0) for `input` (the layers before it), and its output z(1) for a given z(0).
    ///
    /// - Parameter input: Images, as for `callAsFunction`.
    /// - Returns: z(0).
    /// - Throws: What the layers throw.
    public func odeBlockInput(_ input: Tensor<Scalar>) throws -> Tensor<Scalar> {
        guard let index = odeBlockIndex else { requirementFailure("MNISTClassifier: the \(name) has no ODE block") }
        var x = input
        for i in 0..<index { x = try layers[i](x) }
        return x
    }

    /// z(1) of the ODE block from `state` = z(0).
    ///
    /// - Parameter state: z(0), as ``odeBlockInput(_:)`` returns it.
    /// - Returns: z(1).
    /// - Throws: What the solve throws.
    public func odeBlockOutput(_ state: Tensor<Scalar>) throws -> Tensor<Scalar> {
        guard let index = odeBlockIndex else { requirementFailure("MNISTClassifier: the \(name) has no ODE block") }
        return try layers[index](state)
    }

    /// Logits [N, 10] for images [N, 1, 28, 28] (the MLP also accepts [N, 784]).
    public func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar> { try layers(input) }

    /// A short name: `odenet/conv`, `resnet/res`, `mlp`.
    public var name: String { network.rawValue + (downsampling.map { "/\($0.rawValue)" } ?? "") }

    /// The layers, PyTorch-style.
    public var description: String { layers.description }
}
