import XCTest
import Foundation
@testable import Autodiff

/// `matmul` and the fused `linear` layer: values against plain loops, gradients against central
/// finite differences (Double).
final class MatrixMultiplicationTests: XCTestCase {
    // MARK: - Forward values

    func testFloatMatmulMatchesLoopsForEveryRankCombination() { checkMatmulValues(Float.self, tolerance: 1e-5) }
    func testDoubleMatmulMatchesLoopsForEveryRankCombination() { checkMatmulValues(Double.self, tolerance: 1e-12) }

    func testFloatLinearMatchesLoopsForEveryActivation() { checkLinearValues(Float.self, tolerance: 1e-5) }
    func testDoubleLinearMatchesLoopsForEveryActivation() { checkLinearValues(Double.self, tolerance: 1e-12) }

    func testMatmulOfVectorsIsTheDotProduct() {
        let value = matmul(Tensor<Double>([1, 2, 3]), Tensor<Double>([4, -5, 6]))
        XCTAssertEqual(value.shape, [])
        XCTAssertEqual(value.scalar, 4 - 10 + 18)
    }

    // MARK: - Gradients

    func testMatmulGradientsMatchFiniteDifferences() throws {
        let cases: [([Int], [Int])] = [
            ([3, 4], [4, 5]), ([1, 1], [1, 1]), ([9, 33], [33, 40]),  // 2-d, incl. tile edges
            ([2, 3, 4], [2, 4, 5]),                                    // batched
            ([2, 3, 4], [4, 5]), ([3, 4], [2, 4, 5]),                  // one side broadcast
            ([2, 1, 3, 4], [3, 4, 2]),                                 // both sides broadcast
            ([4], [4, 3]), ([3, 4], [4]), ([4], [4]), ([2, 3, 4], [4]),  // vectors
        ]
        var generator = SeededGenerator(seed: 1)
        for (shapeA, shapeB) in cases {
            let inputs = [Tensor<Double>.randomNormal(shapeA, using: &generator),
                          Tensor<Double>.randomNormal(shapeB, using: &generator)]
            let report = try checkGradients(at: inputs) { xs in matmul(xs[0], xs[1]) }
            XCTAssertLessThan(report.maxRelativeError, 1e-6, "\(shapeA) · \(shapeB): \(report)")
        }
    }

    func testMatmulGradientWithTheSameTensorOnBothSides() throws {
        var generator = SeededGenerator(seed: 99)
        let x = Tensor<Double>.randomNormal([4, 4], using: &generator)
        let report = try checkGradients(at: [x]) { xs in matmul(xs[0], xs[0]).matmul(xs[0]) }
        XCTAssertLessThan(report.maxRelativeError, 1e-6, "\(report)")
    }

    func testLinearGradientsMatchFiniteDifferencesForEveryActivation() throws {
        var generator = SeededGenerator(seed: 2)
        for activation in Activation.allCases {
            for (batch, inputs, outputs) in [(5, 3, 4), (20, 2, 50), (3, 40, 33)] {
                for withBias in [true, false] {
                    var parameters = [Tensor<Double>.randomNormal([batch, inputs], using: &generator),
                                      // PyTorch-like scale keeps pre-activations O(1): no saturated tanh whose
                                      // tiny derivatives finite differences cannot resolve to 1e-6.
                                      Tensor<Double>.randomNormal([outputs, inputs],
                                                                  standardDeviation: 1 / Double(inputs).squareRoot(),
                                                                  using: &generator)]
                    if withBias { parameters.append(Tensor<Double>.randomNormal([outputs], using: &generator)) }
                    // h = 1e-5: some bias components are ~5e-4 after cancellation, where the rounding
                    // error of h = 1e-6 (~5e-9 absolute) alone would exceed 1e-6 relative.
                    let report = try checkGradients(at: parameters, stepSize: 1e-5) { xs in
                        linear(xs[0], weight: xs[1], bias: withBias ? xs[2] : nil, activation: activation)
                    }
                    XCTAssertLessThan(report.maxRelativeError, 1e-6,
                                      "\(activation) \(batch)×\(inputs)→\(outputs) bias \(withBias): \(report)")
                }
            }
        }
    }

    func testLinearGradientWithBatchDimensionsAndAStackOfLayers() throws {
        var generator = SeededGenerator(seed: 3)
        let parameters = [Tensor<Double>.randomNormal([2, 3, 4], using: &generator),
                          Tensor<Double>.randomNormal([6, 4], using: &generator),
                          Tensor<Double>.randomNormal([6], using: &generator),
                          Tensor<Double>.randomNormal([2, 6], using: &generator)]
        let report = try checkGradients(at: parameters) { xs in
            let hidden = linear(xs[0], weight: xs[1], bias: xs[2], activation: .tanh)
            return linear(hidden, weight: xs[3])
        }
        XCTAssertLessThan(report.maxRelativeError, 1e-6, "\(report)")
    }

    // MARK: - Generic bodies

