import Autodiff
import ExampleSupport
import Foundation
import ODENet
import Solvers

// W5 (shared/peers/RESULTS.md): memory against depth. The ode_demo MLP at width 256, batch 256, Float,
// fixed-step 3/8-rule RK4 (torchdiffeq's `rk4`) with N = 10, 100, 1000 steps over [0, 1],
// loss mean(y(1)²). Each setting runs in a fresh process (this executable re-launched with
// `--w5-child MODE N`); `value` is the growth of peak resident memory (VmHWM) over the resident size
// before the step, in MiB.

/// Resident-set figures of this process from /proc/self/status, in KiB.
private func residentKiB(_ field: String) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
    }
    return 0
}

/// The child: one forward + backward of the W5 problem; prints "growthMiB seconds nfeF nfeB loss".
func runW5Child(mode: String, steps: Int) throws {
    var g = SeededGenerator(seed: 0)
    let field = ODEDemoField<Float>(l1Weight: .randomNormal([256, 2], standardDeviation: 0.1, using: &g),
                                    l1Bias: .randomNormal([256], standardDeviation: 0.1, using: &g),
                                    l2Weight: .randomNormal([2, 256], standardDeviation: 0.1, using: &g),
                                    l2Bias: .randomNormal([2], standardDeviation: 0.1, using: &g))
    let y0 = Tensor<Float>.randomUniform([256, 2], lowerBound: -2, upperBound: 2, using: &g)
    let gradientMode: GradientMode = mode == "adjoint" ? .adjoint() : mode == "direct" ? .direct : .checkpointed
    let block = ODEBlock(field, method: .rk38, stepSize: 1.0 / Double(steps), gradientMode: gradientMode)
    let before = residentKiB("VmRSS")
    let start = monotonicSeconds()
    let (loss, _) = try valueWithGradient(at: field) { () throws -> Tensor<Float> in
        let y = try block(y0)
        return (y * y).mean()
    }
    let seconds = monotonicSeconds() - start
    let growth = Double(residentKiB("VmHWM") - before) / 1024
    print(growth, seconds, block.statistics.forwardEvaluations, block.statistics.backwardEvaluations, loss.scalar)
}

private func w5Line(mode: String, steps: Int) throws -> [BenchmarkResult] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
    process.arguments = ["--w5-child", mode, String(steps)]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    process.waitUntilExit()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let fields = output.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    guard process.terminationStatus == 0, fields.count == 5 else {
        throw BenchmarkFailure(message: "w5 child \(mode) \(steps) failed: \(output)")
    }
    return [BenchmarkResult(name: "w5.\(mode).\(steps)", value: Double(fields[0])!, unit: "MiB",
                            extra: ["seconds": Double(fields[1])!, "nfe_forward": Int(fields[2])!,
                                    "nfe_backward": Int(fields[3])!, "loss": Double(fields[4])!])]
}

/// A benchmark that could not run.
struct BenchmarkFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

let w5Benchmarks: [Benchmark] = ["adjoint", "direct", "checkpointed"].flatMap { mode in
    [10, 100, 1000].map { steps in Benchmark(name: "w5.\(mode).\(steps)") { try w5Line(mode: mode, steps: steps) } }
}
