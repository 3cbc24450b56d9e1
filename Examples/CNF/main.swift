// cnf: torchdiffeq's examples/cnf.py in Swift — a continuous normalizing flow (Chen et al. 2018, §4) fitted
// by maximum likelihood to two concentric circles (scikit-learn's make_circles: 512 fresh samples per
// iteration, noise 0.06, factor 0.5). The field is cnf.py's hypernetwork (t → 32 → 32 → the weights of a
// 64-unit gated layer; 15,904 parameters); the flow runs from t = 10 (data) to t = 0 (base N(0, 0.1·I)) with
// Dormand–Prince at rtol = atol = 1e-5 and the exact trace; Adam lr 1e-3, 1000 iterations; it prints
// cnf.py's running-average loss (momentum 0.99) and draws target samples, model samples and the model's
// density at several times of the flow as SVG.
//
//     swift run -c release cnf                      # backpropagation through the solver (cnf.py's default)
//     swift run -c release cnf --gradient adjoint   # cnf.py --adjoint

import Autodiff
import Datasets
import ExampleSupport
import Foundation
import ODENet
import Solvers

StandardOutput.useLineBuffering()

var parser = ArgumentParser(program: "cnf",
                            summary: "Fit a continuous normalizing flow to two circles (torchdiffeq's examples/cnf.py) and draw it as SVG.")
let datasetOption = parser.option("--dataset", default: DatasetChoice.cnfCircles,
                                  help: "cnf-circles: torchdiffeq's cnf.py (the default); a FFJORD toy density: its train_toy.py "
                                      + "(ConcatSquash MLP 64-64-64, T = 0.5 trained, adjoint, batch 100, Adam lr 1e-3 with L2 1e-5, 10,000 iterations)")
let iterationsOption: Argument<Int?> = parser.optionalOption("--iterations",
                                                             help: "training iterations (cnf.py: 1000; FFJORD's toys: 10,000)")
let samplesOption: Argument<Int?> = parser.optionalOption("--samples",
                                                          help: "fresh training samples per iteration (cnf.py: 512; FFJORD's toys: 100)")
let widthOption = parser.option("--width", default: 64, help: "units of the gated layer the hypernetwork outputs (cnf.py: width)")
let hiddenOption = parser.option("--hidden", default: 32, help: "hidden units of the hypernetwork (cnf.py: hidden_dim)")
let learningRateOption = parser.option("--learning-rate", default: 1e-3, help: "Adam learning rate (cnf.py: lr)")
let gradientOption: Argument<GradientChoice?> = parser.optionalOption("--gradient",
    help: "how gradients are computed (default: direct for cnf.py, its default; adjoint for FFJORD's toys)")
let solverOption = parser.option("--solver", default: SolverChoice.dopri5Torchdiffeq,
                                 help: "ODE method (default: Dormand–Prince stepped as torchdiffeq's dopri5)")
let rtolOption = parser.option("--rtol", default: 1e-5, help: "relative tolerance (cnf.py: 1e-5)")
let atolOption = parser.option("--atol", default: 1e-5, help: "absolute tolerance (cnf.py: 1e-5)")
let traceOption = parser.option("--trace", default: TraceChoice.exact,
                                help: "divergence: exact (cnf.py; D vector–Jacobian products), Hutchinson's estimate (hutchinson-gaussian, hutchinson-rademacher), or closed-form (the hypernetwork's own trace; cnf-circles only)")
let seedOption = parser.option("--seed", default: 0, help: "seed of the initial weights and the data draws")
let vizTimesOption = parser.option("--viz-times", default: 4, help: "times of the flow drawn in the figure (at least 2: base and data)")
let vizSamplesOption = parser.option("--viz-samples", default: 2000, help: "samples drawn per picture")
let outputOption = parser.option("--output", default: "cnf-output", help: "folder for the SVG figures")
let summaryOption: Argument<String?> = parser.optionalOption("--summary-json", help: "write the run's figures to this JSON file")
let verboseOption = parser.flag("--verbose", help: "print cnf.py's 'Iter: N, running avg loss: L' line every iteration")
let rnodeOption = parser.flag("--rnode", help: "FFJORD's toys: add RNODE's kinetic-energy and Jacobian-norm terms (λ 0.01 each)")
let testSamplesOption = parser.option("--test-samples", default: 10_000,
                                      help: "FFJORD's toys: fresh samples of the final test loss (exact trace)")
