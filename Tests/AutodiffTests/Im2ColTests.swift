import XCTest
@testable import Autodiff

/// The channels-last im2col / col2im kernels and the convolution drivers' chunking, against reference
/// loops written from the definitions.
final class Im2ColTests: XCTestCase {
    /// (input [N, C, H, W], weight [O, C, kh, kw], stride, padding): odd sizes, strides and paddings,
    /// a kernel as large as the padded image, a patch length that is a multiple of 16 (padded rows).
    private let geometries: [([Int], [Int], (Int, Int), (Int, Int))] = [
        ([2, 3, 5, 7], [4, 3, 3, 3], (1, 1), (1, 1)),
        ([3, 2, 7, 5], [2, 2, 4, 4], (2, 2), (1, 1)),
        ([1, 5, 6, 6], [3, 5, 1, 1], (1, 1), (0, 0)),
        ([2, 1, 9, 4], [2, 1, 2, 3], (3, 1), (0, 2)),
        ([1, 4, 3, 3], [2, 4, 5, 5], (1, 1), (1, 1)),
        ([2, 4, 6, 5], [3, 4, 2, 2], (2, 3), (2, 0)),
    ]

    /// cols[(n, oh, ow), (i, j, c)] = x[n, c, oh·sy − py + i, ow·sx − px + j], 0 outside the image.
    private func referenceColumns(_ x: [Double], _ g: ConvolutionGeometry) -> [Double] {
        let ld = g.columnStride
        var cols = [Double](repeating: 0, count: g.rows * ld)
        for n in 0..<g.batch {
            for oh in 0..<g.outputHeight {
                for ow in 0..<g.outputWidth {
                    let row = (n * g.outputHeight + oh) * g.outputWidth + ow
                    for i in 0..<g.kernelHeight {
                        for j in 0..<g.kernelWidth {
                            for c in 0..<g.channels {
                                let y = oh * g.strideY - g.paddingY + i, xx = ow * g.strideX - g.paddingX + j
                                guard y >= 0, y < g.height, xx >= 0, xx < g.width else { continue }
                                cols[row * ld + (i * g.kernelWidth + j) * g.channels + c] =
                                    x[((n * g.channels + c) * g.height + y) * g.width + xx]
                            }
                        }
                    }
                }
            }
        }
        return cols
    }

    private func checkIm2ColAndCol2Im<S: TensorScalar>(_: S.Type) {
        var generator = SeededGenerator(seed: 21)
        for (input, weight, stride, padding) in geometries {
            let g = ConvolutionGeometry(input: input, weight: weight, stride: stride, padding: padding)
            let x = Tensor<S>.randomNormal(input, using: &generator).scalars
            let expected = referenceColumns(x.map { Double($0) }, g)
            // Built for a range of images that does not start at 0 (the drivers' chunks).
            let images = (g.batch > 1 ? 1 : 0)..<g.batch
            let rowsPerImage = g.outputPixels * g.columnStride
            var cols = [S](repeating: -7, count: images.count * rowsPerImage)
            var padded = [S](repeating: 0, count: g.paddedImageSize)
            x.withUnsafeBufferPointer { xp in
                Kernels.im2col(xp.baseAddress!, &cols, padded: &padded, geometry: g, images: images)
            }
            for r in 0..<(images.count * g.outputPixels) {
                for k in 0..<g.patchSize {
                    XCTAssertEqual(Double(cols[r * g.columnStride + k]),
                                   expected[images.lowerBound * rowsPerImage + r * g.columnStride + k],
                                   "im2col \(input) \(weight) row \(r) column \(k)")
                }
            }
            // col2im is the adjoint: <col2im(d), x> = <d, im2col(x)> for every x, checked against the
            // reference scatter.
            let d = Tensor<S>.randomNormal([images.count * rowsPerImage], using: &generator).scalars
            var dx = [S](repeating: 99, count: x.count)
            d.withUnsafeBufferPointer { dp in
                Kernels.col2im(dp.baseAddress!, &dx, padded: &padded, geometry: g, images: images)
            }
            var reference = [Double](repeating: 0, count: x.count)
            for n in images {
                for oh in 0..<g.outputHeight {
                    for ow in 0..<g.outputWidth {
                        let row = ((n - images.lowerBound) * g.outputHeight + oh) * g.outputWidth + ow
                        for i in 0..<g.kernelHeight {
                            for j in 0..<g.kernelWidth {
                                for c in 0..<g.channels {
                                    let y = oh * g.strideY - g.paddingY + i, xx = ow * g.strideX - g.paddingX + j
                                    guard y >= 0, y < g.height, xx >= 0, xx < g.width else { continue }
                                    reference[((n * g.channels + c) * g.height + y) * g.width + xx] +=
                                        Double(d[row * g.columnStride + (i * g.kernelWidth + j) * g.channels + c])
                                }
                            }
                        }
                    }
                }
            }
            let tolerance = S.self == Float.self ? 1e-5 : 1e-13
            for n in 0..<g.batch {
                for e in 0..<g.imageSize {
                    let index = n * g.imageSize + e
                    if images.contains(n) {
                        XCTAssertEqual(Double(dx[index]), reference[index], accuracy: tolerance * (1 + abs(reference[index])),
                                       "col2im \(input) \(weight) element \(index)")
                    } else {
                        XCTAssertEqual(dx[index], 99, "col2im wrote outside its images")
                    }
                }
            }
        }
    }

