import Foundation
import ExampleSupport
import MNISTModels
import ODENet

/// Table 1's memory and time columns, measured: the peak live tensor bytes (the library's counter) and the time
/// of one gradient computation on a batch of `batchSize` images for the ResNet at 6, 12 and 24 residual blocks,
/// and for the RK-Net (ODE-Net, direct) and the ODE-Net (adjoint; checkpointed) at 2, 4 and 8 RK4 steps (NFE 8,
/// 16, 32) — the depth of the computation growing while the parameters stay. Random images: memory and time do
/// not depend on the pixels. Prints the table, writes `table1-memory.svg` into `folder` and returns the rows.
@MainActor
func memoryTable(batchSize: Int, folder: String) throws -> JSONValue {
    var generator = SeededGenerator(seed: 1)
    let images = Tensor<Float>.randomUniform([batchSize, 1, 28, 28], lowerBound: 0, upperBound: 1, using: &generator)
    let labels = (0..<batchSize).map { $0 % 10 }
    func measure(_ network: MNISTNetwork, blocks: Int = 6, steps: Int = 0, gradient: GradientMode = .adjoint())
        throws -> TrainingStepMemory {
        let model = MNISTClassifier<Float>.tableOneModel(network, residualBlocks: blocks, rk4Steps: steps, gradient: gradient)
        _ = try model.measureTrainingStep(images: images, labels: labels, clock: monotonicSeconds)   // warm-up
        return try model.measureTrainingStep(images: images, labels: labels, clock: monotonicSeconds)
    }
    let megabyte = 1_048_576.0
    var rows: [JSONValue] = []
    var figure = Figure(rows: 1, columns: 2, title: "Table 1: memory and time of one gradient computation (batch \(batchSize))")
    print("model                     depth        peak MB   step s   (paper's test error after 160 epochs)")
    let series: [(name: String, paper: String, depths: [Int], run: (Int) throws -> TrainingStepMemory)] = [
        ("ResNet", "0.41%", [6, 12, 24], { try measure(.resNet, blocks: $0) }),
        ("RK-Net (direct)", "0.47%", [2, 4, 8], { try measure(.odeNet, steps: $0, gradient: .direct) }),
        ("ODE-Net (adjoint)", "0.42%", [2, 4, 8], { try measure(.odeNet, steps: $0) }),
        ("ODE-Net (checkpointed)", "—", [2, 4, 8], { try measure(.odeNet, steps: $0, gradient: .checkpointed) }),
    ]
    for entry in series {
        var depths: [Double] = [], megabytes: [Double] = [], seconds: [Double] = []
        for depth in entry.depths {
            let result = try entry.run(depth)
            let label = entry.name == "ResNet" ? "\(depth) blocks" : "NFE \(result.forwardEvaluations)"
            let layers = Double(entry.name == "ResNet" ? depth : result.forwardEvaluations)
            print(entry.name.padding(toLength: 26, withPad: " ", startingAt: 0) + label.padding(toLength: 11, withPad: " ", startingAt: 0)
                  + String(format: "%9.1f %8.2f   ", Double(result.peakBytes) / megabyte, result.seconds) + entry.paper)
            depths.append(layers)
            megabytes.append(Double(result.peakBytes) / megabyte)
            seconds.append(result.seconds)
            rows.append(["model": .string(entry.name), "depth": JSONValue(layers), "peak_bytes": JSONValue(result.peakBytes),
                         "forward_evaluations": JSONValue(result.forwardEvaluations),
                         "backward_evaluations": JSONValue(result.backwardEvaluations), "seconds": JSONValue(result.seconds),
                         "paper_test_error": .string(entry.paper)])
        }
        figure[0, 0].line(x: depths, y: megabytes, label: entry.name)
        figure[0, 1].line(x: depths, y: seconds, label: entry.name)
    }
    figure[0, 0].xLabel = "residual blocks (ResNet) or evaluations of f (ODE blocks)"
    figure[0, 0].yLabel = "peak live tensor MB"
    figure[0, 1].xLabel = figure[0, 0].xLabel
    figure[0, 1].yLabel = "seconds per gradient"
    let path = (folder as NSString).appendingPathComponent("table1-memory.svg")
    try figure.write(to: path)
    print("figure: \(path)")
    return .array(rows)
}
