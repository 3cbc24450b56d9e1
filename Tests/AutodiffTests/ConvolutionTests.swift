import XCTest
@testable import Autodiff

/// One convolution configuration: input [N, C, H, W], weight [O, C, kh, kw].
private struct ConvolutionCase {
    var batch, channels, height, width, outputs, kernelHeight, kernelWidth: Int
    var stride: (Int, Int), padding: (Int, Int), hasBias: Bool
}

private let forwardCases: [ConvolutionCase] = [
    .init(batch: 1, channels: 1, height: 5, width: 5, outputs: 1, kernelHeight: 3, kernelWidth: 3, stride: (1, 1), padding: (0, 0), hasBias: false),
    .init(batch: 3, channels: 2, height: 6, width: 6, outputs: 4, kernelHeight: 3, kernelWidth: 3, stride: (1, 1), padding: (1, 1), hasBias: true),
    .init(batch: 3, channels: 3, height: 7, width: 5, outputs: 2, kernelHeight: 3, kernelWidth: 3, stride: (2, 2), padding: (1, 1), hasBias: true),
    .init(batch: 1, channels: 4, height: 5, width: 6, outputs: 3, kernelHeight: 1, kernelWidth: 1, stride: (1, 1), padding: (0, 0), hasBias: true),
    .init(batch: 3, channels: 2, height: 8, width: 7, outputs: 5, kernelHeight: 4, kernelWidth: 4, stride: (2, 2), padding: (1, 1), hasBias: false),
    .init(batch: 1, channels: 1, height: 9, width: 4, outputs: 2, kernelHeight: 2, kernelWidth: 3, stride: (3, 1), padding: (0, 2), hasBias: true),
    .init(batch: 3, channels: 5, height: 13, width: 13, outputs: 6, kernelHeight: 4, kernelWidth: 4, stride: (2, 2), padding: (1, 1), hasBias: true),
    .init(batch: 1, channels: 2, height: 3, width: 3, outputs: 2, kernelHeight: 1, kernelWidth: 1, stride: (1, 1), padding: (2, 1), hasBias: false),
]

/// The convolution written as seven nested loops, in Double.
private func directConvolution(_ x: [Double], _ w: [Double], _ b: [Double]?, _ c: ConvolutionCase) -> [Double] {
    let oh = (c.height + 2 * c.padding.0 - c.kernelHeight) / c.stride.0 + 1
    let ow = (c.width + 2 * c.padding.1 - c.kernelWidth) / c.stride.1 + 1
    var out = [Double](repeating: 0, count: c.batch * c.outputs * oh * ow)
    for n in 0..<c.batch {
        for o in 0..<c.outputs {
            for y in 0..<oh {
                for xo in 0..<ow {
                    var total = b?[o] ?? 0
                    for ch in 0..<c.channels {
                        for i in 0..<c.kernelHeight {
                            for j in 0..<c.kernelWidth {
                                let iy = y * c.stride.0 - c.padding.0 + i, ix = xo * c.stride.1 - c.padding.1 + j
                                guard iy >= 0, iy < c.height, ix >= 0, ix < c.width else { continue }
                                total += x[((n * c.channels + ch) * c.height + iy) * c.width + ix]
                                    * w[((o * c.channels + ch) * c.kernelHeight + i) * c.kernelWidth + j]
                            }
                        }
                    }
                    out[((n * c.outputs + o) * oh + y) * ow + xo] = total
                }
            }
        }
    }
    return out
}

