import XCTest
import Foundation
import Autodiff
import Datasets
import ExampleSupport
import MNISTModels
import ODENet
import TestSupport

/// The MNIST models of torchdiffeq's odenet_mnist.py (and the W4 MLP ODE-Net): parameter counts and
/// names, agreement with PyTorch's first training steps from the peers' W4 initial parameters, a
/// short real-data training run, and an end-to-end finite-difference check of a tiny conv ODE-Net.
final class MNISTModelTests: XCTestCase {
    func testParameterCountsOfAllFiveModels() {
        var g = SeededGenerator(seed: 0)
        let cases: [(MNISTNetwork, MNISTDownsampling, Int)] = [
            (.odeNet, .conv, 208_266), (.odeNet, .res, 232_970), (.resNet, .conv, 576_778), (.resNet, .res, 601_482),
            (.mlpODENet, .conv, 55_114),
        ]
        for (network, downsampling, expected) in cases {
            let model = MNISTClassifier<Float>(network, downsampling: downsampling, using: &g)
            XCTAssertEqual(model.parameterCount(of: Float.self), expected, "\(model.name)")
            XCTAssertEqual(MNISTClassifier<Float>.expectedParameterCount(network, downsampling: downsampling), expected)
        }
    }

    /// The names are the PyTorch state_dict keys of the W4 script (w4_conv_init.json, w4_mlp_init.json)
    /// and of odenet_mnist.py's ResBlock.
    func testParameterNamesAreTorchStateDictKeys() {
        var g = SeededGenerator(seed: 0)
        let conv = MNISTClassifier<Float>(.odeNet, downsampling: .conv, using: &g)
        XCTAssertEqual(conv.namedParameters(of: Float.self).map(\.name), [
            "0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias", "4.weight", "4.bias", "6.weight", "6.bias",
            "7.odefunc.norm1.weight", "7.odefunc.norm1.bias", "7.odefunc.conv1._layer.weight",
            "7.odefunc.conv1._layer.bias", "7.odefunc.norm2.weight", "7.odefunc.norm2.bias",
            "7.odefunc.conv2._layer.weight", "7.odefunc.conv2._layer.bias", "7.odefunc.norm3.weight",
            "7.odefunc.norm3.bias", "8.weight", "8.bias", "12.weight", "12.bias",
        ])
        let mlp = MNISTClassifier<Float>(.mlpODENet, using: &g)
        XCTAssertEqual(mlp.namedParameters(of: Float.self).map(\.name),
                       ["1.weight", "1.bias", "2.odefunc.lin.weight", "2.odefunc.lin.bias", "3.weight", "3.bias"])
        let res = MNISTClassifier<Float>(.resNet, downsampling: .res, using: &g)
        let names = res.namedParameters(of: Float.self).map(\.name)
        XCTAssertEqual(Array(names.prefix(9)), ["0.weight", "0.bias", "1.norm1.weight", "1.norm1.bias", "1.downsample.weight",
                                                "1.conv1.weight", "1.norm2.weight", "1.norm2.bias", "1.conv2.weight"])
        // 0 conv, 1–2 downsampling blocks, 3–8 residual blocks, 9 norm, 10 ReLU, 11 pool, 12 flatten, 13 linear.
        XCTAssertEqual(Array(names.suffix(5)), ["8.conv2.weight", "9.weight", "9.bias", "13.weight", "13.bias"])
    }

    func testOutputShapesAndGradientModes() throws {
        var g = SeededGenerator(seed: 1)
        let images = Tensor<Float>.randomUniform([2, 1, 28, 28], using: &g)
        for network in MNISTNetwork.allCases {
            for downsampling in MNISTDownsampling.allCases {
                let model = MNISTClassifier<Float>(network, downsampling: downsampling, using: &g)
                XCTAssertEqual(try model(images).shape, [2, 10], "\(model.name)")
                XCTAssertEqual(model.odeBlock == nil, network == .resNet)
            }
        }
    }

    // MARK: - Against PyTorch

    /// Loads the peers' W4 initial parameters (skips when the shared folder does not hold them).
    static func peerInitialParameters(_ model: String) throws -> SafetensorsFile {
        let stem = "peers/data/w4_\(model)_init", needed = [stem + ".bin", stem + ".json"]
        guard SharedFolder.contains(needed) else {
            throw XCTSkip("the peers' W4 initial parameters: " + SharedFolder.absenceMessage(needed))
        }
        return try readPeerInitialParameters(SharedFolder.path(stem))
    }

