import Foundation
import Datasets
import ExampleSupport
import MNISTModels
import ODENet

/// The paper's Figure 3 from a trained model's checkpoint, on the first `count` test images: the ODE block's
/// solve swept over tolerances 1e-1 … 1e-7; (a) forward NFE against the numerical error max |z(1) − z_ref(1)|
/// (z_ref: tolerance 1e-10), (b) forward time against forward NFE with its least-squares line and R², (c)
/// backward NFE against forward NFE for each gradient mode, (d) the forward and backward NFE per training
/// epoch recorded in the checkpoint. Prints the sweep, writes `figure3.svg` into `folder`, returns the figures.
@MainActor
func figure3(model: MNISTClassifier<Float>, history: [(seconds: Double, test: Double, nfeForward: Double, nfeBackward: Double)],
             test: MNIST.Subset, count: Int, folder: String) throws -> JSONValue {
    guard let block = model.odeBlock else { throw ExampleError("--figure3 needs a model with an ODE block, not the ResNet") }
    let indices = Array(0..<min(count, test.count))
    let images = Tensor<Float>(shape: [indices.count, 1, MNIST.side, MNIST.side], scalars: test.normalizedImages(at: indices))
    let labels = test.labels(at: indices)
    let start = try withoutRecording(Float.self) { try model.odeBlockInput(images) }
    func solve(tolerance: Double) throws -> (output: Tensor<Float>, seconds: Double, nfe: Int) {
        block.relativeTolerance = tolerance
        block.absoluteTolerance = tolerance
        var output = try withoutRecording(Float.self) { try model.odeBlockOutput(start) }      // warm-up
        var times: [Double] = []
        for _ in 0..<5 {   // the median of five solves
            let began = monotonicSeconds()
            output = try withoutRecording(Float.self) { try model.odeBlockOutput(start) }
            times.append(monotonicSeconds() - began)
        }
        return (output, times.sorted()[2], block.statistics.forwardEvaluations)
    }
    let saved = (block.relativeTolerance, block.absoluteTolerance, block.gradientMode)
    defer { (block.relativeTolerance, block.absoluteTolerance, block.gradientMode) = saved }
    let reference = try solve(tolerance: 1e-10).output
    let tolerances = (1...7).map { pow(10, -Double($0)) }
    // Direct mode has no backward solve (it pulls back each recorded forward evaluation once), so (c) shows the
    // two modes whose backward pass evaluates the field anew.
    let modes: [(String, GradientMode)] = [("adjoint", .adjoint()), ("checkpointed", .checkpointed)]
    var rows: [JSONValue] = []
    var nfe: [Double] = [], errors: [Double] = [], seconds: [Double] = [], backward: [String: [Double]] = [:]
    print("tolerance   NFE-F   max |z(1) − z_ref(1)|   forward s   NFE-B adjoint / checkpointed")
    for tolerance in tolerances {
        let forward = try solve(tolerance: tolerance)
        let error = zip(forward.output.scalars, reference.scalars).map { Double(abs($0 - $1)) }.max()!
        var backwardNFE: [(key: String, value: JSONValue)] = []
        for (name, mode) in modes {
            block.gradientMode = mode
            _ = try valueWithGradient(at: model) { crossEntropy(logits: try model(images), labels: labels) }
            backward[name, default: []].append(Double(block.statistics.backwardEvaluations))
            backwardNFE.append((name, JSONValue(block.statistics.backwardEvaluations)))
        }
        block.gradientMode = saved.2
        nfe.append(Double(forward.nfe))
        errors.append(max(error, 1e-12))
        seconds.append(forward.seconds)
        print(String(format: "%9.0e %7d %23.3e %11.4f   ", tolerance, forward.nfe, error, forward.seconds)
              + modes.map { String(Int(backward[$0.0]!.last!)) }.joined(separator: " / "))
        rows.append(["tolerance": JSONValue(tolerance), "nfe_forward": JSONValue(forward.nfe), "error": JSONValue(error),
                     "forward_seconds": JSONValue(forward.seconds), "nfe_backward": .object(backwardNFE)])
    }
    // (b): least squares of time on NFE.
    let line = LineFit(x: nfe, y: seconds)
    let (slope, intercept, rSquared) = (line.slope, line.intercept, line.rSquared)
    print(String(format: "forward time = %.3e·NFE + %.3e s, R² = %.4f", slope, intercept, rSquared))

    var figure = Figure(rows: 2, columns: 2, title: "Figure 3 of the paper: \(model.name), \(indices.count) test images")
    figure[0, 0].title = "(a) NFE against numerical error"
    figure[0, 0].line(x: errors, y: nfe, label: "tolerance 1e-1 … 1e-7")
    figure[0, 0].scatter(x: errors, y: nfe)
    figure[0, 0].xScale = .logarithmic
    figure[0, 0].xLabel = "max |z(1) − z_ref(1)|"
    figure[0, 0].yLabel = "NFE forward"
    figure[0, 1].title = String(format: "(b) forward time ∝ NFE (R² = %.3f)", rSquared)
    figure[0, 1].scatter(x: nfe, y: seconds, label: "measured")
    let ends = [nfe.min()!, nfe.max()!]
    figure[0, 1].line(x: ends, y: ends.map { intercept + slope * $0 }, label: "least squares", dashed: true)
    figure[0, 1].xLabel = "NFE forward"
    figure[0, 1].yLabel = "seconds"
    figure[1, 0].title = "(c) backward NFE against forward NFE"
    for (name, _) in modes { figure[1, 0].line(x: nfe, y: backward[name]!, label: name) }
    figure[1, 0].line(x: ends, y: ends.map { $0 / 2 }, label: "½ (the paper's Adams)", dashed: true)
    figure[1, 0].xLabel = "NFE forward"
    figure[1, 0].yLabel = "NFE backward"
    figure[1, 1].title = "(d) NFE over training"
    let epochs = history.indices.map { Double($0 + 1) }
    figure[1, 1].line(x: epochs, y: history.map(\.nfeForward), label: "forward")
    figure[1, 1].line(x: epochs, y: history.map(\.nfeBackward), label: "backward")
    figure[1, 1].xLabel = "epoch"
    figure[1, 1].yLabel = "mean NFE per batch"
    let path = (folder as NSString).appendingPathComponent("figure3.svg")
    try figure.write(to: path)
    print("figure: \(path)")
    return ["sweep": .array(rows), "time_per_nfe_seconds": JSONValue(slope), "time_intercept_seconds": JSONValue(intercept),
            "r_squared": JSONValue(rSquared),
            "nfe_per_epoch": .array(history.map { ["forward": JSONValue($0.nfeForward), "backward": JSONValue($0.nfeBackward)] as JSONValue })]
}
