import Autodiff
import ExampleSupport
import Foundation

/// Matrix-product throughput in GFLOP/s (2·m·n·k per product), through the public `matmul`.
let gemmBenchmarks: [Benchmark] = [
    gemmBenchmark("sgemm.1024", Float.self, m: 1024, k: 1024, n: 1024),
    gemmBenchmark("sgemm.256", Float.self, m: 256, k: 256, n: 256),
    gemmBenchmark("sgemm.128x784x64", Float.self, m: 128, k: 784, n: 64),
    gemmBenchmark("sgemm.4608x585x64", Float.self, m: 4608, k: 585, n: 64),
    gemmBenchmark("sgemm.21632x1024x64", Float.self, m: 21632, k: 1024, n: 64),
    gemmBenchmark("dgemm.1024", Double.self, m: 1024, k: 1024, n: 1024),
]

/// `[m, k] · [k, n]` with random operands; the name's figures are m×k×n.
func gemmBenchmark<S: TensorScalar>(_ name: String, _: S.Type, m: Int, k: Int, n: Int) -> Benchmark {
    Benchmark(name: name) {
        var generator = SeededGenerator(seed: 42)
        let a = Tensor<S>.randomNormal([m, k], using: &generator)
        let b = Tensor<S>.randomNormal([k, n], using: &generator)
        let (seconds, cpuSeconds) = medianWallAndCPUSeconds(clock: CLOCK_PROCESS_CPUTIME_ID) { _ = matmul(a, b) }
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        return [BenchmarkResult(name: name, value: flops / seconds / 1e9, unit: "GFLOP/s",
                                extra: ["m": m, "k": k, "n": n, "seconds": seconds,
                                        "gflopsPerCPUSecond": flops / cpuSeconds / 1e9])]
    }
}

/// Median wall-clock and CPU seconds per call of `body` (batches of `repetitions` calls). The CPU time
/// (`clock`: this thread by default; the process for threaded work, which then includes the worker's
/// idle spinning) is what to compare on a loaded machine, where wall time includes waiting for a core.
func medianWallAndCPUSeconds(repetitions: Int = 1, clock: clockid_t = CLOCK_THREAD_CPUTIME_ID,
                             minimumSeconds: Double = 0.5, _ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    func cpuNow() -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
    for _ in 0..<repetitions { try body() }
    var walls: [Double] = [], cpus: [Double] = []
    let start = monotonicSeconds()
    while walls.count < 5 || (monotonicSeconds() - start < minimumSeconds && walls.count < 100_000) {
        let (w0, c0) = (monotonicSeconds(), cpuNow())
        for _ in 0..<repetitions { try body() }
        let (w1, c1) = (monotonicSeconds(), cpuNow())
        walls.append((w1 - w0) / Double(repetitions))
        cpus.append((c1 - c0) / Double(repetitions))
    }
    return (walls.sorted()[walls.count / 2], cpus.sorted()[cpus.count / 2])
}