    /// The MNIST training split (skips when the shared folder does not hold it).
    static func trainingSet() throws -> MNIST.Subset {
        let needed = ["data/mnist"]
        guard SharedFolder.contains(needed) else {
            throw XCTSkip("the MNIST files: " + SharedFolder.absenceMessage(needed))
        }
        return try MNIST.load(.train, directory: SharedFolder.path("data/mnist"))
    }

    /// torch's losses step by step (peers/results/w4_<model>_<mode>.json), or nil.
    static func torchLosses(_ model: String, _ mode: String) -> [Double]? {
        let path = SharedFolder.path("peers/results/w4_\(model)_\(mode).json")
        guard let json = try? JSONValue(contentsOf: path) else { return nil }
        return json["losses_all_steps"]?.doubles
    }

    /// Runs `steps` SGD steps (lr 0.1, momentum 0.9) on consecutive batches of 128 in file order.
    func w4Losses(_ kind: String, mode: GradientMode, steps: Int) throws -> [Double] {
        let initial = try Self.peerInitialParameters(kind)
        let train = try Self.trainingSet()
        var g = SeededGenerator(seed: 0)
        let model = MNISTClassifier<Float>(kind == "conv" ? .odeNet : .mlpODENet, downsampling: .conv,
                                           tolerance: 1e-3, gradientMode: mode, using: &g)
        try ModuleCheckpoint.load(into: model, from: initial, as: Float.self)
        let optimizer = SGD<Float>(learningRate: 0.1, momentum: 0.9)
        var losses: [Double] = []
        for step in 0..<steps {
            let indices = Array(step * 128 ..< (step + 1) * 128)
            let x = Tensor<Float>(shape: [128, 1, 28, 28], scalars: train.normalizedImages(at: indices))
            let labels = train.labels(at: indices)
            let (loss, gradients) = try valueWithGradient(at: model) {
                crossEntropy(logits: try model(x), labels: labels)
            }
            optimizer.update(model, along: gradients)
            losses.append(Double(loss.scalar))
        }
        return losses
    }

    func checkAgainstTorch(_ kind: String, _ modeName: String, mode: GradientMode, steps: Int, firstLoss: Double,
                           tracking tolerance: Double) throws {
        let losses = try w4Losses(kind, mode: mode, steps: steps)
        let torch = Self.torchLosses(kind, modeName) ?? [firstLoss]
        print("W4 \(kind) \(modeName): swift \(losses.map { String(format: "%.5f", $0) })")
        print("W4 \(kind) \(modeName): torch \(torch.prefix(steps).map { String(format: "%.5f", $0) })")
        XCTAssertEqual(losses[0], firstLoss, accuracy: 1e-4, "first-step loss vs torch (the issue's bound)")
        XCTAssertEqual(losses[0], torch[0], accuracy: 1e-5, "first-step loss vs torch's recorded value")
        for (step, (ours, theirs)) in zip(losses, torch).enumerated().dropFirst() {
            XCTAssertEqual(ours, theirs, accuracy: tolerance, "step \(step) loss vs torch")
        }
    }

    /// With torchdiffeq's dopri5 (the models' default method) the MLP's steps are torch's, so its losses
    /// agree to ~1e-5 over 12 steps (direct: to the printed digit).
    func testMLPLossesTrackTorchWithAdjoint() throws {
        try checkAgainstTorch("mlp", "adjoint", mode: .adjoint(), steps: 12, firstLoss: 2.29852, tracking: 1e-4)
    }

    func testMLPLossesTrackTorchWithDirectGradient() throws {
        try checkAgainstTorch("mlp", "direct", mode: .direct, steps: 12, firstLoss: 2.29852, tracking: 1e-4)
    }

    /// The conv ODE-Net's first solve is at the edge of a step: torch's recorded run took 4 steps (NFE 26),
    /// while torchdiffeq rerun on this machine takes 5 (its 4th step ends at t = 0.99974), as we do, so the
    /// step sequences — and with them the adjoint's integration error at tol 1e-3 — differ from the
    /// recording: later adjoint losses agree to ~1.3e-3, direct ones to ~2e-4.
    func testConvODENetLossesTrackTorch() throws {
        try checkAgainstTorch("conv", "adjoint", mode: .adjoint(), steps: 3, firstLoss: 2.35601, tracking: 3e-3)
    }

