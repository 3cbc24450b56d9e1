// learn-physics: torchdiffeq's examples/learn_physics.py in Swift (Chen, Amos & Nickel, "Learning Neural Event
// Functions for Ordinary Differential Equations", ICLR 2021). From 300 observed heights of a bouncing ball
// (4 bounces of bouncing_ball.py's ball), learn its physics — a constant acceleration, a contact height as
// the event function and a velocity map at contact — through differentiable events, and compare with the
// script's --no_events baseline, a Neural ODE with 2 augmented dimensions and a 64-64 sine MLP. Relative-L1
// loss, Adam at 0.1 with cosine decay, 1000 iterations, at most 20 events per trajectory.
//
//     swift run -c release learn-physics                     # both models, 1000 iterations each
//     swift run -c release learn-physics --model events --iterations 200

import Autodiff
import ExampleSupport
import Foundation
import ODENet
import Solvers

StandardOutput.useLineBuffering()

/// Which models to train.
enum ModelChoice: String, ArgumentChoice {
    case both, events, ode
}

var parser = ArgumentParser(program: "learn-physics",
                            summary: "Learn a bouncing ball's gravity, contact height and restitution through differentiable events (learn_physics.py), against a Neural ODE.")
let modelOption = parser.option("--model", default: ModelChoice.both, help: "events (the learned physics), ode (the --no_events baseline) or both")
let iterationsOption = parser.option("--iterations", default: 1000, help: "Adam iterations per model")
let learningRateOption = parser.option("--learning-rate", default: 0.1, help: "Adam's base rate, decayed to 0 by a cosine")
let observationsOption = parser.option("--observations", default: 300, help: "observed heights (learn_physics.py: 300)")
let gradientOption = parser.option("--gradient", default: GradientChoice.direct, help: "how the solves are differentiated")
let seedOption = parser.option("--seed", default: 0, help: "seed of the initial parameters")
let outputOption = parser.option("--output", default: "learn-physics-output", help: "folder for the SVG figures")
let summaryOption: Argument<String?> = parser.optionalOption("--summary-json", help: "write the run's figures to this JSON file")
parser.parseOrExit()

/// learn_physics.py's loss: the mean relative L1 error, |ŷ − y|/(y + 10⁻³).
func relativeL1(_ predicted: Tensor<Double>, _ observed: Tensor<Double>) -> Tensor<Double> {
    (abs(predicted - observed) / (observed + Tensor(1e-3))).mean()
}

/// The losses of iterations 0, 10, 20, … (learn_physics.py prints these).
func everyTenth(_ losses: [Double]) -> JSONValue {
    .array(stride(from: 0, to: losses.count, by: 10).map { JSONValue(losses[$0]) })
}

/// Trains `model` for the set number of iterations on `loss` and returns the loss curve; an iteration whose
/// solve fails (a tangential contact) is skipped and counted.
@MainActor
func train<M: Module>(_ model: M, name: String, loss: () throws -> Tensor<Double>) throws -> (losses: [Double], skipped: Int) {
    let iterations = iterationsOption.value
    let optimizer = Adam<Double>(learningRate: learningRateOption.value)
    let schedule = CosineAnnealing(initialLearningRate: learningRateOption.value, total: max(iterations, 1))
    let progress = ProgressLine(total: iterations)
    var losses: [Double] = [], skipped = 0
    for iteration in 0..<iterations {
        do {
            let (value, gradients) = try valueWithGradient(at: model) { try loss() }
            optimizer.learningRate = schedule.learningRate(atEpoch: iteration)
            optimizer.update(model, along: gradients)
            losses.append(value.scalar)
            progress.update(iteration + 1, ["loss": value.scalar])
        } catch ODENetError.tangentialEvent(let time, _) {
            skipped += 1
            print("\(name): iteration \(iteration) skipped: a tangential contact at t = \(time)")
        }
    }
    progress.finish()
    return (losses, skipped)
}

