// bouncing-ball: torchdiffeq's examples/bouncing_ball.py in Swift — a ball dropped from 10 m (gravity 9.8,
// radius 0.2 as log_radius, absorption 0.2, tolerances 1e-8) bounces; the collision times come from
// differentiable events, and their gradients with respect to every parameter (absorption included, which
// torchdiffeq's gradcheck omits) are checked against central differences. `--fit` learns the absorption
// from observed collision times by gradient descent.
//
//     swift run -c release bouncing-ball                     # 10 bounces, gradients of the last collision time
//     swift run -c release bouncing-ball --gradient adjoint
//     swift run -c release bouncing-ball --fit               # recover absorption 0.2 from the bounce times

import Autodiff
import ExampleSupport
import Foundation
import ODENet
import Solvers

StandardOutput.useLineBuffering()

var parser = ArgumentParser(program: "bouncing-ball",
                            summary: "Collision times of torchdiffeq's bouncing ball and their gradients, through differentiable events.")
let bouncesOption = parser.option("--bounces", default: 10, help: "collisions to simulate")
let gradientOption = parser.option("--gradient", default: GradientChoice.direct, help: "how the solves between collisions are differentiated")
let toleranceOption = parser.option("--tolerance", default: 1e-8, help: "rtol = atol of every solve (bouncing_ball.py: 1e-8)")
let fitOption = parser.flag("--fit", help: "learn the absorption from the collision times of the true ball, starting from 0.5")
let iterationsOption = parser.option("--iterations", default: 300, help: "--fit: Adam iterations")
let learningRateOption = parser.option("--learning-rate", default: 0.02, help: "--fit: Adam learning rate")
let outputOption = parser.option("--output", default: "bouncing-ball-output", help: "folder for the SVG figure")
let summaryOption: Argument<String?> = parser.optionalOption("--summary-json", help: "write the run's figures to this JSON file")
parser.parseOrExit()

@MainActor
func run() throws {
    let bounces = bouncesOption.value
    guard bounces >= 1, toleranceOption.value > 0, iterationsOption.value >= 0 else {
        throw ExampleError("--bounces ≥ 1, --tolerance > 0 and --iterations ≥ 0 are required")
    }
    let mode = gradientOption.value.mode
    let model = BouncingBallModel()
    model.tolerance = toleranceOption.value
    let named = model.namedParameters(of: Double.self)

    // Collision times, and the gradient of the last one with respect to every parameter.
    let began = monotonicSeconds()
    var times: [Double] = []
    let (last, gradients) = try valueWithGradient(at: model) {
        let collisions = try model.collisions(bounces, gradient: mode)
        times = collisions.times.map(\.scalar)
        return collisions.times[bounces - 1]
    }
    let seconds = monotonicSeconds() - began
    print("collision times (\(gradientOption.value.rawValue) gradient, \(String(format: "%.1f", 1e3 * seconds)) ms with the gradient):")
    print(times.enumerated().map { String(format: "  t%-2d %.10f", $0.offset + 1, $0.element) }.joined(separator: "\n"))

    // Central differences of the last collision time, one parameter at a time.
    print("\nd t\(bounces) / d parameter      event gradient     central difference   relative difference")
    var gradientTable: [(key: String, value: JSONValue)] = []
    var worst = 0.0
    for ((name, parameter), gradient) in zip(named, gradients) {
        let value = parameter.value.scalar, step = 1e-5 * max(1, abs(value))
        func lastTime(_ x: Double) throws -> Double {
            parameter.value = Tensor(x)
            defer { parameter.value = Tensor(value) }
            return try withoutRecording(Double.self) { try model.collisions(bounces, gradient: .direct).times[bounces - 1].scalar }
        }
        let difference = (try lastTime(value + step) - lastTime(value - step)) / (2 * step)
        let relative = abs(gradient.scalar - difference) / max(abs(difference), 1e-8)
        worst = max(worst, relative)
        print("  " + name.padding(toLength: 22, withPad: " ", startingAt: 0)
              + String(format: "%18.10f %20.10f %14.2e", gradient.scalar, difference, relative))
        gradientTable.append((name, ["event": JSONValue(gradient.scalar), "central_difference": JSONValue(difference)]))
    }
    print(String(format: "largest relative difference: %.2e (last collision time %.6f)", worst, last.scalar))

    var fitted: JSONValue? = nil
    if fitOption.value {
        // Observed collision times of the true ball; learn the absorption from 0.5.
        let observed = times
        model.absorption.value = Tensor(0.5)
        let optimizer = Adam<Double>(learningRate: learningRateOption.value)
        let progress = iterationsOption.value > 0 ? ProgressLine(total: iterationsOption.value) : nil
        var loss = 0.0
        for iteration in stride(from: 1, through: iterationsOption.value, by: 1) {
            let (value, gradients) = try valueWithGradient(at: model) {
                let predicted = try model.collisions(bounces, gradient: mode).times
                var sum = Tensor<Double>(0)
                for (t, target) in zip(predicted, observed) { sum = sum + (t - Tensor(target)) * (t - Tensor(target)) }
                return sum / Tensor(Double(bounces))
            }
            // Only the absorption is learned: the other parameters keep their values.
            let masked = zip(named, gradients).map { $0.0.name == "absorption" ? $0.1 : Tensor<Double>.zeros($0.1.shape) }
            optimizer.update(model, along: masked)
            loss = value.scalar
            progress?.update(iteration, ["loss": loss, "absorption": model.absorption.value.scalar])
        }
        progress?.finish()
        print(String(format: "fitted absorption %.6f (true 0.2) after %d iterations, mean squared time error %.3e",
                      model.absorption.value.scalar, iterationsOption.value, loss))
        fitted = ["absorption": JSONValue(model.absorption.value.scalar), "loss": JSONValue(loss),
                  "iterations": JSONValue(iterationsOption.value)] as JSONValue
        model.absorption.value = Tensor(0.2)
    }

    // Height against time with the collisions marked.
    let end = times[bounces - 1]
    let grid = (0...1000).map { end * Double($0) / 1000 }
    let path = try model.trajectory(at: grid, bounces: bounces)
    var figure = Figure(title: "Bouncing ball: height and collisions (\(bounces) bounces)")
    figure[0, 0].line(x: path.times, y: path.heights, label: "height")
    figure[0, 0].scatter(x: path.collisions, y: path.collisions.map { _ in exp(model.logRadius.value.scalar) },
                         label: "collisions", color: "#d62728", radius: 3)
    figure[0, 0].xLabel = "t"
    figure[0, 0].yLabel = "height"
    let figurePath = (outputOption.value as NSString).appendingPathComponent("bouncing-ball.svg")
    try figure.write(to: figurePath)
    print("figure: \(figurePath)")

    if let path = summaryOption.value {
        var summary: [(key: String, value: JSONValue)] = [
            ("collision_times", .array(times.map { JSONValue($0) })), ("gradients", .object(gradientTable)),
            ("largest_relative_difference", JSONValue(worst)), ("gradient", .string(gradientOption.value.rawValue)),
            ("bounces", JSONValue(bounces)), ("milliseconds_with_gradient", JSONValue(1e3 * seconds)),
        ]
        if let fitted { summary.append(("fit", fitted)) }
        try JSONValue.object(summary).writeSummary(to: path)
    }
}

runExample("bouncing-ball") { try run() }
