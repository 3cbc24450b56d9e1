// resnet-euler: a ResNet is an Euler discretisation of an ODE (seeds 001 and 002: x_{k+1} = x_k + h·f(x_k)).
// The same residual function f(x, t; θ) is trained as a ResNet of L blocks sharing θ,
// x_{k+1} = x_k + (1/L)·f(x_k, k/L; θ), on two moons (2-D hidden state, then a linear classifier); then the
// ResNet — built from layers and additions — and an ODEBlock taking Euler steps of 1/L on [0, 1] are shown
// to give the same outputs and gradients to rounding, and, as L grows, the ResNet's output converges to the
// ODE's solution at Euler's first order. The picture shows the hidden-state trajectories for L = 1, 2, 4, 8
// and the continuous limit.
//
//     swift run -c release resnet-euler
//     swift run -c release resnet-euler --blocks 4 --summary-json summary.json

import Autodiff
import Datasets
import ExampleSupport
import Foundation
import ODENet
import Solvers

StandardOutput.useLineBuffering()

var parser = ArgumentParser(program: "resnet-euler",
                            summary: "A weight-shared ResNet against the ODE it discretises: equal to Euler's method, converging at first order.")
let blocksOption = parser.option("--blocks", default: 8, help: "residual blocks L of the trained ResNet")
let iterationsOption = parser.option("--iterations", default: 300, help: "Adam iterations")
let learningRateOption = parser.option("--learning-rate", default: 0.01, help: "Adam learning rate")
let pointsOption = parser.option("--points", default: 256, help: "two-moons training points")
let widthOption = parser.option("--width", default: 32, help: "hidden width of f")
let seedOption = parser.option("--seed", default: 0, help: "seed of the data and the initial weights")
let outputOption = parser.option("--output", default: "resnet-euler-output", help: "folder for the SVG figure")
let summaryOption: Argument<String?> = parser.optionalOption("--summary-json", help: "write the run's figures to this JSON file")
parser.parseOrExit()

/// A trained field and classifier.
struct Model {
    let field: ResidualField
    let classifier: Linear<Double>
    var parameters: [Parameter<Double>] { field.parameters(of: Double.self) + classifier.parameters(of: Double.self) }
}

/// The loss of a hidden output and its gradients for every parameter.
func lossAndGradients(_ model: Model, labels: [Int], hidden: () throws -> Tensor<Double>) throws
    -> (loss: Double, gradients: [Tensor<Double>]) {
    let parameters = model.parameters
    let saved = parameters.map(\.value)
    defer { for (p, v) in zip(parameters, saved) { p.value = v } }
    let (value, gradients) = try valueWithGradient(at: saved) { xs in
        for (p, v) in zip(parameters, xs) { p.value = v }
        return crossEntropy(logits: model.classifier(try hidden()), labels: labels)
    }
    return (value.scalar, gradients)
}

