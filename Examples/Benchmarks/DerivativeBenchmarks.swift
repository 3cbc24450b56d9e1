import Autodiff

/// Derivatives of derivatives: a Hessian–vector product, a Jacobian–vector product, and the exact and
/// Hutchinson divergences of a CNF-sized field with their parameter gradients. Float, CPU time per call.
let derivativeBenchmarks: [Benchmark] = [
    Benchmark(name: "hvp.mlp") {
        // ode_demo's field f(z) = W2·tanh(W1·z³ + b1) + b2 (2 → 50 → 2), z [20, 2]: ∇²(Σf)·v.
        var generator = SeededGenerator(seed: 7)
        let (w1, b1, w2, b2) = tinyNetwork(using: &generator)
        let z = Tensor<Float>.randomNormal([20, 2], using: &generator)
        let v = Tensor<Float>.randomNormal([20, 2], using: &generator)
        var checksum: Float = 0
        let (seconds, cpuSeconds) = try medianWallAndCPUSeconds(repetitions: 200) {
            let hv = try hessianVectorProduct(at: z, along: v) { z in
                linear(linear(z * z * z, weight: w1, bias: b1, activation: .tanh), weight: w2, bias: b2).sum()
            }
            checksum += hv.scalars[0]
        }
        return [BenchmarkResult(name: "hvp.mlp", value: seconds * 1e6, unit: "µs",
                                extra: ["checksum": Double(checksum), "cpuMicroseconds": cpuSeconds * 1e6])]
    },
    Benchmark(name: "jvp.mlp") {
        // mlp.tiny's network (2 → 50 → 2, batch 20), tangent along its input.
        var generator = SeededGenerator(seed: 7)
        let (w1, b1, w2, b2) = tinyNetwork(using: &generator)
        let x = Tensor<Float>.randomNormal([20, 2], using: &generator)
        let u = Tensor<Float>.randomNormal([20, 2], using: &generator)
        var checksum: Float = 0
        let (seconds, cpuSeconds) = try medianWallAndCPUSeconds(repetitions: 200) {
            let (_, tangent) = try jvp(at: x, along: u) { x in
                linear(linear(x, weight: w1, bias: b1, activation: .tanh), weight: w2, bias: b2)
            }
            checksum += tangent.scalars[0]
        }
        return [BenchmarkResult(name: "jvp.mlp", value: seconds * 1e6, unit: "µs",
                                extra: ["checksum": Double(checksum), "cpuMicroseconds": cpuSeconds * 1e6])]
    },
    Benchmark(name: "divergence.exact.mlp") { try divergenceBenchmark(name: "divergence.exact.mlp", exact: true) },
    Benchmark(name: "divergence.hutchinson.mlp") {
        try divergenceBenchmark(name: "divergence.hutchinson.mlp", exact: false)
    },
]

/// W1 [50, 2], b1 [50], W2 [2, 50], b2 [2], as mlp.tiny draws them.
private func tinyNetwork(using generator: inout SeededGenerator)
    -> (Tensor<Float>, Tensor<Float>, Tensor<Float>, Tensor<Float>) {
    (Tensor<Float>.randomNormal([50, 2], standardDeviation: 0.5, using: &generator),
     Tensor<Float>.randomNormal([50], standardDeviation: 0.1, using: &generator),
     Tensor<Float>.randomNormal([2, 50], standardDeviation: 0.2, using: &generator),
     Tensor<Float>.randomNormal([2], standardDeviation: 0.1, using: &generator))
}

/// A 2 → 64 → 64 → 2 tanh field on a batch of 512 (FFJORD's 2-D toy size): the divergence of every
/// sample and the gradient of its sum with respect to the six parameters.
private func divergenceBenchmark(name: String, exact: Bool) throws -> [BenchmarkResult] {
    var generator = SeededGenerator(seed: 11)
    let shapes: [[Int]] = [[64, 2], [64], [64, 64], [64], [2, 64], [2]]
    let parameters = shapes.map { Tensor<Float>.randomNormal($0, standardDeviation: 0.3, using: &generator) }
    let z = Tensor<Float>.randomNormal([512, 2], using: &generator)
    let noise: Tensor<Float> = HutchinsonNoise.rademacher.sample([512, 2], using: &generator)
    var checksum: Float = 0
    let (seconds, cpuSeconds) = try medianWallAndCPUSeconds(repetitions: 20) {
        let (value, gradients) = try valueWithGradient(at: parameters) { p in
            let field: (Tensor<Float>) -> Tensor<Float> = { z in
                let h1 = linear(z, weight: p[0], bias: p[1], activation: .tanh)
                let h2 = linear(h1, weight: p[2], bias: p[3], activation: .tanh)
                return linear(h2, weight: p[4], bias: p[5])
            }
            let divergence = exact ? try valueWithDivergence(at: z, of: field).divergence
                                   : try valueWithDivergenceEstimate(at: z, noise: noise, of: field).divergence
            return divergence.sum()
        }
        checksum += value.scalars[0] + gradients[0].scalars[0]
    }
    return [BenchmarkResult(name: name, value: seconds * 1e3, unit: "ms",
                            extra: ["checksum": Double(checksum), "cpuMilliseconds": cpuSeconds * 1e3])]
}