    private func checkMatmulValues<S: TensorScalar>(_: S.Type, tolerance: Double,
                                                    file: StaticString = #filePath, line: UInt = #line) {
        let cases: [([Int], [Int], [Int])] = [
            ([3, 4], [4, 5], [3, 5]), ([70, 33], [33, 41], [70, 41]), ([2, 3, 4], [2, 4, 5], [2, 3, 5]),
            ([2, 3, 4], [4, 5], [2, 3, 5]), ([3, 4], [2, 4, 5], [2, 3, 5]), ([2, 1, 3, 4], [3, 4, 2], [2, 3, 3, 2]),
            ([4], [4, 3], [3]), ([3, 4], [4], [3]), ([2, 3, 4], [4], [2, 3]), ([4], [2, 4, 3], [2, 3]),
        ]
        var generator = SeededGenerator(seed: 4)
        for (shapeA, shapeB, expectedShape) in cases {
            let a = Tensor<S>.randomNormal(shapeA, using: &generator)
            let b = Tensor<S>.randomNormal(shapeB, using: &generator)
            let c = matmul(a, b)
            XCTAssertEqual(c.shape, expectedShape, "\(shapeA) · \(shapeB)", file: file, line: line)
            let expected = referenceMatmul(a, b)
            let error = zip(c.scalars, expected).map { abs(Double($0) - $1) / (1 + abs($1)) }.max() ?? 0
            XCTAssertLessThan(error, tolerance, "\(shapeA) · \(shapeB)", file: file, line: line)
        }
    }

    private func checkLinearValues<S: TensorScalar>(_: S.Type, tolerance: Double,
                                                    file: StaticString = #filePath, line: UInt = #line) {
        var generator = SeededGenerator(seed: 5)
        let x = Tensor<S>.randomNormal([2, 10, 7], using: &generator)
        let w = Tensor<S>.randomNormal([33, 7], using: &generator)
        let b = Tensor<S>.randomNormal([33], using: &generator)
        let functions: [Activation: (Double) -> Double] = [
            .identity: { $0 }, .tanh: { Foundation.tanh($0) }, .relu: { Swift.max($0, 0) },
            .sigmoid: { 1 / (1 + Foundation.exp(-$0)) },
        ]
        for activation in Activation.allCases {
            let y = linear(x, weight: w, bias: b, activation: activation)
            XCTAssertEqual(y.shape, [2, 10, 33], file: file, line: line)
            let z = referenceMatmul(x.reshapedForTest([20, 7]), w.transposedForTest())
            for r in 0..<20 {
                for j in 0..<33 {
                    let expected = functions[activation]!(z[r * 33 + j] + Double(b.scalars[j]))
                    let error = abs(Double(y.scalars[r * 33 + j]) - expected) / (1 + abs(expected))
                    XCTAssertLessThan(error, tolerance, "\(activation) [\(r), \(j)]", file: file, line: line)
                }
            }
        }
    }
}

/// NumPy matmul by plain loops in Double (1-d operands promoted, batch dimensions broadcast).
private func referenceMatmul<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> [Double] {
    let shapeA = a.rank == 1 ? [1] + a.shape : a.shape, shapeB = b.rank == 1 ? b.shape + [1] : b.shape
    let (m, k, n) = (shapeA[shapeA.count - 2], shapeA[shapeA.count - 1], shapeB[shapeB.count - 1])
    let batchA = Array(shapeA.dropLast(2)), batchB = Array(shapeB.dropLast(2))
    let rank = Swift.max(batchA.count, batchB.count)
    let paddedA = [Int](repeating: 1, count: rank - batchA.count) + batchA
    let paddedB = [Int](repeating: 1, count: rank - batchB.count) + batchB
    let batch = zip(paddedA, paddedB).map { Swift.max($0, $1) }
    let x = a.scalars, y = b.scalars
    var out: [Double] = []
    for flat in 0..<batch.reduce(1, *) {
        var rest = flat, offsetA = 0, offsetB = 0, strideA = 1, strideB = 1
        for axis in (0..<rank).reversed() {
            let index = rest % batch[axis]
            rest /= batch[axis]
            offsetA += (paddedA[axis] == 1 ? 0 : index) * strideA
            offsetB += (paddedB[axis] == 1 ? 0 : index) * strideB
            strideA *= paddedA[axis]
            strideB *= paddedB[axis]
        }
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    sum += Double(x[offsetA * m * k + i * k + p]) * Double(y[offsetB * k * n + p * n + j])
                }
                out.append(sum)
            }
        }
    }
    return out
}

private extension Tensor {
    func reshapedForTest(_ shape: [Int]) -> Tensor { Tensor(shape: shape, scalars: scalars) }
    func transposedForTest() -> Tensor {
        let (rows, columns) = (shape[0], shape[1])
        return Tensor(shape: [columns, rows],
                      scalars: (0..<rows * columns).map { scalars[($0 % rows) * columns + $0 / rows] })
    }
}
