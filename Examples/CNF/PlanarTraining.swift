import Autodiff
import Datasets
import ExampleSupport
import Foundation
import ODENet

/// The paper's Fig. 5 baseline on a FFJORD toy density: a planar normalizing flow of `--layers` one-unit
/// layers (Rezende & Mohamed 2015) fitted by maximum likelihood — Adam at `--learning-rate`, `--samples`
/// fresh samples per iteration (100 by default, the CNF's batch) — until `--iterations` (500,000 by
/// default, the paper's Fig. 4 count) or `--time-budget` seconds, whichever comes first; then the test loss
/// on the CNF's test draws (same seed, same samples) and a picture: target, model samples and density.
/// Runs are as long as the budget they are given (the CNF's training time), so they do not checkpoint.
@MainActor
func trainPlanar(_ toy: ToyDensity) throws {
    let iterations = iterationsOption.value ?? 500_000, batch = samplesOption.value ?? 100
    let budget = timeBudgetOption.value ?? .infinity
    guard iterations >= 0, batch >= 2, layersOption.value >= 1, testSamplesOption.value >= 1, budget > 0 else {
        throw ExampleError("--iterations ≥ 0, --samples ≥ 2, --layers ≥ 1, --test-samples ≥ 1 and --time-budget > 0 are required")
    }
    let seed = UInt64(truncatingIfNeeded: seedOption.value)
    var generator = SeededGenerator(seed: seed)
    let flow = PlanarFlow<Float>(dimensions: 2, layers: layersOption.value, using: &generator)
    let optimizer = Adam<Float>(learningRate: learningRateOption.value)
    print("planar flow \(toy.rawValue): \(flow.layerCount) layers, \(flow.parameterCount(of: Float.self)) parameters; Adam lr "
          + "\(learningRateOption.value), batch \(batch); up to \(iterations) iterations"
          + (budget.isFinite ? " or \(budget) s" : ""))

    let progress = iterations > 0 ? ProgressLine(total: iterations) : nil
    var seconds = 0.0, trained = 0, runningAverage: Double? = nil
    while trained < iterations && seconds < budget {
        let began = monotonicSeconds()
        let x = toy.sample(batch, as: Float.self, using: &generator)
        let (loss, gradients) = try valueWithGradient(at: flow) { -flow.logLikelihood(x).mean() }
        optimizer.update(flow, along: gradients)
        seconds += monotonicSeconds() - began
        trained += 1
        let value = Double(loss.scalar)
        runningAverage = runningAverage.map { 0.99 * $0 + 0.01 * value } ?? value
        if trained % 100 == 0 || trained == iterations {
            progress?.update(trained, ["loss": value, "avg": runningAverage!, "µs/it": 1e6 * seconds / Double(trained)])
        }
    }
    progress?.finish()

    let testLoss = try toyTestLoss(toy, seed: seed) { flow.logLikelihood($0) }
    print(String(format: "test loss %.4f nats on %d samples (entropy %.3f, gap %.3f); %d iterations in %.1f s (%.1f µs per iteration)",
                 testLoss, testSamplesOption.value, toy.entropy, testLoss - toy.entropy, trained, seconds,
                 1e6 * seconds / Double(max(trained, 1))))

    let extent = 4.0
    var targetGenerator = SeededGenerator(seed: seed &+ 3)
    let target = toy.sample(vizSamplesOption.value, as: Float.self, using: &targetGenerator)
    var sampleGenerator = SeededGenerator(seed: seed &+ 2)
    let samples = flow.sample(vizSamplesOption.value, using: &sampleGenerator).points
    let grid = (0..<100).map { -extent + 2 * extent * Double($0) / 99 }
    let logDensity = flow.logDensityGrid(x: -extent...extent, y: -extent...extent, resolution: 100).scalars.map(Double.init)
    var figure = Figure(rows: 1, columns: 3, title: "Planar flow, \(flow.layerCount) layers, on \(toy.rawValue)",
                        panelWidth: 300, panelHeight: 300)
    var panels = [Panel(title: "target"), Panel(title: "samples"), Panel(title: "log-density")]
    panels[0].scatter(x: stride(from: 0, to: target.scalarCount, by: 2).map { Double(target.scalars[$0]) },
                      y: stride(from: 1, to: target.scalarCount, by: 2).map { Double(target.scalars[$0]) },
                      color: "#1f77b4", radius: 1.2)
    panels[1].scatter(x: stride(from: 0, to: samples.scalarCount, by: 2).map { Double(samples.scalars[$0]) },
                      y: stride(from: 1, to: samples.scalarCount, by: 2).map { Double(samples.scalars[$0]) },
                      color: "#d62728", radius: 1.2)
    panels[2].heatmap(x: grid, y: grid, values: logDensity.map { max($0, -8) })
    for column in 0..<3 {
        panels[column].xLimits = -extent...extent
        panels[column].yLimits = -extent...extent
        panels[column].equalAspect = true
        figure[0, column] = panels[column]
    }
    let figurePath = (outputOption.value as NSString).appendingPathComponent("planar-\(toy.rawValue).svg")
    try figure.write(to: figurePath)
    print("figure: \(figurePath)")
    if let path = summaryOption.value {
        let summary: JSONValue = [
            "model": "planar", "layers": JSONValue(flow.layerCount), "dataset": .string(toy.rawValue),
            "test_loss": JSONValue(testLoss), "entropy": JSONValue(toy.entropy), "gap": JSONValue(testLoss - toy.entropy),
            "test_samples": JSONValue(testSamplesOption.value), "iterations": JSONValue(trained),
            "training_seconds": JSONValue(seconds), "time_budget": budget.isFinite ? JSONValue(budget) : .null,
            "learning_rate": JSONValue(learningRateOption.value), "batch": JSONValue(batch),
        ]
        try summary.write(to: path)
        print("summary: \(path)")
    }
}
