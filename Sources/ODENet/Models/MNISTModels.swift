import Autodiff
import Solvers
import Requirements

// The MNIST models of Chen et al. (2018), exactly as torchdiffeq's `examples/odenet_mnist.py` builds
// them, plus the light MLP ODE-Net of the peers' W4 workload. Parameter names are PyTorch's
// `state_dict` keys of those scripts (`7.odefunc.conv1._layer.weight`, …), so weights move both ways.

/// torchdiffeq's `norm(dim)`: `GroupNorm(min(32, dim), dim)`.
public func odenetGroupNorm<Scalar: TensorScalar>(_ channels: Int) -> GroupNorm<Scalar> {
    GroupNorm(Swift.min(32, channels), channels)
}

/// torchdiffeq's pre-activation `ResBlock`:
///
///     out = relu(norm1(x));  shortcut = downsample?(out) ?? x
///     return conv2(relu(norm2(conv1(out)))) + shortcut
///
/// `conv1` is 3×3 with the block's stride, `conv2` 3×3, `downsample` 1×1 with the stride; none has a
/// bias. Members are named `norm1`, `downsample`, `conv1`, `norm2`, `conv2` (PyTorch's order).
public final class ResidualBlock<Scalar: TensorScalar>: Layer, CustomStringConvertible {
    /// Normalisation of the input.
    public let norm1: GroupNorm<Scalar>
    /// The 1×1 strided shortcut applied to the pre-activation, or nil for the identity shortcut.
    public let downsample: Conv2d<Scalar>?
    /// The first 3×3 convolution (strided).
    public let conv1: Conv2d<Scalar>
    /// Normalisation between the convolutions.
    public let norm2: GroupNorm<Scalar>
    /// The second 3×3 convolution.
    public let conv2: Conv2d<Scalar>

    /// Creates a block of `inputChannels` → `channels`; `downsample` adds the 1×1 strided shortcut
    /// (needed whenever `stride` ≠ 1 or the channel counts differ).
    public init(_ inputChannels: Int, _ channels: Int, stride: Int = 1, downsample: Bool = false,
                using generator: inout SeededGenerator) {
        require(downsample || (stride == 1 && inputChannels == channels),
                "ResidualBlock: stride \(stride) or \(inputChannels) → \(channels) channels needs a downsample shortcut")
        norm1 = odenetGroupNorm(inputChannels)
        self.downsample = downsample
            ? Conv2d(inputChannels, channels, kernelSize: 1, stride: stride, bias: false, using: &generator) : nil
        conv1 = Conv2d(inputChannels, channels, kernelSize: 3, stride: stride, padding: 1, bias: false, using: &generator)
        norm2 = odenetGroupNorm(channels)
        conv2 = Conv2d(channels, channels, kernelSize: 3, padding: 1, bias: false, using: &generator)
    }

    /// `norm1`, `downsample` (when present), `conv1`, `norm2`, `conv2`.
    public var namedMembers: [(name: String, member: Any)] {
        var members: [(name: String, member: Any)] = [("norm1", norm1)]
        if let downsample { members.append(("downsample", downsample)) }
        members += [("conv1", conv1), ("norm2", norm2), ("conv2", conv2)]
        return members
    }

    /// Applies the block to `input` [N, C, H, W].
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let activated = relu(norm1(input))
        let shortcut = downsample.map { $0(activated) } ?? input
        return conv2(relu(norm2(conv1(activated)))) + shortcut
    }

    /// `ResidualBlock(in: C, out: O, stride: s, downsample: true)`.
    public var description: String {
        "ResidualBlock(in: \(norm1.channels), out: \(conv1.outputChannels), stride: \(conv1.stride), "
            + "downsample: \(downsample != nil))"
    }
}

