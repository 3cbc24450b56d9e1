import Autodiff

/// The MNIST ODE-Net's convolution-side hot spots at batch 128 (Float), in ms per call:
/// the dynamics' ConcatConv (time channel + 64 channels → 64, 3×3, pad 1, on 6×6 maps), the two 4×4
/// stride-2 downsampling convolutions, the first 1→64 convolution on the 28×28 images, and group
/// normalisation at [128, 64, 6, 6] with 32 groups. Forward + backward means the value and the pullback
/// of one cotangent, with every gradient the network needs.
let convBenchmarks: [Benchmark] = [
    Benchmark(name: "conv2d.b128c65") {
        [try convolutionResult("conv2d.b128c65", input: [128, 65, 6, 6], weight: [64, 65, 3, 3], stride: 1, padding: 1,
                           needsInputGradient: true)]
    },
    Benchmark(name: "conv2d.b128.down") {
        [try convolutionResult("conv2d.b128.down.13to6", input: [128, 64, 13, 13], weight: [64, 64, 4, 4], stride: 2,
                           padding: 1, needsInputGradient: true),
         try convolutionResult("conv2d.b128.down.26to13", input: [128, 64, 26, 26], weight: [64, 64, 4, 4], stride: 2,
                           padding: 1, needsInputGradient: true)]
    },
    Benchmark(name: "conv2d.b128.first") {
        [try convolutionResult("conv2d.b128.first", input: [128, 1, 28, 28], weight: [64, 1, 3, 3], stride: 1, padding: 0,
                           needsInputGradient: false)]
    },
    Benchmark(name: "groupnorm.b128c64") {
        var generator = SeededGenerator(seed: 5)
        let x = Tensor<Float>.randomNormal([128, 64, 6, 6], using: &generator)
        let gamma = Tensor<Float>.randomNormal([64], using: &generator)
        let beta = Tensor<Float>.randomNormal([64], using: &generator)
        let cotangent = Tensor<Float>.randomNormal([128, 64, 6, 6], using: &generator)
        let forward = medianSeconds { _ = groupNorm(x, groups: 32, weight: gamma, bias: beta) }
        let both = try medianSeconds {
            let (_, pullback) = try valueWithPullback(at: [x, gamma, beta]) { xs in
                groupNorm(xs[0], groups: 32, weight: xs[1], bias: xs[2])
            }
            _ = try pullback(cotangent)
        }
        return [BenchmarkResult(name: "groupnorm.b128c64", value: both * 1e3, unit: "ms",
                                extra: ["forward_ms": forward * 1e3, "backward_ms": (both - forward) * 1e3,
                                        "shape": [128, 64, 6, 6], "groups": 32])]
    },
]

/// Times `conv2d` forward alone (nothing recorded) and forward + backward (the input gradient only
/// when `needsInputGradient`; the weight and bias gradients always).
func convolutionResult(_ name: String, input: [Int], weight: [Int], stride: Int, padding: Int,
                       needsInputGradient: Bool) throws -> BenchmarkResult {
    var generator = SeededGenerator(seed: 42)
    let x = Tensor<Float>.randomNormal(input, using: &generator)
    let w = Tensor<Float>.randomNormal(weight, standardDeviation: 0.05, using: &generator)
    let b = Tensor<Float>.randomNormal([weight[0]], using: &generator)
    let y = conv2d(x, weight: w, bias: b, stride: stride, padding: padding)
    let cotangent = Tensor<Float>.randomNormal(y.shape, using: &generator)
    let forward = medianSeconds { _ = conv2d(x, weight: w, bias: b, stride: stride, padding: padding) }
    let both = try medianSeconds {
        if needsInputGradient {
            let (_, pullback) = try valueWithPullback(at: [x, w, b]) { xs in
                conv2d(xs[0], weight: xs[1], bias: xs[2], stride: stride, padding: padding)
            }
            _ = try pullback(cotangent)
        } else {
            let (_, pullback) = try valueWithPullback(at: [w, b]) { ps in
                conv2d(x, weight: ps[0], bias: ps[1], stride: stride, padding: padding)
            }
            _ = try pullback(cotangent)
        }
    }
    // GEMM work: M = N·OH·OW rows, K = C·kh·kw, O outputs; forward 2MKO, each gradient another 2MKO.
    let rows = y.shape[0] * y.shape[2] * y.shape[3], patch = weight[1] * weight[2] * weight[3]
    let gemmFlops = 2.0 * Double(rows * patch * weight[0]) * (needsInputGradient ? 3 : 2)
    return BenchmarkResult(name: name, value: both * 1e3, unit: "ms",
                           extra: ["forward_ms": forward * 1e3, "backward_ms": (both - forward) * 1e3,
                                   "gemm_gflop": gemmFlops / 1e9, "input": input, "weight": weight,
                                   "stride": stride, "padding": padding])
}