@MainActor
func run() throws {
    let blocks = blocksOption.value
    guard blocks >= 1, iterationsOption.value >= 0, pointsOption.value >= 2, widthOption.value >= 1 else {
        throw ExampleError("--blocks ≥ 1, --iterations ≥ 0, --points ≥ 2 and --width ≥ 1 are required")
    }
    var generator = SeededGenerator(seed: UInt64(seedOption.value))
    let data = makeLabeledMoons(count: pointsOption.value, noise: 0.1, as: Double.self, using: &generator)
    let model = Model(field: ResidualField(width: widthOption.value, using: &generator),
                      classifier: Linear(2, 2, using: &generator))

    // 1. Train the ResNet.
    let optimizer = Adam<Double>(learningRate: learningRateOption.value)
    let progress = ProgressLine(total: max(iterationsOption.value, 1))
    var loss = 0.0
    for iteration in 0..<iterationsOption.value {
        let step = try lossAndGradients(model, labels: data.labels) {
            residualNetwork(model.field, data.points, blocks: blocks).output
        }
        optimizer.update(model.parameters, along: step.gradients)
        loss = step.loss
        progress.update(iteration + 1, ["loss": loss])
    }
    progress.finish()
    let logits = model.classifier(residualNetwork(model.field, data.points, blocks: blocks).output)
    let predicted = (0..<data.labels.count).map { logits.scalars[2 * $0] >= logits.scalars[2 * $0 + 1] ? 0 : 1 }
    let accuracy = Double(zip(predicted, data.labels).filter { $0 == $1 }.count) / Double(data.labels.count)
    print(String(format: "trained ResNet (L = %d): loss %.4f, training accuracy %.1f%%", blocks, loss, 100 * accuracy))

    // 2. ResNet ≡ Euler: outputs and gradients.
    var equality: [(key: String, value: JSONValue)] = []
    var worstOutput = 0.0, worstGradient = 0.0
    print("\n   L   output rel. diff   gradient rel. diff   (ResNet vs ODEBlock with Euler steps of 1/L)")
    for L in [1, 2, 3, 4, 8, 16, 32] {
        let block = eulerBlock(model.field, blocks: L)
        let resnet = residualNetwork(model.field, data.points, blocks: L).output
        let euler = try block(data.points)
        let a = try lossAndGradients(model, labels: data.labels) { residualNetwork(model.field, data.points, blocks: L).output }
        let b = try lossAndGradients(model, labels: data.labels) { try block(data.points) }
        let output = maximumRelativeDifference([resnet], [euler]), gradient = maximumRelativeDifference(a.gradients, b.gradients)
        worstOutput = max(worstOutput, output)
        worstGradient = max(worstGradient, gradient)
        print(String(format: "%4d   %16.2e   %18.2e", L, output, gradient))
        equality.append(("\(L)", ["output": JSONValue(output), "gradient": JSONValue(gradient)] as JSONValue))
    }

    // 3. L → ∞: the ResNet's output against the ODE's solution (Dormand–Prince at 1e-12). First order is an
    // asymptotic statement: the slope is fitted where h = 1/L is small against the trained field's time scale.
    let fitFrom = 128
    let exact = ODEBlock(model.field, method: .dormandPrince54, relativeTolerance: 1e-12, absoluteTolerance: 1e-12)
    let limit = try withoutRecording(Double.self) { try exact(data.points) }
    let depths = (0...12).map { 1 << $0 }
    let errors = depths.map { L in
        maximumRelativeDifference([residualNetwork(model.field, data.points, blocks: L).output], [limit])
            * limit.scalars.map(abs).max()!
    }
    let fitted = Array(depths.indices.filter { depths[$0] >= fitFrom })
    let slope = logLogSlope(fitted.map { depths[$0] }, fitted.map { errors[$0] })
    print("\n   L   max |x_L − x(1)|")
    for (L, error) in zip(depths, errors) { print(String(format: "%4d   %.3e", L, error)) }
    print(String(format: "fitted slope over L = %d … %d (the asymptotic range): %.4f (Euler: −1)", fitFrom, depths.last!, slope))

    // 4. The picture: trajectories of 40 points for L = 1, 2, 4, 8 and the continuous limit; the error against L.
    var figure = Figure(rows: 2, columns: 3, title: "A weight-shared ResNet is Euler's method for dx/dt = f(x, t)")
    let shown = Array(0..<min(40, data.labels.count))
    let starts = Tensor<Double>(shape: [shown.count, 2], scalars: shown.flatMap { [data.points.scalars[2 * $0], data.points.scalars[2 * $0 + 1]] })
    let colors = ["#1f77b4", "#d62728"]
    for (panel, L) in [1, 2, 4, 8, 0].enumerated() {
        let states: [Tensor<Double>]
        if L > 0 {
            states = residualNetwork(model.field, starts, blocks: L, keepingStates: true).states
        } else {
            let times = (0...50).map { Double($0) / 50 }
            let path = try withoutRecording(Double.self) { try exact.trajectory(from: starts, at: times) }
            states = times.indices.map { path.sliced($0..<($0 + 1), axis: 0).reshaped([shown.count, 2]) }
        }
        var p = figure[panel / 3, panel % 3]
        p.title = L > 0 ? "ResNet, L = \(L)" : "ODE (L → ∞)"
        for (row, index) in shown.enumerated() {
            let xs = states.map { $0.scalars[2 * row] }, ys = states.map { $0.scalars[2 * row + 1] }
            p.line(x: xs, y: ys, color: colors[data.labels[index]], width: 0.8)
            p.scatter(x: [xs.last!], y: [ys.last!], color: colors[data.labels[index]], radius: 1.8)
        }
        figure[panel / 3, panel % 3] = p
    }
    figure[1, 2].title = String(format: "max |x_L − x(1)|, slope %.3f", slope)
    figure[1, 2].line(x: depths.map(Double.init), y: errors, label: "ResNet / Euler")
    figure[1, 2].xScale = .logarithmic
    figure[1, 2].yScale = .logarithmic
    figure[1, 2].xLabel = "L"
    let figurePath = (outputOption.value as NSString).appendingPathComponent("resnet-euler.svg")
    try figure.write(to: figurePath)
    print("figure: \(figurePath)")

    if let path = summaryOption.value {
        try JSONValue.object([
            ("blocks", JSONValue(blocks)), ("iterations", JSONValue(iterationsOption.value)),
            ("final_loss", JSONValue(loss)), ("training_accuracy", JSONValue(accuracy)),
            ("max_relative_difference_outputs", JSONValue(worstOutput)),
            ("max_relative_difference_gradients", JSONValue(worstGradient)), ("equality_by_blocks", .object(equality)),
            ("convergence_blocks", .array(depths.map { JSONValue($0) })), ("convergence_errors", .array(errors.map { JSONValue($0) })),
            ("convergence_slope", JSONValue(slope)), ("slope_fitted_from_blocks", JSONValue(fitFrom)),
        ]).writeSummary(to: path)
    }
}

runExample("resnet-euler") { try run() }