/// The ODE-Net's dynamics, torchdiffeq's `ODEfunc(dim)`:
///
///     f(t, x) = norm3(conv2(t, relu(norm2(conv1(t, relu(norm1(x)))))))
///
/// with `conv1`, `conv2` = `ConcatConv2d(dim → dim, 3×3, padding 1)` (a t-channel before the input).
/// Members `norm1`, `conv1`, `norm2`, `conv2`, `norm3`, PyTorch's order.
public final class ConvODEFunction<Scalar: TensorScalar>: Dynamics, CustomStringConvertible {
    /// Normalisation of the state.
    public let norm1: GroupNorm<Scalar>
    /// The first time-concatenated convolution.
    public let conv1: ConcatConv2d<Scalar>
    /// Normalisation between the convolutions.
    public let norm2: GroupNorm<Scalar>
    /// The second time-concatenated convolution.
    public let conv2: ConcatConv2d<Scalar>
    /// Normalisation of the output.
    public let norm3: GroupNorm<Scalar>

    /// Creates the field on states of `channels` channels (64 in the paper).
    public init(channels: Int = 64, using generator: inout SeededGenerator) {
        norm1 = odenetGroupNorm(channels)
        conv1 = ConcatConv2d(channels, channels, kernelSize: 3, padding: 1, using: &generator)
        norm2 = odenetGroupNorm(channels)
        conv2 = ConcatConv2d(channels, channels, kernelSize: 3, padding: 1, using: &generator)
        norm3 = odenetGroupNorm(channels)
    }

    /// `norm1`, `conv1`, `norm2`, `conv2`, `norm3`.
    public var namedMembers: [(name: String, member: Any)] {
        [("norm1", norm1), ("conv1", conv1), ("norm2", norm2), ("conv2", conv2), ("norm3", norm3)]
    }

    /// dx/dt at `time` for `state` [N, C, H, W].
    public func callAsFunction(_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) -> Tensor<Scalar> {
        var out = relu(norm1(state))
        out = conv1(time, out)
        out = relu(norm2(out))
        out = conv2(time, out)
        return norm3(out)
    }

    /// `ConvODEFunction(channels: C)`.
    public var description: String { "ConvODEFunction(channels: \(norm1.channels))" }
}

/// The MLP ODE-Net's dynamics (the peers' W4 `MLPODEfunc`): f(t, h) = tanh(lin([t, h])), with t as
/// the *first* input feature of `lin` (Linear(dim + 1 → dim)), as the PyTorch script concatenates.
public final class MLPODEFunction<Scalar: TensorScalar>: Dynamics, CustomStringConvertible {
    /// The linear map of `[t, h]` with the tanh fused; `weight[:, 0]` multiplies t.
    public let lin: Linear<Scalar>

    /// Creates the field on states of `dimensions` features.
    public init(dimensions: Int = 64, using generator: inout SeededGenerator) {
        lin = Linear(dimensions + 1, dimensions, activation: .tanh, using: &generator)
    }

    /// `lin`.
    public var namedMembers: [(name: String, member: Any)] { [("lin", lin)] }

    /// tanh(lin([t, h])) for `state` [N, D].
    public func callAsFunction(_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) -> Tensor<Scalar> {
        require(state.rank == 2 && state.shape[1] + 1 == lin.inputDimensions,
                "MLPODEFunction: state shape \(state.shape) is not [N, \(lin.inputDimensions - 1)]")
        let timeColumn = time.reshaped([]).broadcast(to: [state.shape[0], 1])
        return lin(concatenated([timeColumn, state], axis: 1))
    }

    /// `MLPODEFunction(dimensions: D)`.
    public var description: String { "MLPODEFunction(dimensions: \(lin.outputDimensions))" }
}

/// The settings and statistics of an `ODEBlock`, whatever its dynamics: lets a model expose its ODE
/// block without its dynamics type.
public protocol ODEBlockControls: AnyObject {
    /// How the backward pass is computed.
    var gradientMode: GradientMode { get set }
    /// Relative tolerance of adaptive steps.
    var relativeTolerance: Double { get set }
    /// Absolute tolerance of adaptive steps.
    var absoluteTolerance: Double { get set }
    /// Evaluations and steps of the last call (backward figures once its gradient has been computed).
    var statistics: ODEBlockStatistics { get }
}

extension ODEBlock: ODEBlockControls {}

/// An `ODEBlock` whose dynamics are named `odefunc`, as torchdiffeq's example `ODEBlock` names them
/// (`ODEBlock` itself names them `dynamics`): `7.odefunc.conv1._layer.weight` rather than
/// `7.dynamics.conv1._layer.weight`. Integrates over the block's `integrationTimes` ([0, 1]).
public final class TorchdiffeqODEBlock<D: Dynamics>: Layer, CustomStringConvertible {
    /// The scalar type of the state.
    public typealias Scalar = D.Scalar
    /// The wrapped block.
    public let block: ODEBlock<D>