    func testConvODENetLossesTrackTorchWithDirectGradient() throws {
        try checkAgainstTorch("conv", "direct", mode: .direct, steps: 3, firstLoss: 2.35601, tracking: 5e-4)
    }

    // MARK: - Training smoke run

    func testMLPODENetLearnsOnAFewHundredImages() throws {
        let train = try Self.trainingSet()
        var g = SeededGenerator(seed: 3)
        let model = MNISTClassifier<Float>(.mlpODENet, using: &g)
        let optimizer = SGD<Float>(learningRate: 0.1, momentum: 0.9)
        let indices = Array(0..<384)
        let x = Tensor<Float>(shape: [384, 1, 28, 28], scalars: train.normalizedImages(at: indices))
        let labels = train.labels(at: indices)
        var losses: [Double] = []
        for _ in 0..<5 {
            for b in 0..<3 {
                let xb = x.sliced(b * 128 ..< (b + 1) * 128, axis: 0), yb = Array(labels[b * 128 ..< (b + 1) * 128])
                let (loss, gradients) = try valueWithGradient(at: model) { crossEntropy(logits: try model(xb), labels: yb) }
                optimizer.update(model, along: gradients)
                losses.append(Double(loss.scalar))
            }
        }
        let first = losses.prefix(3).reduce(0, +) / 3, last = losses.suffix(3).reduce(0, +) / 3
        XCTAssertLessThan(last, 0.6 * first, "losses \(losses)")
        XCTAssertGreaterThan(model.odeBlock!.statistics.forwardEvaluations, 0)
        XCTAssertGreaterThan(model.odeBlock!.statistics.backwardEvaluations, 0)
    }

    // MARK: - End-to-end finite differences

    /// A tiny conv ODE-Net (4 channels, 6×6 state) in Double: the adjoint's gradient of the
    /// cross-entropy with respect to every parameter against central differences.
    func testTinyConvODENetAdjointGradientMatchesFiniteDifferences() throws {
        var g = SeededGenerator(seed: 7)
        let block = ODEBlock(ConvODEFunction<Double>(channels: 4, using: &g), relativeTolerance: 1e-12,
                             absoluteTolerance: 1e-12, gradientMode: .adjoint())
        let model = Sequential<Double>(
            Conv2d<Double>(1, 4, kernelSize: 3, using: &g), odenetGroupNorm(4) as GroupNorm<Double>, ReLU<Double>(),
            TorchdiffeqODEBlock(block), odenetGroupNorm(4) as GroupNorm<Double>, ReLU<Double>(),
            Lambda<Double>("Pool") { globalAveragePool2d($0, keepDims: false) }, Linear<Double>(4, 3, using: &g))
        // Perturb the GroupNorm affine parameters away from 1/0 so that their gradients are generic.
        for (name, parameter) in model.namedParameters(of: Double.self) where name.contains("norm") || name.hasPrefix("1.")
            || name.hasPrefix("4.") {
            parameter.value = parameter.value + Tensor<Double>.randomUniform(parameter.shape, lowerBound: -0.3,
                                                                             upperBound: 0.3, using: &g)
        }
        let x = Tensor<Double>.randomUniform([2, 1, 8, 8], using: &g)
        let labels = [0, 2]
        let parameters = model.parameters(of: Double.self)
        let originals = parameters.map(\.value)
        defer { for (p, v) in zip(parameters, originals) { p.value = v } }
        var failure: Error?
        // Differences of adaptive solves carry ~tolerance/h of noise: tight tolerances, h = 1e-4.
        let report = try checkGradients(at: originals, stepSize: 1e-4, elementwiseLimit: 0, randomDirections: 2) { values in
            for (p, v) in zip(parameters, values) { p.value = v }
            do { return crossEntropy(logits: try model(x), labels: labels) } catch {
                failure = error
                return Tensor(0)
            }
        }
        if let failure { throw failure }
        XCTAssertLessThan(report.maxScaledError, 1e-5, "\(report)")
        _ = try valueWithGradient(at: model) { crossEntropy(logits: try model(x), labels: labels) }
        XCTAssertGreaterThan(block.statistics.backwardEvaluations, 0, "the adjoint was not used")
    }
}
