import Autodiff
import Foundation

/// Element-wise ops on 4096 elements, in ns per element: the SIMD polynomial kernels through the
/// public tensor ops (including the output allocation), next to Glibc's scalar functions in a loop.
/// Samples are short (10 calls, tens of µs) so that the median skips those a busy machine preempts.
let elementwiseBenchmarks: [Benchmark] = [
    elementwiseBenchmark("elementwise.tanh.f32") { (x: Tensor<Float>) in tanh(x) },
    glibcBenchmark("elementwise.tanh.glibc", Foundation.tanhf),
    elementwiseBenchmark("elementwise.exp.f32") { (x: Tensor<Float>) in exp(x) },
    glibcBenchmark("elementwise.exp.glibc", Foundation.expf),
    elementwiseBenchmark("elementwise.log.f32", low: 0.01, high: 100) { (x: Tensor<Float>) in log(x) },
    elementwiseBenchmark("elementwise.sigmoid.f32") { (x: Tensor<Float>) in sigmoid(x) },
    elementwiseBenchmark("elementwise.softplus.f32") { (x: Tensor<Float>) in softplus(x) },
    elementwiseBenchmark("elementwise.sin.f32") { (x: Tensor<Float>) in sin(x) },
    elementwiseBenchmark("elementwise.tanh.f64") { (x: Tensor<Double>) in tanh(x) },
    elementwiseBenchmark("elementwise.exp.f64") { (x: Tensor<Double>) in exp(x) },
    elementwiseBenchmark("elementwise.sin.f64") { (x: Tensor<Double>) in sin(x) },
    Benchmark(name: "elementwise.tanh.backward.f32") {
        // Forward and backward of tanh through the tape (one entry, fused g·(1 − y²) pullback).
        let x = elementwiseInput(Float.self, low: -5, high: 5)
        let ones = Tensor<Float>.ones(x.shape)
        let seconds = try medianSeconds(repetitions: 5) {
            let (_, pullback) = try valueWithPullback(at: [x]) { tanh($0[0]) }
            _ = try pullback(ones)
        }
        return [BenchmarkResult(name: "elementwise.tanh.backward.f32", value: seconds * 1e9 / 4096, unit: "ns/element",
                                extra: ["count": 4096, "includes": "forward, tape, pullback"])]
    },
]

/// 4096 evenly spaced values in [low, high].
func elementwiseInput<S: TensorScalar>(_: S.Type, low: Double, high: Double) -> Tensor<S> {
    Tensor((0..<4096).map { S(low + (high - low) * Double($0) / 4095) })
}

/// Times `op` on 4096 elements spread over [low, high].
func elementwiseBenchmark<S: TensorScalar>(_ name: String, low: Double = -5, high: Double = 5,
                                           _ op: @escaping @Sendable (Tensor<S>) -> Tensor<S>) -> Benchmark {
    Benchmark(name: name) {
        let x = elementwiseInput(S.self, low: low, high: high)
        let seconds = medianSeconds(repetitions: 10) { _ = op(x) }
        return [BenchmarkResult(name: name, value: seconds * 1e9 / 4096, unit: "ns/element", extra: ["count": 4096])]
    }
}

/// Times a scalar Glibc function applied in a loop to 4096 floats in [−5, 5].
func glibcBenchmark(_ name: String, _ f: @escaping @Sendable (Float) -> Float) -> Benchmark {
    Benchmark(name: name) {
        let x = (0..<4096).map { Float(-5 + 10 * Double($0) / 4095) }
        var y = [Float](repeating: 0, count: 4096)
        let seconds = medianSeconds(repetitions: 10) {
            x.withUnsafeBufferPointer { source in
                y.withUnsafeMutableBufferPointer { out in
                    for i in 0..<source.count { out[i] = f(source[i]) }
                }
            }
        }
        return [BenchmarkResult(name: name, value: seconds * 1e9 / 4096, unit: "ns/element", extra: ["count": 4096])]
    }
}
