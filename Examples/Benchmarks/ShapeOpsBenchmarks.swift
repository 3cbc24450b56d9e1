import Autodiff
import Foundation

// Linear combination (the RK stage combination), reductions, softmax, cross-entropy and transpose.
// Figures: microseconds per call and, for the memory-bound ones, GB/s of tensor traffic.

private func normal(_ shape: [Int], _ seed: UInt64) -> Tensor<Float> {
    var generator = SeededGenerator(seed: seed)
    return Tensor<Float>.randomNormal(shape, using: &generator)
}

/// Median thread CPU seconds per call over 9 batches of `repetitions` calls. On a shared, loaded
/// machine this excludes the time the thread waits for a core, which wall-clock medians of long batches
/// do not (reported as `cpu_us` next to the harness's wall-clock value).
private func cpuSeconds(repetitions: Int, _ body: () throws -> Void) rethrows -> Double {
    func threadTime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
    try body()
    var samples: [Double] = []
    for _ in 0..<9 {
        let t0 = threadTime()
        for _ in 0..<repetitions { try body() }
        samples.append((threadTime() - t0) / Double(repetitions))
    }
    return samples.sorted()[samples.count / 2]
}

/// Dopri5's last stage: y + h·Σ b_j k_j with six terms, fused vs composed from `*` and `+`, and in place.
private func linearCombinationBenchmarks(count: Int) -> [BenchmarkResult] {
    let y = normal([count], 1)
    let k = (0..<6).map { normal([count], UInt64(2 + $0)) }
    let b: [Double] = [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84]
    let c = b.map { $0 * 0.01 }
    let used = c.filter { $0 != 0 }.count
    let reads = Double((1 + used) * count * 4), writes = Double(count * 4)
    let reps = Swift.max(1, 200_000 / count)
    let fused = medianSeconds(repetitions: reps) { _ = linearCombination(base: y, coefficients: c, terms: k) }
    let composed = medianSeconds(repetitions: reps) {
        var acc = y
        for j in 0..<6 where c[j] != 0 { acc = acc + k[j] * Float(c[j]) }
        _ = acc
    }
    var scratch = Tensor<Float>.zeros([count])
    let inPlace = medianSeconds(repetitions: reps) { scratch.formLinearCombination(base: y, coefficients: c, terms: k) }
    let fusedCPU = cpuSeconds(repetitions: reps) { _ = linearCombination(base: y, coefficients: c, terms: k) }
    let composedCPU = cpuSeconds(repetitions: reps) {
        var acc = y
        for j in 0..<6 where c[j] != 0 { acc = acc + k[j] * Float(c[j]) }
        _ = acc
    }
    let inPlaceCPU = cpuSeconds(repetitions: reps) { scratch.formLinearCombination(base: y, coefficients: c, terms: k) }
    return [
        BenchmarkResult(name: "lincomb.fused.\(count)", value: fused * 1e6, unit: "us",
                        extra: ["GBps": (reads + writes) / fused / 1e9, "composed_us": composed * 1e6,
                                "cpu_us": fusedCPU * 1e6, "composed_cpu_us": composedCPU * 1e6,
                                "speedup_vs_composed_cpu": composedCPU / fusedCPU]),
        BenchmarkResult(name: "lincomb.inplace.\(count)", value: inPlace * 1e6, unit: "us",
                        extra: ["GBps": (reads + writes) / inPlace / 1e9, "cpu_us": inPlaceCPU * 1e6]),
    ]
}

private func reductionBenchmarks() throws -> [BenchmarkResult] {
    let x = normal([128, 784], 10)
    let bytes = Double(x.scalarCount * 4)
    let last = medianSeconds(repetitions: 20) { _ = x.sum(axis: -1) }
    let first = medianSeconds(repetitions: 20) { _ = x.sum(axis: 0) }
    let maximum = medianSeconds(repetitions: 20) { _ = x.max(axis: -1) }
    let transpose = medianSeconds(repetitions: 20) { _ = x.transposed() }
    func cpu(_ body: () throws -> Void) rethrows -> Double { try cpuSeconds(repetitions: 20, body) * 1e6 }
    return [
        BenchmarkResult(name: "reduce.sum.lastAxis.128x784", value: last * 1e6, unit: "us",
                        extra: ["GBps": bytes / last / 1e9, "cpu_us": cpu { _ = x.sum(axis: -1) }]),
        BenchmarkResult(name: "reduce.sum.firstAxis.128x784", value: first * 1e6, unit: "us",
                        extra: ["GBps": bytes / first / 1e9, "cpu_us": cpu { _ = x.sum(axis: 0) }]),
        BenchmarkResult(name: "reduce.max.lastAxis.128x784", value: maximum * 1e6, unit: "us",
                        extra: ["GBps": bytes / maximum / 1e9, "cpu_us": cpu { _ = x.max(axis: -1) }]),
        BenchmarkResult(name: "transpose.128x784", value: transpose * 1e6, unit: "us",
                        extra: ["GBps": 2 * bytes / transpose / 1e9, "cpu_us": cpu { _ = x.transposed() }]),
    ]
}

private func softmaxBenchmarks() throws -> [BenchmarkResult] {
    let logits = normal([128, 10], 20)
    let labels = (0..<128).map { $0 % 10 }
    let wide = normal([128, 1000], 21)
    let small = medianSeconds(repetitions: 100) { _ = softmax(logits) }
    let large = medianSeconds(repetitions: 5) { _ = logSoftmax(wide) }
    let loss = try medianSeconds(repetitions: 100) {
        _ = try valueWithGradient(at: logits) { crossEntropy(logits: $0, labels: labels) }
    }
    let largeCPU = cpuSeconds(repetitions: 5) { _ = logSoftmax(wide) }
    return [
        BenchmarkResult(name: "softmax.128x10", value: small * 1e6, unit: "us",
                        extra: ["cpu_us": cpuSeconds(repetitions: 100) { _ = softmax(logits) } * 1e6]),
        BenchmarkResult(name: "softmax.log.128x1000", value: large * 1e6, unit: "us",
                        extra: ["cpu_us": largeCPU * 1e6, "cpu_ns_per_element": largeCPU * 1e9 / 128_000]),
        BenchmarkResult(name: "softmax.crossEntropy.valueWithGradient.128x10", value: loss * 1e6, unit: "us",
                        extra: ["cpu_us": try cpuSeconds(repetitions: 100) {
                            _ = try valueWithGradient(at: logits) { crossEntropy(logits: $0, labels: labels) }
                        } * 1e6]),
    ]
}

/// The shape/reduction/softmax/loss/linear-combination benchmarks.
let shapeOpsBenchmarks: [Benchmark] = [
    Benchmark(name: "lincomb") {
        linearCombinationBenchmarks(count: 40) + linearCombinationBenchmarks(count: 1000)
            + linearCombinationBenchmarks(count: 8192) + linearCombinationBenchmarks(count: 1 << 20)
    },
    Benchmark(name: "reduce") { try reductionBenchmarks() },
    Benchmark(name: "softmax") { try softmaxBenchmarks() },
]
