import Foundation
import ODENet

extension W1 {
    /// W1 on a `Tensor<Double>` state of shape [2], the field in tensor ops ((y³)·A as a matrix product),
    /// nothing recording: what the solver machinery costs on the ODE layer's state type.
    static var tensorProblem: ODEProblem<Tensor<Double>> {
        let a = Tensor<Double>([[-0.1, 2], [-2, -0.1]])
        return ODEProblem(timeSpan: TimeSpan(start: 0, end: 25), initialState: Tensor<Double>([2, 0])) { _, y, dy in
            dy = matmul((y * y * y).reshaped([1, 2]), a).reshaped([2])
        }
    }
}

/// `w1.dopri5.tensor`: issue 16 asks for this figure to be recorded, then cut to a third.
let w1TensorBenchmarks: [Benchmark] = [
    Benchmark(name: "w1.dopri5.tensor") {
        let controller = StepSizeController(relativeTolerance: 1e-7, absoluteTolerance: 1e-9)
        let run = {
            try solve(W1.tensorProblem, using: EmbeddedRungeKutta.dormandPrince54, controller: controller,
                      saveAt: .times(W1.outputTimes))
        }
        let solution = try run()
        let seconds = try medianSeconds(minimumSeconds: 1) { _ = try run() }
        let end = solution.states.last!.scalars
        let error = zip(end, W1.reference).map { abs($0 - $1) }.max()!
        return [BenchmarkResult(name: "w1.dopri5.tensor", value: seconds * 1e3, unit: "ms", extra: [
            "nfe": solution.statistics.functionEvaluations,
            "ns_per_evaluation": seconds * 1e9 / Double(solution.statistics.functionEvaluations),
            "accepted": solution.statistics.acceptedSteps,
            "rejected": solution.statistics.rejectedSteps,
            "max_abs_error": error,
            "outputs": solution.states.count,
        ])]
    },
]