    /// Wraps `block`.
    public init(_ block: ODEBlock<D>) { self.block = block }

    /// The dynamics, under the name `odefunc`.
    public var namedMembers: [(name: String, member: Any)] { [("odefunc", block.dynamics)] }

    /// z(1) from z(0) = `input`.
    public func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar> { try block(input) }

    private var modeName: String {
        switch block.gradientMode {
        case .adjoint: "adjoint"
        case .direct: "direct"
        case .checkpointed: "checkpointed"
        }
    }

    /// `ODEBlock(odefunc: …, tol …)`.
    public var description: String {
        "ODEBlock(odefunc: \((block.dynamics as? CustomStringConvertible)?.description ?? "\(D.self)"), "
            + "\(block.method.name), rtol \(block.relativeTolerance), atol \(block.absoluteTolerance), \(modeName))"
    }
}

/// The networks of torchdiffeq's `odenet_mnist.py` and the W4 MLP ODE-Net.
public enum MNISTNetwork: String, CaseIterable, Sendable {
    /// One ODE block (dynamics `ConvODEFunction(64)`) over t ∈ [0, 1].
    case odeNet = "odenet"
    /// Six `ResidualBlock(64, 64)` in place of the ODE block.
    case resNet = "resnet"
    /// Flatten → Linear(784→64) → ODE block (`MLPODEFunction(64)`) → Linear(64→10).
    case mlpODENet = "mlp"
}

/// The downsampling stage of the convolutional networks (28×28 → 64 × 6×6).
public enum MNISTDownsampling: String, CaseIterable, Sendable {
    /// Conv(1→64, 3×3) → norm → ReLU → Conv(64→64, 4×4, s2, p1) → norm → ReLU → Conv(64→64, 4×4, s2, p1).
    case conv
    /// Conv(1→64, 3×3) → two `ResidualBlock(64, 64, stride 2)` with 1×1 strided shortcuts.
    case res
}

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
    /// its error estimate), so that steps, NFE and losses compare with odenet_mnist.py.
    public init(_ network: MNISTNetwork, downsampling: MNISTDownsampling = .conv, tolerance: Double = 1e-3,
                method: ButcherTableau = .dormandPrince54Torchdiffeq,
                gradientMode: GradientMode = .adjoint(), using generator: inout SeededGenerator) {
        self.network = network
        var layers: [any Layer<Scalar>] = []
        var odeBlock: (any ODEBlockControls)?
        func makeBlock<D: Dynamics>(_ dynamics: D) -> TorchdiffeqODEBlock<D> where D.Scalar == Scalar {
            let block = ODEBlock(dynamics, method: method, relativeTolerance: tolerance,
                                 absoluteTolerance: tolerance, gradientMode: gradientMode)
            odeBlock = block
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
                for _ in 0..<6 { layers.append(ResidualBlock<Scalar>(64, 64, using: &generator)) }
            }
            layers.append(odenetGroupNorm(64) as GroupNorm<Scalar>)
            layers.append(ReLU<Scalar>())
            layers.append(Lambda<Scalar>("AdaptiveAvgPool2d") { globalAveragePool2d($0) })
            layers.append(Flatten<Scalar>())
            layers.append(Linear<Scalar>(64, 10, using: &generator))
        }
        self.layers = Sequential(layers)
        self.odeBlock = odeBlock
    }

    /// The layers' members: `0.weight`, …, as PyTorch's `nn.Sequential` names them.
    public var namedMembers: [(name: String, member: Any)] { layers.namedMembers }

    /// Logits [N, 10] for images [N, 1, 28, 28] (the MLP also accepts [N, 784]).
    public func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar> { try layers(input) }

    /// A short name: `odenet/conv`, `resnet/res`, `mlp`.
    public var name: String { network.rawValue + (downsampling.map { "/\($0.rawValue)" } ?? "") }

    /// The layers, PyTorch-style.
    public var description: String { layers.description }
}
