// spirals: torchdiffeq's examples/ode_demo.py in Swift. Fits f(t, y) = Linear(tanh(Linear(y³))) to the
// spiral dy/dt = (y³)·A by integrating short pieces of the true trajectory with Dormand–Prince and
// minimising the L1 error (RMSprop, lr 1e-3, 2000 iterations), then draws ode_demo's figure as SVG.
//
//     swift run -c release spirals                         # direct backprop through the solver (ode_demo default)
//     swift run -c release spirals --gradient adjoint      # the paper's adjoint method
//     swift run -c release spirals --data ../shared/peers/data/spiral_data.json \
//         --init ../shared/peers/data/w3_init.json --batches ../shared/peers/data/w3_init.json   # torchdiffeq's exact inputs

import Autodiff
import ExampleSupport
import Foundation
import ODENet
import Solvers

// Line-buffered standard output, so that result lines reach a log file as they are printed.
StandardOutput.useLineBuffering()

var parser = ArgumentParser(program: "spirals",
                            summary: "Fit a Neural ODE to torchdiffeq's ode_demo spiral and draw the fit as SVG.")
let iterationsOption = parser.option("--iterations", default: 2000, help: "training iterations (ode_demo: niters)")
let solverOption = parser.option("--solver", default: SolverChoice.dopri5Torchdiffeq,
                                 help: "ODE method (default: Dormand–Prince with torchdiffeq's error estimate, ode_demo's dopri5); "
                                     + "euler/midpoint/heun/rk4/rk38 need --step-size")
let stepSizeOption: Argument<Double?> = parser.optionalOption("--step-size",
                                                               help: "fixed step size (required by fixed-step methods)")
let rtolOption = parser.option("--rtol", default: 1e-7, help: "relative tolerance of adaptive steps")
let atolOption = parser.option("--atol", default: 1e-9, help: "absolute tolerance of adaptive steps")
let gradientOption = parser.option("--gradient", default: GradientChoice.direct,
                                   help: "how gradients are computed (direct = backprop through the solver, ode_demo's default; adjoint as the paper)")
let seedOption = parser.option("--seed", default: 0, help: "seed of the initial weights and the batch draws")
let learningRateOption = parser.option("--learning-rate", default: 1e-3, help: "RMSprop learning rate")
let batchSizeOption = parser.option("--batch-size", default: 20, help: "trajectory pieces per batch")
let batchTimeOption = parser.option("--batch-time", default: 10, help: "observation times per piece")
let testEveryOption = parser.option("--test-every", default: 20,
                                    help: "evaluate the full-trajectory loss every N iterations (ode_demo: test_freq)")
let outputOption = parser.option("--output", default: "spirals-output", help: "folder for the SVG figures")
let plotEveryOption = parser.option("--plot-every", default: 0, help: "also draw the figure every N iterations (0: only at the end)")
let dataOption: Argument<String?> = parser.optionalOption("--data",
                                                          help: "read t and true_y from a spiral_data.json instead of solving")
let initOption: Argument<String?> = parser.optionalOption("--init",
                                                          help: "initial weights from a w3_init.json (l1.weight, … in PyTorch layout)")
let batchesOption: Argument<String?> = parser.optionalOption("--batches",
                                                             help: "per-iteration batch start indices from a w3_init.json (batch_index)")
let summaryOption: Argument<String?> = parser.optionalOption("--summary-json", help: "write the run's figures to this JSON file")
let verboseOption = parser.flag("--verbose", help: "print ode_demo's 'Iter | Total Loss' line at every evaluation")
parser.parseOrExit()