@MainActor
func run() throws {
    guard iterationsOption.value >= 1, observationsOption.value >= 2, learningRateOption.value > 0 else {
        throw ExampleError("--iterations ≥ 1, --observations ≥ 2 and --learning-rate > 0 are required")
    }
    let mode = gradientOption.value.mode
    let observed = try learnPhysicsObservations(count: observationsOption.value)
    let target = Tensor(observed.heights)
    print("\(observed.times.count) observations over t ∈ [0, \(String(format: "%.3f", observed.times.last!))]")
    var generator = SeededGenerator(seed: UInt64(seedOption.value))
    var figure = Figure(rows: 1, columns: 2, title: "Learning a bouncing ball's physics (\(iterationsOption.value) iterations)")
    figure[0, 0].line(x: observed.times, y: observed.heights, label: "observed", color: "#222222")
    figure[0, 0].xLabel = "t"
    figure[0, 0].yLabel = "height"
    figure[0, 1].yScale = .logarithmic
    figure[0, 1].xLabel = "iteration"
    figure[0, 1].yLabel = "relative L1 loss"
    var summary: [(key: String, value: JSONValue)] = [
        ("iterations", JSONValue(iterationsOption.value)), ("observations", JSONValue(observed.times.count)),
        ("gradient", .string(gradientOption.value.rawValue)), ("seed", JSONValue(seedOption.value)),
    ]

    if modelOption.value != .ode {
        let model = EventPhysicsModel(using: &generator)
        print(String(format: "events: start g %.4f, restitution %.4f, contact height %.4f", model.gravity,
                     model.restitution, model.contactHeight))
        let began = monotonicSeconds()
        let (losses, skipped) = try train(model, name: "events") {
            relativeL1(try model.trajectory(at: observed.times, gradient: mode).heights, target)
        }
        let seconds = monotonicSeconds() - began
        let final = try withoutRecording(Double.self) { try model.trajectory(at: observed.times, gradient: mode) }
        let loss = relativeL1(final.heights, target).scalar
        print(String(format: "events: loss %.3e; learned g %.4f (true 9.8), restitution %.4f (0.8), contact height %.4f "
                     + "(0.2); %d events; %.1f s", loss, model.gravity, model.restitution, model.contactHeight,
                     final.events.count, seconds))
        figure[0, 0].line(x: observed.times, y: final.heights.scalars, label: "events", color: "#1f77b4")
        figure[0, 0].scatter(x: final.events, y: final.events.map { _ in model.contactHeight }, label: "learned contacts",
                             color: "#1f77b4", radius: 3)
        figure[0, 1].line(x: losses.indices.map(Double.init), y: losses, label: "events", color: "#1f77b4")
        summary.append(("events", [
            "final_loss": JSONValue(loss), "gravity": JSONValue(model.gravity), "restitution": JSONValue(model.restitution),
            "contact_height": JSONValue(model.contactHeight), "event_times": .array(final.events.map { JSONValue($0) }),
            "skipped_iterations": JSONValue(skipped), "seconds": JSONValue(seconds),
            "loss_every_10_iterations": everyTenth(losses),
        ] as JSONValue))
    }
    if modelOption.value != .events {
        let model = AugmentedODEModel(using: &generator)
        let began = monotonicSeconds()
        let (losses, skipped) = try train(model, name: "ode") {
            relativeL1(try model.trajectory(at: observed.times, gradient: mode), target)
        }
        let seconds = monotonicSeconds() - began
        let final = try withoutRecording(Double.self) { try model.trajectory(at: observed.times, gradient: mode) }
        let loss = relativeL1(final, target).scalar
        print(String(format: "ode (no events): loss %.3e; %.1f s", loss, seconds))
        figure[0, 0].line(x: observed.times, y: final.scalars, label: "Neural ODE", color: "#d62728")
        figure[0, 1].line(x: losses.indices.map(Double.init), y: losses, label: "Neural ODE", color: "#d62728")
        summary.append(("ode", ["final_loss": JSONValue(loss), "skipped_iterations": JSONValue(skipped),
                                "seconds": JSONValue(seconds), "loss_every_10_iterations": everyTenth(losses)] as JSONValue))
    }
    let figurePath = (outputOption.value as NSString).appendingPathComponent("learn-physics.svg")
    try figure.write(to: figurePath)
    print("figure: \(figurePath)")
    if let path = summaryOption.value {
        try JSONValue.object(summary).writeSummary(to: path)
    }
}

runExample("learn-physics") { try run() }
