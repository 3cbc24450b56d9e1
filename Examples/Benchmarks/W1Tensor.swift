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
        return try W1.line("dopri5.tensor") {
            let solution = try solve(W1.tensorProblem, using: EmbeddedRungeKutta.dormandPrince54, controller: controller,
                                     saveAt: .times(W1.outputTimes))
            return (solution.statistics, solution.states.last!.scalars, solution.states.count)
        }
    },
]
