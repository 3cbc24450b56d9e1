import Autodiff
import Datasets
import ExampleSupport
import ODENet
import Solvers

/// W6: one training iteration of torchdiffeq's examples/cnf.py from its initial state — 512 samples of two
/// circles (noise 0.06, factor 0.5), the hypernetwork CNF (hidden 32, width 64; 15,904 parameters), t = 10 → 0,
/// Dormand–Prince stepped as torchdiffeq's dopri5 at rtol = atol = 1e-5, the exact trace through the library's
/// generic divergence (D vector–Jacobian products per evaluation), −mean log p(x) and its gradient, Float.
/// The parameters stay at their initial values (no optimiser step), so every repetition does the same work.
/// torchdiffeq on this machine (torch 2.13 CPU, one thread, issue 17): 2.8 ms per forward evaluation direct,
/// 2.07 ms per forward-or-backward evaluation adjoint; the targets are 30× faster: ≤ 0.093 ms × NFE-F direct,
/// ≤ 0.069 ms × (NFE-F + NFE-B) adjoint.
enum W6 {
    static func benchmark(_ name: String, _ mode: GradientMode, trace: TraceEstimator = .exact) -> Benchmark {
        Benchmark(name: "w6.cnf.\(name)") {
            var generator = SeededGenerator(seed: 0)
            let field = HyperNetworkDynamics<Float>(stateDimensions: 2, hiddenDimensions: 32, width: 64, using: &generator)
            let block = CNFBlock(field, dimensions: 2, dataTime: 10, baseTime: 0, trace: trace,
                                 stepping: .adaptive(.dormandPrince54Torchdiffeq,
                                                     controller: .torchdiffeq(relativeTolerance: 1e-5, absoluteTolerance: 1e-5)),
                                 gradientMode: mode)
            let flow = ContinuousNormalizingFlow(block, base: .isotropicGaussian(variance: 0.1))
            let x = makeCircles(count: 512, noise: 0.06, factor: 0.5, as: Float.self, using: &generator)
            var loss: Float = 0
            let seconds = try medianSeconds(minimumSeconds: 2, minimumRuns: 5) {
                loss = try valueWithGradient(at: flow) { try flow.logLikelihood(x).mean() * Tensor(-1) }.value.scalar
            }
            let forward = block.statistics.forwardEvaluations, backward = block.statistics.backwardEvaluations
            let perEvaluation = seconds * 1e3 / Double(forward + backward)
            let direct: Bool
            if case .direct = mode { direct = true } else { direct = false }
            let target = direct ? 0.093 * Double(forward) : 0.069 * Double(forward + backward)
            return [BenchmarkResult(name: "w6.cnf.\(name)", value: seconds * 1e3, unit: "ms", extra: [
                "nfe_forward": forward, "nfe_backward": backward, "loss": Double(loss),
                "ms_per_evaluation": perEvaluation, "target_ms": target,
                "torchdiffeq_ms_per_evaluation": direct ? 2.8 : 2.07,
                "speedup_per_evaluation": (direct ? 2.8 : 2.07) / perEvaluation,
            ])]
        }
    }
}

/// The W6 lines: cnf.py's iteration with backpropagation through the solver and with the adjoint, both
/// with the generic exact trace (the targets), and `w6.cnf.closedform`: direct, with the
/// hypernetwork's closed-form trace (one evaluation, no pullbacks; torchdiffeq's cnf.py has no such line).
let w6Benchmarks: [Benchmark] = [W6.benchmark("direct", .direct), W6.benchmark("adjoint", .adjoint()),
                                 W6.benchmark("closedform", .direct, trace: .closedForm)]
