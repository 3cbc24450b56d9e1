import Autodiff

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
        let seconds = medianSeconds(minimumSeconds: 1) { _ = matmul(a, b) }
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        return [BenchmarkResult(name: name, value: flops / seconds / 1e9, unit: "GFLOP/s",
                                extra: ["m": m, "k": k, "n": n, "seconds": seconds])]
    }
}