    func testIm2ColAndCol2ImMatchReferenceLoopsFloat() { checkIm2ColAndCol2Im(Float.self) }
    func testIm2ColAndCol2ImMatchReferenceLoopsDouble() { checkIm2ColAndCol2Im(Double.self) }

    func testColumnStrideAvoidsMultiplesOfSixteen() {
        let g = ConvolutionGeometry(input: [1, 64, 8, 8], weight: [8, 64, 4, 4], stride: (2, 2), padding: (1, 1))
        XCTAssertEqual(g.patchSize, 1024)
        XCTAssertEqual(g.columnStride, 1040)
        let h = ConvolutionGeometry(input: [1, 65, 6, 6], weight: [8, 65, 3, 3], stride: (1, 1), padding: (1, 1))
        XCTAssertEqual(h.columnStride, 585)
    }

    func testScratchCacheReturnsLargeEnoughBuffersAndKeepsTheLarger() {
        let small = ScratchCache.take(Float.self, count: 10)
        small.update(repeating: 1, count: 10)
        let large = ScratchCache.take(Double.self, count: 5000)
        large.update(repeating: 2, count: 5000)
        XCTAssertEqual(Int(bitPattern: UnsafeRawPointer(large)) % 64, 0)
        ScratchCache.recycle(small)
        ScratchCache.recycle(large)   // the larger block stays cached
        let again = ScratchCache.take(Double.self, count: 4000)
        again.update(repeating: 3, count: 4000)
        XCTAssertEqual(again[3999], 3)
        ScratchCache.recycle(again)
    }