let checkpointOption: Argument<String?> = parser.optionalOption("--checkpoint",
                                                                help: "FFJORD's toys: a safetensors file to save to (and resume from)")
let checkpointEveryOption = parser.option("--checkpoint-every", default: 500, help: "FFJORD's toys: iterations between checkpoints")
let resumeOption = parser.flag("--resume", help: "FFJORD's toys: continue from --checkpoint if it exists")
let modelOption = parser.option("--model", default: ModelChoice.cnf,
                                help: "FFJORD's toys: cnf, or planar — the paper's Fig. 5 baseline, a planar normalizing flow of --layers one-unit layers (Adam, batch --samples)")
let layersOption = parser.option("--layers", default: 64, help: "--model planar: the number of planar layers (the paper's Fig. 5: 64)")
let timeBudgetOption: Argument<Double?> = parser.optionalOption("--time-budget",
    help: "--model planar: stop training after this many seconds (give it the CNF's training time) or at --iterations")
parser.parseOrExit()

/// The training targets of the command line.
enum DatasetChoice: String, ArgumentChoice {
    case cnfCircles = "cnf-circles"
    case eightGaussians = "8gaussians", pinwheel, checkerboard, rings, twoSpirals = "2spirals", moons, swissroll, circles

    /// The FFJORD toy density, nil for cnf.py's circles.
    var toy: ToyDensity? { ToyDensity(rawValue: rawValue) }
}

/// The flows of the command line.
enum ModelChoice: String, ArgumentChoice {
    case cnf, planar
}

/// The divergence choices of the command line.
enum TraceChoice: String, ArgumentChoice {
    case exact
    case hutchinsonGaussian = "hutchinson-gaussian"
    case hutchinsonRademacher = "hutchinson-rademacher"
    case closedForm = "closed-form"

    var estimator: TraceEstimator {
        switch self {
        case .exact: .exact
        case .hutchinsonGaussian: .hutchinson(.gaussian)
        case .hutchinsonRademacher: .hutchinson(.rademacher)
        case .closedForm: .closedForm
        }
    }
}

