import Autodiff
import Datasets
import ExampleSupport
import Foundation
import MNISTModels
import ODENet

// W4 (shared/peers/RESULTS.md): one MNIST training step at batch 128 — forward, cross-entropy, backward,
// SGD(lr 0.1, momentum 0.9) update — of torchdiffeq's conv ODE-Net (odenet_mnist.py, conv downsampling,
// Dormand–Prince rtol = atol = 1e-3) and of the light MLP ODE-Net, with the adjoint or the direct gradient.
// Inputs: the peers' initial parameters (../shared/peers/data/w4_<model>_init.{bin,json}) and the
// first MNIST training images in file order (../shared/data/mnist), consecutive batches step after step,
// as the peer script does. Without ../shared: seeded initialisation and uniform random images (the
// line says `"inputs":"synthetic"`). The step's `loss` is that of the first step (torch: conv 2.35601,
// mlp 2.29852); NFE figures are those of the first step.
//
// `gflop` estimates the step's work from the convolution/linear multiply-adds only (2 FLOP each):
// forward = downsampling + head + NFE-F × f; the backward costs 2× forward per layer (1× for the first
// layer, whose input needs no gradient), plus, for the adjoint, one re-evaluation of f per NFE-B.

private let sharedDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared").path

/// The peers' init as a safetensors file (raw float32 in state_dict order + JSON manifest), or nil.
private func w4InitialParameters(_ model: String) -> SafetensorsFile? {
    try? readPeerInitialParameters(sharedDirectory + "/peers/data/w4_\(model)_init")
}

/// The first training images, or nil without the data.
nonisolated(unsafe) private var w4TrainingSet: MNIST.Subset?? = nil

private func w4Images() -> MNIST.Subset? {
    if let cached = w4TrainingSet { return cached }
    let subset = try? MNIST.load(.train, directory: sharedDirectory + "/data/mnist")
    w4TrainingSet = .some(subset)
    return subset
}

/// Multiply-add FLOPs per image: (first layers before the ODE block + head, one evaluation of f).
private func w4FLOPs(_ kind: String) -> (outside: Double, field: Double) {
    if kind == "conv" {
        let conv0 = 2.0 * 64 * 9 * 26 * 26, conv3 = 2.0 * 64 * 64 * 16 * 13 * 13, conv6 = 2.0 * 64 * 64 * 16 * 6 * 6
        let head = 2.0 * 64 * 10
        return (conv0 + conv3 + conv6 + head, 2 * (2.0 * 64 * 65 * 9 * 6 * 6))
    }
    return (2.0 * 784 * 64 + 2.0 * 64 * 10, 2.0 * 65 * 64)
}

private func w4Run(_ kind: String, _ modeName: String) throws -> [BenchmarkResult] {
    let batch = 128
    var generator = SeededGenerator(seed: 0)
    let mode: GradientMode = modeName == "direct" ? .direct : .adjoint()
    let model = MNISTClassifier<Float>(kind == "conv" ? .odeNet : .mlpODENet, downsampling: .conv, tolerance: 1e-3,
                                       gradientMode: mode, using: &generator)
    let initial = w4InitialParameters(kind)
    let images = w4Images()
    let real = initial != nil && images != nil
    if let initial { try ModuleCheckpoint.load(into: model, from: initial, as: Float.self) }
    let batchCount = 16
    let batches: [(Tensor<Float>, [Int])] = (0..<batchCount).map { step in
        let indices = Array(step * batch ..< (step + 1) * batch)
        if let images, initial != nil {
            return (Tensor(shape: [batch, 1, 28, 28], scalars: images.normalizedImages(at: indices)), images.labels(at: indices))
        }
        return (Tensor<Float>.randomUniform([batch, 1, 28, 28], using: &generator),
                indices.map { _ in Int(generator.next() % 10) })
    }
    let optimizer = SGD<Float>(learningRate: 0.1, momentum: 0.9)
    var step = 0, firstLoss: Float = 0, firstStatistics = ODEStatistics()
    var steps: [Double] = []
    var timedNFE: [(forward: Int, backward: Int)] = []   // the timed steps (the first, untimed, is a warm-up)
    let seconds = try medianSeconds(minimumSeconds: kind == "conv" ? 0 : 1, minimumRuns: kind == "conv" ? 5 : 20) {
        let (x, labels) = batches[step % batchCount]
        let t0 = monotonicSeconds()
        let (loss, gradients) = try valueWithGradient(at: model) { crossEntropy(logits: try model(x), labels: labels) }
        optimizer.update(model, along: gradients)
        steps.append(monotonicSeconds() - t0)
        if step == 0 {
            firstLoss = loss.scalar
            firstStatistics = model.odeBlock!.statistics
        } else {
            timedNFE.append((model.odeBlock!.statistics.forwardEvaluations, model.odeBlock!.statistics.backwardEvaluations))
        }
        step += 1
    }
    let flops = w4FLOPs(kind)
    // Work per timed step uses the timed steps' median NFE (`nfe_forward_timed`, as the peers report theirs);
    // `nfe_forward` and `nfe_backward` are the first step's, whose loss is the one compared with torch.
    let nfeF = timedNFE.isEmpty ? Double(firstStatistics.forwardEvaluations) : median(timedNFE.map { Double($0.forward) })
    let nfeB = timedNFE.isEmpty ? Double(firstStatistics.backwardEvaluations) : median(timedNFE.map { Double($0.backward) })
    let perImage = 3 * flops.outside - 2.0 * 64 * 9 * 26 * 26 * (kind == "conv" ? 1 : 0) - (kind == "mlp" ? 2.0 * 784 * 64 : 0)
        + (modeName == "direct" ? 3 * nfeF * flops.field : nfeF * flops.field + 3 * nfeB * flops.field)
    let gflop = perImage * Double(batch) / 1e9
    return [BenchmarkResult(name: "w4.\(kind).\(modeName)", value: seconds * 1e3, unit: "ms",
                            extra: ["nfe_forward": firstStatistics.forwardEvaluations,
                                    "nfe_backward": firstStatistics.backwardEvaluations,
                                    "nfe_forward_timed": nfeF, "nfe_backward_timed": nfeB,
                                    "loss": Double(firstLoss),
                                    "forward_steps": firstStatistics.forwardSteps,
                                    "forward_rejected": firstStatistics.forwardRejectedSteps,
                                    "backward_steps": firstStatistics.backwardSteps,
                                    "backward_rejected": firstStatistics.backwardRejectedSteps,
                                    "step_ms_min": (steps.min() ?? 0) * 1e3,
                                    "gflop": gflop, "gflops": gflop / seconds, "steps": steps.count,
                                    "inputs": real ? "w4 init + MNIST file order" : "synthetic (seeded init, random images; ../shared absent)",
                                    "torch_ms": ["conv.adjoint": 828.0, "conv.direct": 607, "mlp.adjoint": 21.5,
                                                 "mlp.direct": 11.5]["\(kind).\(modeName)"]!])]
}

let w4Benchmarks: [Benchmark] = [
    Benchmark(name: "w4.conv.adjoint") { try w4Run("conv", "adjoint") },
    Benchmark(name: "w4.conv.direct") { try w4Run("conv", "direct") },
    Benchmark(name: "w4.mlp.adjoint") { try w4Run("mlp", "adjoint") },
    Benchmark(name: "w4.mlp.direct") { try w4Run("mlp", "direct") },
]