    /// Batches that split into uneven chunks on both threads, the channel-major path (K < O, as the first
    /// layer on images), and the pixel-major path, in Float and Double against the direct definition.
    private func checkDriversMatchDefinition<S: TensorScalar>(_: S.Type, tolerance: Double) throws {
        var generator = SeededGenerator(seed: 22)
        let cases: [([Int], [Int], Int, Int)] = [
            ([37, 3, 6, 6], [5, 3, 3, 3], 1, 1),      // 37 images: uneven chunks
            ([19, 1, 11, 9], [12, 1, 3, 3], 1, 0),    // K = 9 < O = 12, P = 63: channel-major
            ([17, 4, 9, 9], [6, 4, 4, 4], 2, 1),      // stride 2
        ]
        for (input, weight, stride, padding) in cases {
            let g = ConvolutionGeometry(input: input, weight: weight, stride: (stride, stride), padding: (padding, padding))
            let x = Tensor<S>.randomNormal(input, using: &generator)
            let w = Tensor<S>.randomNormal(weight, using: &generator)
            let b = Tensor<S>.randomNormal([weight[0]], using: &generator)
            let (y, pullback) = try valueWithPullback(at: [x, w, b]) { xs in
                conv2d(xs[0], weight: xs[1], bias: xs[2], stride: stride, padding: padding)
            }
            let v = Tensor<S>.randomNormal(y.shape, using: &generator)
            let grads = try pullback(v)
            let xs = x.scalars.map { Double($0) }, ws = w.scalars.map { Double($0) }, vs = v.scalars.map { Double($0) }
            var expectedY = [Double](repeating: 0, count: y.scalars.count)
            var expectedDx = [Double](repeating: 0, count: xs.count), expectedDw = [Double](repeating: 0, count: ws.count)
            var expectedDb = [Double](repeating: 0, count: weight[0])
            for n in 0..<g.batch {
                for o in 0..<g.outputChannels {
                    for oh in 0..<g.outputHeight {
                        for ow in 0..<g.outputWidth {
                            let yi = ((n * g.outputChannels + o) * g.outputHeight + oh) * g.outputWidth + ow
                            var total = Double(b.scalars[o])
                            expectedDb[o] += vs[yi]
                            for c in 0..<g.channels {
                                for i in 0..<g.kernelHeight {
                                    for j in 0..<g.kernelWidth {
                                        let iy = oh * stride - padding + i, ix = ow * stride - padding + j
                                        guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
                                        let xi = ((n * g.channels + c) * g.height + iy) * g.width + ix
                                        let wi = ((o * g.channels + c) * g.kernelHeight + i) * g.kernelWidth + j
                                        total += xs[xi] * ws[wi]
                                        expectedDx[xi] += vs[yi] * ws[wi]
                                        expectedDw[wi] += vs[yi] * xs[xi]
                                    }
                                }
                            }
                            expectedY[yi] = total
                        }
                    }
                }
            }
            func worst(_ actual: [S], _ expected: [Double]) -> Double {
                let scale = max(1, expected.map(abs).max() ?? 1)
                return zip(actual, expected).map { abs(Double($0) - $1) / scale }.max() ?? 0
            }
            XCTAssertLessThanOrEqual(worst(y.scalars, expectedY), tolerance, "value \(input) \(weight)")
            XCTAssertLessThanOrEqual(worst(grads[0].scalars, expectedDx), tolerance, "dx \(input) \(weight)")
            XCTAssertLessThanOrEqual(worst(grads[1].scalars, expectedDw), tolerance, "dw \(input) \(weight)")
            XCTAssertLessThanOrEqual(worst(grads[2].scalars, expectedDb), tolerance, "db \(input) \(weight)")
        }
    }

    func testConvolutionDriversMatchDefinitionFloat() throws { try checkDriversMatchDefinition(Float.self, tolerance: 1e-5) }
    func testConvolutionDriversMatchDefinitionDouble() throws { try checkDriversMatchDefinition(Double.self, tolerance: 1e-12) }

    func testChannelMajorFirstLayerGradientsMatchFiniteDifferences() throws {
        // K = 9 < O = 10 and P = 36: the channel-major path, with and without the input gradient.
        var generator = SeededGenerator(seed: 23)
        let x = Tensor<Double>.randomNormal([3, 1, 8, 8], using: &generator)
        let w = Tensor<Double>.randomNormal([10, 1, 3, 3], using: &generator)
        let b = Tensor<Double>.randomNormal([10], using: &generator)
        XCTAssertTrue(Kernels.isChannelMajor(ConvolutionGeometry(input: x.shape, weight: w.shape, stride: (1, 1),
                                                                 padding: (0, 0))))
        let parameters = try checkGradients(at: [w, b], stepSize: 1e-3) { ps in conv2d(x, weight: ps[0], bias: ps[1]) }
        XCTAssertLessThanOrEqual(parameters.maxRelativeError, 1e-6, "\(parameters)")
        let all = try checkGradients(at: [x, w, b], stepSize: 1e-3) { xs in conv2d(xs[0], weight: xs[1], bias: xs[2]) }
        XCTAssertLessThanOrEqual(all.maxRelativeError, 1e-6, "\(all)")
    }
}