/// Appends a constant channel of value `time` to NCHW images: [N, C, H, W] → [N, C+1, H, W], recorded
/// (the pullback drops the time channel), so that the test does not depend on the concatenation op.
func appendingTimeChannel<S: TensorScalar>(_ x: Tensor<S>, time: S) -> Tensor<S> {
    let (n, c, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
    var scalars: [S] = []
    let xs = x.scalars
    for image in 0..<n {
        let start: Int = image * c * plane
        scalars += xs[start..<(start + c * plane)]
        scalars += [S](repeating: time, count: plane)
    }
    let value = Tensor(shape: [n, c + 1, x.shape[2], x.shape[3]], scalars: scalars)
    return Tensor.record(value, input: x) { g in
        let gs = g.scalars
        var back: [S] = []
        for image in 0..<n {
            let start: Int = image * (c + 1) * plane
            back += gs[start..<(start + c * plane)]
        }
        return Tensor(shape: x.shape, scalars: back)
    }
}

final class ConvolutionTests: XCTestCase {
    func checkForwardMatchesDirectLoops<S: TensorScalar>(_: S.Type, tolerance: Double) {
        var generator = SeededGenerator(seed: 42)
        for c in forwardCases {
            let x = Tensor<S>.randomNormal([c.batch, c.channels, c.height, c.width], using: &generator)
            let w = Tensor<S>.randomNormal([c.outputs, c.channels, c.kernelHeight, c.kernelWidth], using: &generator)
            let b = c.hasBias ? Tensor<S>.randomNormal([c.outputs], using: &generator) : nil
            let y = conv2d(x, weight: w, bias: b, strides: c.stride, padding: c.padding)
            let expected = directConvolution(x.scalars.map(Double.init), w.scalars.map(Double.init),
                                             b?.scalars.map(Double.init), c)
            let oh = (c.height + 2 * c.padding.0 - c.kernelHeight) / c.stride.0 + 1
            let ow = (c.width + 2 * c.padding.1 - c.kernelWidth) / c.stride.1 + 1
            XCTAssertEqual(y.shape, [c.batch, c.outputs, oh, ow], "case \(c)")
            let worst = zip(y.scalars, expected).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, tolerance, "case \(c)")
        }
    }

    func testConv2dForwardMatchesDirectLoopsFloat() { checkForwardMatchesDirectLoops(Float.self, tolerance: 1e-5) }
    func testConv2dForwardMatchesDirectLoopsDouble() { checkForwardMatchesDirectLoops(Double.self, tolerance: 1e-13) }

    func testSquareStrideAndPaddingOverloadEqualsPerAxisOverload() {
        var generator = SeededGenerator(seed: 1)
        let x = Tensor<Float>.randomNormal([2, 3, 9, 9], using: &generator)
        let w = Tensor<Float>.randomNormal([4, 3, 4, 4], using: &generator)
        XCTAssertEqual(conv2d(x, weight: w, stride: 2, padding: 1).scalars,
                       conv2d(x, weight: w, strides: (2, 2), padding: (1, 1)).scalars)
    }

    func testConv2dGradientsMatchFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 7)
        for c in forwardCases.prefix(6) + [ConvolutionCase(batch: 2, channels: 3, height: 5, width: 5, outputs: 4,
                                                          kernelHeight: 3, kernelWidth: 3, stride: (1, 1),
                                                          padding: (1, 1), hasBias: true)] {
            var inputs = [Tensor<Double>.randomNormal([c.batch, c.channels, c.height, c.width], using: &generator),
                          Tensor<Double>.randomNormal([c.outputs, c.channels, c.kernelHeight, c.kernelWidth], using: &generator)]
            if c.hasBias { inputs.append(Tensor<Double>.randomNormal([c.outputs], using: &generator)) }
            // conv2d is linear in each input, so central differences have no truncation error and a large
            // step keeps the rounding error of vᵀf (|vᵀf| ≈ 10–100) far below the directional derivative.
            let report = try checkGradients(at: inputs, stepSize: 1e-3, randomDirections: 8) { xs in
                conv2d(xs[0], weight: xs[1], bias: xs.count > 2 ? xs[2] : nil, strides: c.stride, padding: c.padding)
            }
            XCTAssertLessThanOrEqual(report.maxRelativeError, 1e-6, "case \(c): \(report)")
        }
    }

    func testWeightGradientWithConstantInputMatchesFiniteDifferences() throws {
        // The input is not differentiated (a first layer on data): only weight and bias get cotangents.
        var generator = SeededGenerator(seed: 8)
        let x = Tensor<Double>.randomNormal([3, 1, 7, 7], using: &generator)
        let w = Tensor<Double>.randomNormal([4, 1, 3, 3], using: &generator)
        let b = Tensor<Double>.randomNormal([4], using: &generator)
        let report = try checkGradients(at: [w, b], stepSize: 1e-3) { ps in conv2d(x, weight: ps[0], bias: ps[1], stride: 1, padding: 1) }
        XCTAssertLessThanOrEqual(report.maxRelativeError, 1e-6, "\(report)")
    }

    func testInputUsedTwiceAccumulatesBothGradients() throws {
        var generator = SeededGenerator(seed: 9)
        let x = Tensor<Double>.randomNormal([2, 2, 5, 5], using: &generator)
        let w1 = Tensor<Double>.randomNormal([2, 2, 3, 3], using: &generator)
        let w2 = Tensor<Double>.randomNormal([2, 2, 3, 3], using: &generator)
        let report = try checkGradients(at: [x, w1]) { xs in
            conv2d(xs[0], weight: xs[1], padding: 1) + conv2d(xs[0], weight: w2, padding: 1) * xs[0]
        }
        XCTAssertLessThanOrEqual(report.maxRelativeError, 1e-6, "\(report)")
    }

    func checkConcatConvForward<S: TensorScalar>(_: S.Type, tolerance: Double) {
        var generator = SeededGenerator(seed: 11)
        let x = Tensor<S>.randomNormal([3, 4, 6, 6], using: &generator)
        let w = Tensor<S>.randomNormal([4, 5, 3, 3], using: &generator)
        let b = Tensor<S>.randomNormal([4], using: &generator)
        let time: S = 0.375
        let y = conv2d(appendingTimeChannel(x, time: time), weight: w, bias: b, padding: 1)
        var expectedInput: [Double] = []
        let xs = x.scalars.map(Double.init)
        for n in 0..<3 { expectedInput += xs[(n * 144)..<((n + 1) * 144)] + [Double](repeating: Double(time), count: 36) }
        let c = ConvolutionCase(batch: 3, channels: 5, height: 6, width: 6, outputs: 4, kernelHeight: 3, kernelWidth: 3,
                                stride: (1, 1), padding: (1, 1), hasBias: true)
        let expected = directConvolution(expectedInput, w.scalars.map(Double.init), b.scalars.map(Double.init), c)
        let worst = zip(y.scalars, expected).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, tolerance)
    }

    func testConcatConvForwardMatchesDirectLoopsFloat() { checkConcatConvForward(Float.self, tolerance: 1e-5) }
    func testConcatConvForwardMatchesDirectLoopsDouble() { checkConcatConvForward(Double.self, tolerance: 1e-13) }

    func testConcatConvGradientsMatchFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 12)
        let inputs = [Tensor<Double>.randomNormal([2, 3, 5, 5], using: &generator),
                      Tensor<Double>.randomNormal([4, 4, 3, 3], using: &generator),
                      Tensor<Double>.randomNormal([4], using: &generator)]
        let report = try checkGradients(at: inputs, stepSize: 1e-3, randomDirections: 8) { xs in
            conv2d(appendingTimeChannel(xs[0], time: 0.5), weight: xs[1], bias: xs[2], padding: 1)
        }
        XCTAssertLessThanOrEqual(report.maxRelativeError, 1e-6, "\(report)")
    }
}

