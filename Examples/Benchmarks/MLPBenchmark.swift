import Autodiff

/// The tiny Neural-ODE vector field: forward and backward through the fused `linear` op.
/// `value` is wall-clock µs per forward + backward; `cpuMicroseconds` is this thread's CPU time (the
/// figure to compare on a loaded machine).
let mlpBenchmarks: [Benchmark] = [
    Benchmark(name: "mlp.tiny") {
        // linear(tanh(linear(x))) 2 → 50 → 2, batch 20, Float; gradient of Σ outputs with respect to
        // the four parameters W1[50,2], b1[50], W2[2,50], b2[2] (the pullback of a cotangent of ones).
        var generator = SeededGenerator(seed: 7)
        let x = Tensor<Float>.randomNormal([20, 2], using: &generator)
        let parameters = [Tensor<Float>.randomNormal([50, 2], standardDeviation: 0.5, using: &generator),
                          Tensor<Float>.randomNormal([50], standardDeviation: 0.1, using: &generator),
                          Tensor<Float>.randomNormal([2, 50], standardDeviation: 0.2, using: &generator),
                          Tensor<Float>.randomNormal([2], standardDeviation: 0.1, using: &generator)]
        let ones = Tensor<Float>.ones([20, 2])
        var loss: Float = 0
        let (seconds, cpuSeconds) = try medianWallAndCPUSeconds(repetitions: 200) {
            let (value, pullback) = try valueWithPullback(at: parameters) { p in
                let hidden = linear(x, weight: p[0], bias: p[1], activation: .tanh)
                return linear(hidden, weight: p[2], bias: p[3])
            }
            loss = try pullback(ones)[3].scalar(at: 0) + value.scalar(at: 0)
        }
        // The same forward pass with nothing recording: what the two fused ops cost by themselves.
        let (_, forwardSeconds) = medianWallAndCPUSeconds(repetitions: 1000) {
            let hidden = linear(x, weight: parameters[0], bias: parameters[1], activation: .tanh)
            loss += linear(hidden, weight: parameters[2], bias: parameters[3]).scalar(at: 0)
        }
        return [BenchmarkResult(name: "mlp.tiny", value: seconds * 1e6, unit: "µs",
                                extra: ["checksum": Double(loss), "cpuMicroseconds": cpuSeconds * 1e6,
                                        "forwardOnlyCPUMicroseconds": forwardSeconds * 1e6])]
    },
]

private extension Tensor {
    /// One element by flat index, without building an array.
    func scalar(at index: Int) -> Scalar { withUnsafeBufferPointer { $0[index] } }
}
