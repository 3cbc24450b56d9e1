import Autodiff
import ExampleSupport
import ODENet
import Solvers

/// W3 (../peers/RESULTS.md): torchdiffeq's ode_demo training loop in Float. One iteration = draw 20
/// start indices from the first 990, build the batch, integrate f(t, y) = Linear(50→2)(tanh(Linear(2→50)(y³)))
/// over t[0..<10] with Dormand–Prince (rtol 1e-7, atol 1e-9), L1 loss, gradient, RMSprop(lr 1e-3) update;
/// the every-20 full-trajectory evaluation is excluded, as in ode_demo's time meter.
///
/// The setup is generated in-process from a seed (the spirals example's model and data, ExampleSupport's
/// `SpiralODEFunc` and `SpiralData`: weights N(0, 0.1²), zero biases, the true spiral solved in Double), so
/// the benchmark needs no files.
enum W3 {
    static let dataSize = 1000, batchSize = 20, batchTime = 10

    static func benchmark(_ name: String, _ mode: GradientMode, iterations: Int = 2000) -> Benchmark {
        Benchmark(name: "w3.\(name)") {
            let data = try SpiralData.generate(count: dataSize)
            let batchTimes = Array(data.times[0..<batchTime])
            var generator = SeededGenerator(seed: 0)
            let block = ODEBlock(SpiralODEFunc(using: &generator), method: .dormandPrince54Torchdiffeq, relativeTolerance: 1e-7,
                                 absoluteTolerance: 1e-9, gradientMode: mode)
            let optimizer = RMSprop<Float>(learningRate: 1e-3)
            var seconds: [Double] = [], forward: [Double] = [], backward: [Double] = [], lastLoss: Float = 0
            var pool = Array(0..<(dataSize - batchTime))
            for _ in 0..<iterations {
                let start = monotonicSeconds()
                for i in 0..<batchSize { pool.swapAt(i, Int.random(in: i..<pool.count, using: &generator)) }
                let (y0, y) = data.batch(starts: Array(pool[0..<batchSize]), length: batchTime)
                let (loss, gradients) = try valueWithGradient(at: block) {
                    l1Loss(predictions: try block.trajectory(from: y0, at: batchTimes), targets: y)
                }
                optimizer.update(block, along: gradients)
                seconds.append(monotonicSeconds() - start)
                forward.append(Double(block.statistics.forwardEvaluations))
                backward.append(Double(block.statistics.backwardEvaluations))
                lastLoss = loss.scalars[0]
            }
            let sorted = seconds.sorted()
            func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }
            return [BenchmarkResult(name: "w3.\(name)", value: sorted[sorted.count / 2] * 1e3, unit: "ms", extra: [
                "iterations": iterations,
                "mean_ms": mean(seconds) * 1e3,
                "min_ms": sorted.first! * 1e3,
                "total_s": seconds.reduce(0, +),
                "nfe_forward": mean(forward),
                "nfe_backward": mean(backward),
                "final_batch_loss": Double(lastLoss),
            ])]
        }
    }
}

/// The W3 lines: ms per ode_demo training iteration, backprop through the solver and adjoint.
let w3Benchmarks: [Benchmark] = [
    W3.benchmark("direct", .direct),
    W3.benchmark("adjoint", .adjoint()),
]
