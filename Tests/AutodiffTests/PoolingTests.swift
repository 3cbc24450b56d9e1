import XCTest
@testable import Autodiff

/// Average pooling written directly from its definition, in Double.
private func directAveragePool(_ x: [Double], shape: [Int], kernel: Int, stride: Int) -> [Double] {
    let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
    let oh = (h - kernel) / stride + 1, ow = (w - kernel) / stride + 1
    var out: [Double] = []
    for p in 0..<planes {
        for y in 0..<oh {
            for xo in 0..<ow {
                var total = 0.0
                for i in 0..<kernel { for j in 0..<kernel { total += x[(p * h + y * stride + i) * w + xo * stride + j] } }
                out.append(total / Double(kernel * kernel))
            }
        }
    }
    return out
}

final class PoolingTests: XCTestCase {
    /// (shape, kernel, stride) with non-overlapping, overlapping and gapped windows and ragged edges.
    let configurations: [([Int], Int, Int?)] = [([2, 3, 4, 4], 2, nil), ([1, 2, 7, 5], 3, 2), ([2, 1, 6, 6], 2, 3),
                                                ([3, 2, 5, 5], 5, nil), ([1, 1, 3, 4], 1, 1)]

    func checkAveragePoolForward<S: TensorScalar>(_: S.Type, tolerance: Double) {
        var generator = SeededGenerator(seed: 21)
        for (shape, kernel, stride) in configurations {
            let x = Tensor<S>.randomNormal(shape, using: &generator)
            let y = avgPool2d(x, kernelSize: kernel, stride: stride)
            let s = stride ?? kernel
            XCTAssertEqual(y.shape, [shape[0], shape[1], (shape[2] - kernel) / s + 1, (shape[3] - kernel) / s + 1])
            let expected = directAveragePool(x.scalars.map(Double.init), shape: shape, kernel: kernel, stride: s)
            let worst = zip(y.scalars, expected).map { abs(Double($0) - $1) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, tolerance, "shape \(shape), kernel \(kernel), stride \(s)")
        }
    }

    func testAveragePoolForwardMatchesDefinitionFloat() { checkAveragePoolForward(Float.self, tolerance: 1e-6) }
    func testAveragePoolForwardMatchesDefinitionDouble() { checkAveragePoolForward(Double.self, tolerance: 1e-14) }

    func testAveragePoolGradientMatchesFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 22)
        for (shape, kernel, stride) in configurations {
            let x = Tensor<Double>.randomNormal(shape, using: &generator)
            let report = try checkGradients(at: [x], randomDirections: 8) { xs in
                avgPool2d(xs[0], kernelSize: kernel, stride: stride)
            }
            XCTAssertLessThanOrEqual(report.maxRelativeError, 1e-6, "shape \(shape): \(report)")
        }
    }

    func checkGlobalAveragePoolForward<S: TensorScalar>(_: S.Type, tolerance: Double) {
        var generator = SeededGenerator(seed: 23)
        let x = Tensor<S>.randomNormal([3, 4, 5, 6], using: &generator)
        let pooled = globalAveragePool2d(x)
        let flat = globalAveragePool2d(x, keepDims: false)
        XCTAssertEqual(pooled.shape, [3, 4, 1, 1])
        XCTAssertEqual(flat.shape, [3, 4])
        XCTAssertEqual(pooled.scalars, flat.scalars)
        let xs = x.scalars.map(Double.init)
        for plane in 0..<12 {
            let mean = xs[(plane * 30)..<((plane + 1) * 30)].reduce(0, +) / 30
            XCTAssertEqual(Double(flat.scalars[plane]), mean, accuracy: tolerance)
        }
    }

    func testGlobalAveragePoolIsThePerChannelMeanFloat() { checkGlobalAveragePoolForward(Float.self, tolerance: 1e-6) }
    func testGlobalAveragePoolIsThePerChannelMeanDouble() { checkGlobalAveragePoolForward(Double.self, tolerance: 1e-14) }

    func testGlobalAveragePoolGradientMatchesFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 24)
        let x = Tensor<Double>.randomNormal([2, 3, 4, 5], using: &generator)
        for keepDims in [true, false] {
            let report = try checkGradients(at: [x], randomDirections: 8) { xs in globalAveragePool2d(xs[0], keepDims: keepDims) }
            XCTAssertLessThanOrEqual(report.maxRelativeError, 1e-6, "keepDims \(keepDims): \(report)")
        }
    }
}