extension ConvolutionTests {
    func testLargeConvolutionRebuildsColumnsByChunksWithTheSameGradients() throws {
        // N·P·K = 40·169·1024 ≈ 6.9M column scalars: the forward pass and the pullback both work image by
        // image (one image per chunk), on both threads. Values and gradients are compared with the direct loops.
        var generator = SeededGenerator(seed: 13)
        let c = ConvolutionCase(batch: 40, channels: 64, height: 26, width: 26, outputs: 3, kernelHeight: 4,
                                kernelWidth: 4, stride: (2, 2), padding: (1, 1), hasBias: true)
        XCTAssertEqual(Kernels.imagesPerChunk(ConvolutionGeometry(input: [40, 64, 26, 26], weight: [3, 64, 4, 4],
                                                                  stride: (2, 2), padding: (1, 1))), 1)
        let x = Tensor<Double>.randomNormal([c.batch, c.channels, c.height, c.width], using: &generator)
        let w = Tensor<Double>.randomNormal([c.outputs, c.channels, 4, 4], using: &generator)
        let b = Tensor<Double>.randomNormal([3], using: &generator)
        let (value, pullback) = try valueWithPullback(at: [x, w, b]) { xs in
            conv2d(xs[0], weight: xs[1], bias: xs[2], stride: 2, padding: 1)
        }
        let expected = directConvolution(x.scalars, w.scalars, b.scalars, c)
        let worst = zip(value.scalars, expected).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, 1e-11)
        // Gradients: each is linear in the cotangent v, so vᵀ(J·d) = (Jᵀv)·d along a random direction d,
        // with J·d computed by the direct loops (the convolution is linear in x, w and b separately).
        let v = Tensor<Double>.randomNormal(value.shape, using: &generator)
        let grads = try pullback(v)
        let dx = Tensor<Double>.randomNormal(x.shape, using: &generator).scalars
        let dw = Tensor<Double>.randomNormal(w.shape, using: &generator).scalars
        let jdx = directConvolution(dx, w.scalars, nil, c), jdw = directConvolution(x.scalars, dw, nil, c)
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        XCTAssertEqual(dot(grads[0].scalars, dx), dot(v.scalars, jdx), accuracy: 1e-8 * abs(dot(v.scalars, jdx)) + 1e-8)
        XCTAssertEqual(dot(grads[1].scalars, dw), dot(v.scalars, jdw), accuracy: 1e-8 * abs(dot(v.scalars, jdw)) + 1e-8)
        let biasExpected = (0..<3).map { o in (0..<c.batch).reduce(0.0) { sum, n in
            sum + v.scalars[((n * 3 + o) * 169)..<((n * 3 + o) * 169 + 169)].reduce(0, +) } }
        for o in 0..<3 { XCTAssertEqual(grads[2].scalars[o], biasExpected[o], accuracy: 1e-9) }
    }
}
