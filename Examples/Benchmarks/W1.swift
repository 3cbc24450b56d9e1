import Foundation
import Solvers

/// W1 (../peers/RESULTS.md): the spiral dy/dt = (y³)·A, A = [[-0.1, 2], [-2, -0.1]], y0 = [2, 0],
/// 1000 output times on [0, 25], rtol 1e-7, atol 1e-9, RMS norm, Double.
enum W1 {
    /// SciPy DOP853 at rtol 1e-13, atol 1e-15 (RESULTS.md).
    static let reference: [Double] = [-0.443623486699, 0.279440641619]

    /// The problem (built on each use: `ODEProblem` holds a closure and is not `Sendable`).
    static var problem: ODEProblem<[Double]> {
        ODEProblem<[Double]>(timeSpan: TimeSpan(start: 0, end: 25), initialState: [2, 0]) { _, y, dy in
            let a = y[0] * y[0] * y[0]
            let b = y[1] * y[1] * y[1]
            dy[0] = -0.1 * a - 2 * b
            dy[1] = 2 * a - 0.1 * b
        }
    }

    static let outputTimes: [Double] = (0..<1000).map { 25 * Double($0) / 999 }

    static func solveW1<M: AdaptiveRungeKuttaMethod>(_ method: M, rtol: Double = 1e-7, atol: Double = 1e-9,
                                                     controller: StepSizeController? = nil,
                                                     saveAt: SaveAt = .times(outputTimes)) throws -> ODESolution<[Double]> {
        try solve(problem, using: method,
                  controller: controller ?? StepSizeController(relativeTolerance: .scalar(rtol), absoluteTolerance: .scalar(atol)),
                  saveAt: saveAt)
    }

    /// A W1 line; `controller` replaces the default controller (rtol 1e-7, atol 1e-9).
    static func benchmark<M: AdaptiveRungeKuttaMethod>(_ name: String, _ method: M,
                                                       controller: StepSizeController? = nil) -> Benchmark {
        Benchmark(name: "w1.\(name)") {
            try line(name) {
                let solution = try solveW1(method, controller: controller)
                return (solution.statistics, solution.states.last!, solution.states.count)
            }
        }
    }

    /// A W1 line from `run`, which solves once and returns the statistics, the end state and the output
    /// count: the solve's time (median over at least 1 s, or the mean of `$W1_SOLVES` solves for profilers
    /// such as callgrind), evaluations, time per evaluation and the end-state error.
    static func line(_ name: String, _ run: () throws -> (SolverStatistics, [Double], Int)) throws -> [BenchmarkResult] {
        let (statistics, end, outputs) = try run()
        let seconds: Double
        if let count = ProcessInfo.processInfo.environment["W1_SOLVES"].flatMap(Int.init), count > 0 {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<count { _ = try run() }
            seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 / Double(count)
        } else {
            seconds = try medianSeconds(minimumSeconds: 1) { _ = try run() }
        }
        let error = zip(end, reference).map { abs($0 - $1) }.max()!
        return [BenchmarkResult(name: "w1.\(name)", value: seconds * 1e3, unit: "ms", extra: [
            "nfe": statistics.functionEvaluations,
            "ns_per_evaluation": seconds * 1e9 / Double(statistics.functionEvaluations),
            "accepted": statistics.acceptedSteps,
            "rejected": statistics.rejectedSteps,
            "y_end": end,
            "max_abs_error": error,
            "outputs": outputs,
        ])]
    }
}

extension W1 {
    /// W1 on a `SIMD2<Double>` state: the same field and outputs, every stage and output in registers.
    static var simdProblem: ODEProblem<SIMD2<Double>> {
        ODEProblem(timeSpan: TimeSpan(start: 0, end: 25), initialState: SIMD2(2, 0)) { _, y, dy in
            let cubes = y * y * y
            dy = SIMD2(-0.1 * cubes.x - 2 * cubes.y, 2 * cubes.x - 0.1 * cubes.y)
        }
    }

    /// A W1 line on the SIMD state.
    static func simdBenchmark<M: AdaptiveRungeKuttaMethod>(_ name: String, _ method: M) -> Benchmark {
        Benchmark(name: "w1.\(name)") {
            let controller = StepSizeController(relativeTolerance: 1e-7, absoluteTolerance: 1e-9)
            return try line(name) {
                let solution = try solve(simdProblem, using: method, controller: controller, saveAt: .times(outputTimes))
                let end = solution.states.last!
                return (solution.statistics, [end.x, end.y], solution.states.count)
            }
        }
    }
}

/// The W1 lines: Dormand–Prince 5(4), Tsitouras 5(4), DOP853; Dormand–Prince on a `SIMD2<Double>` state.
let w1Benchmarks: [Benchmark] = [
    W1.simdBenchmark("dopri5.simd", EmbeddedRungeKutta.dormandPrince54),
    W1.benchmark("dopri5", .dormandPrince54),
    W1.benchmark("dopri5_torchdiffeq", .dormandPrince54Torchdiffeq, controller: .torchdiffeq()),  // torchdiffeq's dopri5, stepped as torchdiffeq
    W1.benchmark("tsit5", .tsitouras54),
    W1.benchmark("dop853", .dormandPrince853),
]
