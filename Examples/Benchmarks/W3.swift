import Autodiff
import ODENet
import Solvers

/// W3 (../peers/RESULTS.md): torchdiffeq's ode_demo training loop in Float. One iteration = draw 20
/// start indices from the first 990, build the batch, integrate f(t, y) = Linear(50→2)(tanh(Linear(2→50)(y³)))
/// over t[0..<10] with Dormand–Prince (rtol 1e-7, atol 1e-9), L1 loss, gradient, RMSprop(lr 1e-3) update;
/// the every-20 full-trajectory evaluation is excluded, as in ode_demo's time meter.
///
/// The setup is generated in-process from a seed (weights N(0, 0.1²), zero biases, the true spiral solved
/// in Double), so the benchmark needs no files. The model and data code duplicate the small pieces of
/// Examples/Spirals (a separate executable target that this one cannot import).
enum W3 {
    static let dataSize = 1000, batchSize = 20, batchTime = 10

    /// ode_demo's ODEFunc, with the tanh fused into the first layer.
    final class Dynamics: ODENet.Dynamics {
        typealias Scalar = Float
        let hidden: Linear<Float>, output: Linear<Float>

        init(using generator: inout SeededGenerator) {
            hidden = Linear(weight: Initialization.normal([50, 2], standardDeviation: 0.1, using: &generator),
                            bias: .zeros([50]), activation: .tanh)
            output = Linear(weight: Initialization.normal([2, 50], standardDeviation: 0.1, using: &generator),
                            bias: .zeros([2]))
        }

        func callAsFunction(_ time: Tensor<Float>, _ state: Tensor<Float>) -> Tensor<Float> {
            output(hidden(state.squared() * state))
        }
    }

    /// Times (Float values of linspace(0, 25, 1000)) and the true trajectory, row-major [1000, 2] in Float.
    static func spiral() throws -> (times: [Double], states: [Float]) {
        let times = (0..<dataSize).map { Double(Float(25 * Double($0) / Double(dataSize - 1))) }
        let problem = ODEProblem<[Double]>(timeSpan: TimeSpan(start: 0, end: times.last!), initialState: [2, 0]) {
            _, y, dy in
            let a = y[0] * y[0] * y[0], b = y[1] * y[1] * y[1]
            dy[0] = -0.1 * a - 2 * b
            dy[1] = 2 * a - 0.1 * b
        }
        let solution = try solve(problem, using: EmbeddedRungeKutta.dormandPrince54,
                                 controller: StepSizeController(relativeTolerance: .scalar(1e-7), absoluteTolerance: .scalar(1e-9)),
                                 saveAt: .times(times))
        return (times, solution.states.flatMap { $0.map { Float($0) } })
    }

    static func benchmark(_ name: String, _ mode: GradientMode, iterations: Int = 2000) -> Benchmark {
        Benchmark(name: "w3.\(name)") {
            let (times, states) = try spiral()
            let batchTimes = Array(times[0..<batchTime])
            var generator = SeededGenerator(seed: 0)
            let block = ODEBlock(Dynamics(using: &generator), method: .dormandPrince54Torchdiffeq, relativeTolerance: 1e-7,
                                 absoluteTolerance: 1e-9, gradientMode: mode)
            let optimizer = RMSprop<Float>(learningRate: 1e-3)
            var seconds: [Double] = [], forward: [Double] = [], backward: [Double] = [], lastLoss: Float = 0
            var pool = Array(0..<(dataSize - batchTime))
            for _ in 0..<iterations {
                let start = now()
                for i in 0..<batchSize { pool.swapAt(i, Int.random(in: i..<pool.count, using: &generator)) }
                var initial = [Float](), target = [Float]()
                for s in pool[0..<batchSize] { initial += states[2 * s ..< 2 * s + 2] }
                for i in 0..<batchTime { for s in pool[0..<batchSize] { target += states[2 * (s + i) ..< 2 * (s + i) + 2] } }
                let y0 = Tensor(shape: [batchSize, 2], scalars: initial)
                let y = Tensor(shape: [batchTime, batchSize, 2], scalars: target)
                let (loss, gradients) = try valueWithGradient(at: block) {
                    l1Loss(predictions: try block.trajectory(from: y0, at: batchTimes), targets: y)
                }
                optimizer.update(block, along: gradients)
                seconds.append(now() - start)
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
