import Autodiff
import Datasets
import ExampleSupport
import Foundation
import ODENet
import Solvers

/// FFJORD's `train_toy.py` with its defaults on one toy density: a ConcatSquash MLP 2-64-64-64-2 with tanh,
/// one CNF block over [0, T] with T = 0.5 trained (`sqrt_end_time`), the exact trace, Dormand–Prince stepped
/// as torchdiffeq's dopri5 at rtol = atol = 1e-5, the adjoint, Adam lr 1e-3 with PyTorch's coupled L2 weight
/// decay 1e-5, batch 100, 10,000 iterations; then the test loss −mean log p(x) on `--test-samples` fresh
/// samples with the exact trace, against the density's entropy (the lowest loss any model can reach).
/// `--checkpoint FILE` saves every `--checkpoint-every` iterations (weights, Adam's state, the generators,
/// the iteration and the loss history; written to a temporary file and renamed) and `--resume` continues
/// from it exactly.
@MainActor
func trainToy(_ toy: ToyDensity) throws {
    let iterations = iterationsOption.value ?? 10_000, batch = samplesOption.value ?? 100
    let gradient = gradientOption.value ?? .adjoint
    guard iterations >= 0, batch >= 2, testSamplesOption.value >= 1, checkpointEveryOption.value >= 1 else {
        throw ExampleError("--iterations ≥ 0, --samples ≥ 2, --test-samples ≥ 1 and --checkpoint-every ≥ 1 are required")
    }
    guard traceOption.value != .closedForm else {
        throw ExampleError("--trace closed-form needs cnf.py's hypernetwork (--dataset cnf-circles); the ConcatSquash MLP has no closed-form trace")
    }
    let solver = solverOption.value
    guard solver.tableau.isAdaptive else { throw ExampleError("--solver \(solver.rawValue) has no error estimate") }
    let stepping = try solver.stepping(stepSize: nil, relativeTolerance: rtolOption.value, absoluteTolerance: atolOption.value)
    let seed = UInt64(truncatingIfNeeded: seedOption.value)

    var generator = SeededGenerator(seed: seed)
    let field = ConcatSquashMLP<Float>(dimensions: [2, 64, 64, 64, 2], using: &generator)
    let regularization = rnodeOption.value ? DynamicsRegularization(kineticEnergy: 0.01, jacobianFrobenius: 0.01) : .none
    let block = CNFBlock(field, dimensions: 2, dataTime: 0, baseTime: 0.5, trainsEndTime: true,
                         trace: traceOption.value.estimator, stepping: stepping, gradientMode: gradient.mode,
                         regularization: regularization, seed: seed &+ 1)
    let flow = ContinuousNormalizingFlow(block, base: .standardNormal)
    let optimizer = Adam<Float>(learningRate: learningRateOption.value, weightDecay: 1e-5)

    var start = 0
    var history: [(iteration: Int, loss: Double, nfeForward: Int, nfeBackward: Int)] = []
    var trainingSeconds = 0.0
    if let path = checkpointOption.value, resumeOption.value, FileManager.default.fileExists(atPath: path) {
        let file = try SafetensorsFile(contentsOf: path)
        for (key, expected) in [("dataset", toy.rawValue), ("samples", "\(batch)"), ("rnode", "\(rnodeOption.value)"),
                                ("trace", traceOption.value.rawValue), ("gradient", gradient.rawValue)]
            where file.metadata[key] != expected {
            throw ExampleError("\(path) was written with \(key) \(file.metadata[key] ?? "none"), not \(expected); pass the same flags to resume")
        }
        guard let iteration = file.metadata["iteration"].flatMap(Int.init),
              let data = file.metadata["rng"].map({ $0.split(separator: ",").compactMap { UInt64($0) } }), data.count == 4,
              let probe = file.metadata["probe_rng"].map({ $0.split(separator: ",").compactMap { UInt64($0) } }), probe.count == 4,
              let seconds = file.metadata["seconds"].flatMap(Double.init) else {
            throw ExampleError("\(path): the checkpoint's metadata lacks iteration, rng, probe_rng or seconds")
        }
        try ModuleCheckpoint.load(into: flow, optimizer: optimizer, from: file)
        generator = SeededGenerator(state: data)
        block.probeGenerator = SeededGenerator(state: probe)
        start = iteration
        trainingSeconds = seconds
        history = (file.metadata["history"] ?? "").split(separator: ";").compactMap { entry in
            let f = entry.split(separator: ",")
            guard f.count == 4, let i = Int(f[0]), let l = Double(f[1]), let a = Int(f[2]), let b = Int(f[3]) else { return nil }
            return (i, l, a, b)
        }
        print("resumed from \(path) at iteration \(iteration)")
    }
    func saveCheckpoint(_ iteration: Int) throws {
        guard let path = checkpointOption.value else { return }
        let metadata = ["dataset": toy.rawValue, "samples": "\(batch)", "rnode": "\(rnodeOption.value)",
                        "trace": traceOption.value.rawValue, "gradient": gradient.rawValue, "iteration": "\(iteration)",
                        "rng": generator.stateWords.map(String.init).joined(separator: ","),
                        "probe_rng": block.probeGenerator.stateWords.map(String.init).joined(separator: ","),
                        "seconds": "\(trainingSeconds)",
                        "history": history.map { "\($0.iteration),\($0.loss),\($0.nfeForward),\($0.nfeBackward)" }
                            .joined(separator: ";")]
        try ModuleCheckpoint.save(flow, as: Float.self, optimizerState: optimizer.state(), metadata: metadata, to: path)
    }

    print("cnf \(toy.rawValue): \(flow.parameterCount(of: Float.self)) parameters (ConcatSquash 64-64-64, T trained), "
          + "\(gradient.rawValue) gradient, \(solver.tableau.name) rtol \(rtolOption.value) atol \(atolOption.value), "
          + "trace \(traceOption.value.rawValue)\(rnodeOption.value ? ", RNODE λ 0.01" : ""); \(iterations) iterations of \(batch) samples")
    let progress = iterations > start ? ProgressLine(total: iterations - start) : nil
    var runningAverage = history.last.map(\.loss)
    for iteration in stride(from: start + 1, through: iterations, by: 1) {
        let began = monotonicSeconds()
        let x = toy.sample(batch, as: Float.self, using: &generator)
        let (loss, gradients) = try valueWithGradient(at: flow) {
            let result = try flow(x)
            return result.negativeLogLikelihood + result.regularizationLoss
        }
        optimizer.update(flow, along: gradients)
        trainingSeconds += monotonicSeconds() - began
        let value = Double(loss.scalar)
        runningAverage = runningAverage.map { 0.99 * $0 + 0.01 * value } ?? value
        history.append((iteration, value, block.statistics.forwardEvaluations, block.statistics.backwardEvaluations))
        progress?.update(iteration - start, ["loss": value, "avg": runningAverage!, "T": block.baseTime,
                                             "nfe_f": Double(block.statistics.forwardEvaluations),
                                             "nfe_b": Double(block.statistics.backwardEvaluations),
                                             "ms/it": 1e3 * trainingSeconds / Double(iteration)])
        if iteration % checkpointEveryOption.value == 0 || iteration == iterations { try saveCheckpoint(iteration) }
    }
    progress?.finish()

    // The test loss: fresh samples, exact trace, no regularisation, in batches of 1,000, without recording.
    let evaluation = ContinuousNormalizingFlow(CNFBlock(field, dimensions: 2, dataTime: 0, baseTime: block.baseTime,
                                                        trace: .exact, stepping: stepping, gradientMode: .direct),
                                               base: .standardNormal)
    var testEvaluations = 0
    let counted = testSamplesOption.value
    let testLoss = try toyTestLoss(toy, seed: seed) { x in
        defer { testEvaluations += evaluation.blocks[0].statistics.forwardEvaluations }
        return try evaluation.logLikelihood(x)
    }
    let recent = history.suffix(100)
    let nfeForward = recent.isEmpty ? Double.nan : Double(recent.map(\.nfeForward).reduce(0, +)) / Double(recent.count)
    let nfeBackward = recent.isEmpty ? Double.nan : Double(recent.map(\.nfeBackward).reduce(0, +)) / Double(recent.count)
    let trained = max(1, history.count)
    print(String(format: "test loss %.4f nats on %d samples (entropy %.3f, gap %.3f); T = %.4f; NFE over the last 100 iterations: "
                 + "forward %.1f, backward %.1f; %.1f s training (%.1f ms per iteration)",
                 testLoss, counted, toy.entropy, testLoss - toy.entropy, block.baseTime, nfeForward, nfeBackward,
                 trainingSeconds, 1e3 * trainingSeconds / Double(trained)))

    let extent = 4.0
    var targetGenerator = SeededGenerator(seed: seed &+ 3)
    let target = toy.sample(vizSamplesOption.value, as: Float.self, using: &targetGenerator)
    let figurePath = (outputOption.value as NSString).appendingPathComponent("cnf-\(toy.rawValue).svg")
    try flowFigure(flow: flow, block: block, target: target, title: "FFJORD toy density \(toy.rawValue)", extent: extent,
                   times: vizTimesOption.value, samples: vizSamplesOption.value, seed: seed &+ 2).write(to: figurePath)
    print("figure: \(figurePath)")
    if let path = summaryOption.value {
        let summary: JSONValue = [
            "dataset": .string(toy.rawValue), "test_loss": JSONValue(testLoss), "entropy": JSONValue(toy.entropy),
            "gap": JSONValue(testLoss - toy.entropy), "test_samples": JSONValue(counted),
            "end_time": JSONValue(block.baseTime), "iterations": JSONValue(history.last?.iteration ?? 0),
            "nfe_forward_last_100": JSONValue(nfeForward), "nfe_backward_last_100": JSONValue(nfeBackward),
            "training_seconds": JSONValue(trainingSeconds), "rnode": .bool(rnodeOption.value),
            "gradient": .string(gradient.rawValue), "trace": .string(traceOption.value.rawValue),
            "test_nfe": JSONValue(testEvaluations),
        ]
        try summary.write(to: path)
        print("summary: \(path)")
    }
}

/// The test loss of a toy run: −mean log p(x) over `--test-samples` fresh samples (the same draws for every
/// model of a seed), in batches of 1,000, without recording.
@MainActor
func toyTestLoss(_ toy: ToyDensity, seed: UInt64, logLikelihood: (Tensor<Float>) throws -> Tensor<Float>) throws -> Double {
    var generator = SeededGenerator(seed: seed &+ 1_000_003)
    var total = 0.0, counted = 0
    while counted < testSamplesOption.value {
        let n = min(1000, testSamplesOption.value - counted)
        let x = toy.sample(n, as: Float.self, using: &generator)
        total -= try withoutRecording(Float.self) { try logLikelihood(x) }.scalars.reduce(0) { $0 + Double($1) }
        counted += n
    }
    return total / Double(counted)
}