@MainActor
func run() throws {
    let iterations = iterationsOption.value, batchSize = batchSizeOption.value, batchTime = batchTimeOption.value
    let testEvery = testEveryOption.value, plotEvery = plotEveryOption.value
    guard iterations >= 0, batchSize > 0, batchTime >= 2, testEvery > 0, plotEvery >= 0 else {
        throw ExampleError("--iterations ≥ 0, --batch-size > 0, --batch-time ≥ 2, --test-every > 0 and --plot-every ≥ 0 are required")
    }
    let solver = solverOption.value
    if !solver.tableau.isAdaptive, stepSizeOption.value == nil {
        throw ExampleError("--solver \(solver.rawValue) is a fixed-step method: give --step-size (e.g. 0.005)")
    }
    if let h = stepSizeOption.value, !(h > 0) { throw ExampleError("--step-size must be positive") }

    // Data: the true trajectory, solved here in Double (or read from a file).
    let data = try dataOption.value.map(SpiralData.load) ?? SpiralData.generate()
    guard data.count > batchTime, data.count - batchTime >= batchSize else {
        throw ExampleError("\(data.count) observations are too few for batches of \(batchSize) × \(batchTime) times")
    }
    let batchTimes = Array(data.times[0..<batchTime])
    let candidates = data.count - batchTime

    // Model, optimiser and the ODE layer.
    var generator = SeededGenerator(seed: UInt64(truncatingIfNeeded: seedOption.value))
    let model = try initOption.value.map(SpiralODEFunc.init(contentsOf:)) ?? SpiralODEFunc(using: &generator)
    let fixedBatches = try batchesOption.value.map(loadBatches)
    if let fixedBatches {
        guard fixedBatches.count >= iterations else {
            throw ExampleError("\(batchesOption.value!): \(fixedBatches.count) batches for \(iterations) iterations")
        }
        for (index, row) in fixedBatches.prefix(iterations).enumerated() where row.contains(where: { $0 < 0 || $0 >= candidates }) {
            throw ExampleError("\(batchesOption.value!): batch \(index) has a start index outside 0..<\(candidates)")
        }
    }
    let stepping = try solver.stepping(stepSize: stepSizeOption.value, relativeTolerance: rtolOption.value,
                                       absoluteTolerance: atolOption.value)
    let block = ODEBlock(model, stepping: stepping, gradientMode: gradientOption.value.mode)
    let optimizer = RMSprop<Float>(learningRate: learningRateOption.value)   // PyTorch: α 0.99, ε 1e-8

    let methodText = stepSizeOption.value.map { "\(solver.tableau.name), step \($0)" }
        ?? "\(solver.tableau.name), rtol \(rtolOption.value), atol \(atolOption.value)"
    print("spirals: \(model.parameterCount(of: Float.self)) parameters, \(gradientOption.value.rawValue) gradient, "
          + "\(methodText); \(iterations) iterations of \(batchSize) pieces × \(batchTime) times")

    // The full-trajectory L1 loss from true_y0 (ode_demo's test), without recording.
    let fullInitial = data.initialState, fullTarget = data.trajectory
    func evaluate() throws -> (loss: Double, prediction: Tensor<Float>) {
        let prediction = try withoutRecording(Float.self) { try block.trajectory(from: fullInitial, at: data.times) }
        return (Double(l1Loss(predictions: prediction, targets: fullTarget).scalars[0]), prediction)
    }
    func drawFigure(_ prediction: Tensor<Float>, iteration: Int, loss: Double, name: String) throws -> String {
        let path = (outputOption.value as NSString).appendingPathComponent(name)
        try spiralFigure(data: data, learned: prediction, model: model, iteration: iteration, loss: loss).write(to: path)
        return path
    }

    var evaluations: [(iteration: Int, loss: Double)] = [(0, try evaluate().loss)]
    if verboseOption.value { print(String(format: "Iter %04d | Total Loss %.6f", 0, evaluations[0].loss)) }
    var trainingSeconds = 0.0, forwardNFE = 0, backwardNFE = 0
    var drifts: [Double] = []   // the adjoint's largest drift of each iteration
    var latestPrediction: Tensor<Float>?
    let progress = iterations > 0 ? ProgressLine(total: iterations) : nil
    for iteration in stride(from: 1, through: iterations, by: 1) {
        let start = monotonicSeconds()
        let starts = fixedBatches?[iteration - 1] ?? drawWithoutReplacement(batchSize, from: candidates, using: &generator)
        let (initial, target) = data.batch(starts: starts, length: batchTime)
        let (loss, gradients) = try valueWithGradient(at: block) {
            l1Loss(predictions: try block.trajectory(from: initial, at: batchTimes), targets: target)
        }
        optimizer.update(block, along: gradients)
        trainingSeconds += monotonicSeconds() - start
        forwardNFE += block.statistics.forwardEvaluations
        backwardNFE += block.statistics.backwardEvaluations
        let (nfeF, nfeB) = (block.statistics.forwardEvaluations, block.statistics.backwardEvaluations)
        if !block.statistics.adjointDrift.isEmpty { drifts.append(block.statistics.maximumAdjointDrift) }

        if iteration % testEvery == 0 || iteration == iterations {
            let (testLoss, prediction) = try evaluate()
            evaluations.append((iteration, testLoss))
            latestPrediction = prediction
            if verboseOption.value {
                print(String(format: "Iter %04d | Total Loss %.6f | batch loss %.6f", iteration, testLoss, loss.scalars[0]))
            }
        }
        if plotEvery > 0, iteration % plotEvery == 0 {
            let prediction = evaluations.last!.iteration == iteration ? latestPrediction! : try evaluate().prediction
            _ = try drawFigure(prediction, iteration: iteration, loss: evaluations.last!.loss,
                               name: String(format: "spiral-%05d.svg", iteration))
        }
        progress?.update(iteration, ["loss": Double(loss.scalars[0]), "full": evaluations.last!.loss,
                                     "nfe_f": Double(nfeF), "nfe_b": Double(nfeB),
                                     "ms/it": 1e3 * trainingSeconds / Double(iteration)])
    }
    progress?.finish()

    // Report.
    let final = evaluations.last!
    let best = evaluations.map(\.loss).min()!
    let lastWindow = evaluations.filter { $0.iteration >= iterations - 500 && $0.iteration > 0 }.map(\.loss)
    let medianLast500 = median(lastWindow)
    let perIteration = iterations > 0 ? 1e3 * trainingSeconds / Double(iterations) : .nan
    let meanForward = iterations > 0 ? Double(forwardNFE) / Double(iterations) : .nan
    let meanBackward = iterations > 0 ? Double(backwardNFE) / Double(iterations) : .nan
    let milestones = [0, 100, 500, 1000, 1500, 2000].filter { $0 <= iterations }
    let table = milestones.compactMap { m in evaluations.first { $0.iteration == m }.map { String(format: "@%d %.6f", m, $0.loss) } }
    print("full-trajectory L1 loss: " + table.joined(separator: "  "))
    print(String(format: "final %.6f  best %.6f  median of the last 500 iterations %.6f (%d evaluations)",
                 final.loss, best, medianLast500, lastWindow.count))
    print(String(format: "training: %.3f ms per iteration (%.2f s), NFE forward %.1f, backward %.1f per iteration",
                 perIteration, trainingSeconds, meanForward, meanBackward))
    if !drifts.isEmpty {
        let sorted = drifts.sorted()
        print(String(format: "adjoint drift (largest per iteration): median %.3g, 99th percentile %.3g, max %.3g",
                     median(drifts), sorted[min(sorted.count - 1, sorted.count * 99 / 100)], sorted.last!))
    }

    let prediction = try latestPrediction ?? evaluate().prediction
    let figurePath = try drawFigure(prediction, iteration: final.iteration, loss: final.loss, name: "spiral.svg")
    var lossFigure = Figure(title: "Full-trajectory L1 loss (\(gradientOption.value.rawValue) gradient)")
    lossFigure[0, 0].line(x: evaluations.map { Double($0.iteration) }, y: evaluations.map(\.loss), label: "L1 loss")
    lossFigure[0, 0].xLabel = "iteration"
    lossFigure[0, 0].yLabel = "mean |y − y_true|"
    lossFigure[0, 0].yScale = .logarithmic
    let lossPath = (outputOption.value as NSString).appendingPathComponent("loss.svg")
    try lossFigure.write(to: lossPath)
    print("figures: \(figurePath), \(lossPath)" + (plotEvery > 0 ? " (and spiral-NNNNN.svg every \(plotEvery) iterations)" : ""))

    if let path = summaryOption.value {
        let summary: JSONValue = [
            "final_loss": JSONValue(final.loss), "best_loss": JSONValue(best),
            "median_loss_last_500": JSONValue(medianLast500), "iterations": JSONValue(iterations),
            "ms_per_iteration": JSONValue(perIteration), "nfe_forward_mean": JSONValue(meanForward),
            "nfe_backward_mean": JSONValue(meanBackward),
            "gradient": .string(gradientOption.value.rawValue), "solver": .string(solver.rawValue),
            "evaluations": .array(evaluations.map { [JSONValue($0.iteration), JSONValue($0.loss)] }),
        ]
        try summary.writeSummary(to: path)
    }
}

runExample("spirals") { try run() }