@MainActor
func run() throws {
    if let toy = datasetOption.value.toy {
        return try modelOption.value == .planar ? trainPlanar(toy) : trainToy(toy)
    }
    guard modelOption.value == .cnf else { throw ExampleError("--model planar needs a FFJORD toy --dataset") }
    let iterations = iterationsOption.value ?? 1000, samples = samplesOption.value ?? 512
    let gradient = gradientOption.value ?? .direct
    guard iterations >= 0, samples >= 2, widthOption.value >= 1, hiddenOption.value >= 1, vizTimesOption.value >= 2,
          vizSamplesOption.value >= 1 else {
        throw ExampleError("--iterations ≥ 0, --samples ≥ 2, --width ≥ 1, --hidden ≥ 1, --viz-times ≥ 2 and --viz-samples ≥ 1 are required")
    }
    let solver = solverOption.value
    guard solver.tableau.isAdaptive else { throw ExampleError("--solver \(solver.rawValue) has no error estimate; the flow steps adaptively") }
    let stepping = try solver.stepping(stepSize: nil, relativeTolerance: rtolOption.value, absoluteTolerance: atolOption.value)

    var generator = SeededGenerator(seed: UInt64(truncatingIfNeeded: seedOption.value))
    let field = HyperNetworkDynamics<Float>(stateDimensions: 2, hiddenDimensions: hiddenOption.value, width: widthOption.value,
                                            using: &generator)
    let (dataTime, baseTime) = (10.0, 0.0)
    let block = CNFBlock(field, dimensions: 2, dataTime: dataTime, baseTime: baseTime, trace: traceOption.value.estimator,
                         stepping: stepping, gradientMode: gradient.mode,
                         seed: UInt64(truncatingIfNeeded: seedOption.value) &+ 1)
    let flow = ContinuousNormalizingFlow(block, base: .isotropicGaussian(variance: 0.1))
    let optimizer = Adam<Float>(learningRate: learningRateOption.value)
    print("cnf: \(flow.parameterCount(of: Float.self)) parameters, \(gradient.rawValue) gradient, "
          + "\(solver.tableau.name) rtol \(rtolOption.value) atol \(atolOption.value), trace \(traceOption.value.rawValue); "
          + "\(iterations) iterations of \(samples) samples")

    var runningAverage: Double? = nil
    var losses: [Double] = [], averages: [Double] = [], forward: [Int] = [], backward: [Int] = [], seconds: [Double] = []
    let progress = iterations > 0 ? ProgressLine(total: iterations) : nil
    for iteration in stride(from: 1, through: iterations, by: 1) {
        let start = monotonicSeconds()
        let x = makeCircles(count: samples, noise: 0.06, factor: 0.5, as: Float.self, using: &generator)
        let (loss, gradients) = try valueWithGradient(at: flow) { try flow.logLikelihood(x).mean() * Tensor(-1) }
        optimizer.update(flow, along: gradients)
        seconds.append(monotonicSeconds() - start)
        let value = Double(loss.scalar)
        runningAverage = runningAverage.map { 0.99 * $0 + 0.01 * value } ?? value   // cnf.py's RunningAverageMeter
        losses.append(value)
        averages.append(runningAverage!)
        forward.append(block.statistics.forwardEvaluations)
        backward.append(block.statistics.backwardEvaluations)
        if verboseOption.value { print(String(format: "Iter: %d, running avg loss: %.4f", iteration, runningAverage!)) }
        progress?.update(iteration, ["loss": value, "avg": runningAverage!, "nfe_f": Double(forward.last!),
                                     "nfe_b": Double(backward.last!), "ms/it": 1e3 * seconds.reduce(0, +) / Double(iteration)])
    }
    progress?.finish()

    let milestones = [1, 100, 500, 1000].filter { $0 <= iterations }
    if !milestones.isEmpty {
        print("running-average loss: " + milestones.map { String(format: "@%d %.4f", $0, averages[$0 - 1]) }.joined(separator: "  "))
    }
    let msPerIteration = iterations > 0 ? 1e3 * median(seconds) : .nan
    let meanForward = iterations > 0 ? Double(forward.reduce(0, +)) / Double(iterations) : .nan
    let meanBackward = iterations > 0 ? Double(backward.reduce(0, +)) / Double(iterations) : .nan
    print(String(format: "training: %.2f ms per iteration (median; %.1f s in all), NFE forward %.1f (last %d), backward %.1f per iteration",
                 msPerIteration, seconds.reduce(0, +), meanForward, forward.last ?? 0, meanBackward))

    let figurePath = (outputOption.value as NSString).appendingPathComponent("cnf.svg")
    var targetGenerator = SeededGenerator(seed: UInt64(truncatingIfNeeded: seedOption.value) &+ 3)
    let target = makeCircles(count: vizSamplesOption.value, noise: 0.06, factor: 0.5, as: Float.self, using: &targetGenerator)
    try flowFigure(flow: flow, block: block, target: target, title: "Continuous normalizing flow on two circles (torchdiffeq's cnf.py)",
                   times: vizTimesOption.value, samples: vizSamplesOption.value,
                   seed: UInt64(truncatingIfNeeded: seedOption.value) &+ 2).write(to: figurePath)
    var lossFigure = Figure(title: "Negative log-likelihood (\(gradient.rawValue) gradient)")
    lossFigure[0, 0].line(x: losses.indices.map { Double($0 + 1) }, y: losses, label: "batch loss", color: "#bbbbbb")
    lossFigure[0, 0].line(x: averages.indices.map { Double($0 + 1) }, y: averages, label: "running average")
    lossFigure[0, 0].xLabel = "iteration"
    lossFigure[0, 0].yLabel = "−mean log p(x) (nats)"
    let lossPath = (outputOption.value as NSString).appendingPathComponent("loss.svg")
    try lossFigure.write(to: lossPath)
    print("figures: \(figurePath), \(lossPath)")

    if let path = summaryOption.value {
        let summary: JSONValue = [
            "final_running_average_loss": JSONValue(averages.last ?? .nan),
            "running_average_loss": .array(milestones.map { [JSONValue($0), JSONValue(averages[$0 - 1])] }),
            "iterations": JSONValue(iterations), "ms_per_iteration_median": JSONValue(msPerIteration),
            "nfe_forward_mean": JSONValue(meanForward), "nfe_backward_mean": JSONValue(meanBackward),
            "nfe_forward_last": JSONValue(forward.last ?? 0),
            "gradient": .string(gradient.rawValue), "solver": .string(solver.rawValue),
            "trace": .string(traceOption.value.rawValue), "seed": JSONValue(seedOption.value),
            "parameters": JSONValue(flow.parameterCount(of: Float.self)),
        ]
        try summary.writeSummary(to: path)
    }
}

runExample("cnf") { try run() }
