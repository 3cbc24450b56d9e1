import XCTest
import Foundation
@testable import Autodiff

final class LossTests: XCTestCase {
    typealias T = OpTestSupport

    func checkElementwiseLosses<S: TensorScalar>(_: S.Type) {
        let tolerance = S.self == Float.self ? 1e-5 : 1e-13
        let p = T.converted(T.random([4, 3], seed: 30), to: S.self)
        let t = T.converted(T.random([4, 3], seed: 31), to: S.self)
        let d = zip(p.scalars, t.scalars).map { Double($0) - Double($1) }
        let squares = d.map { $0 * $0 }, absolutes = d.map { Swift.abs($0) }
        T.assertValues(mseLoss(predictions: p, targets: t), shape: [], [squares.reduce(0, +) / 12], tolerance: tolerance)
        T.assertValues(mseLoss(predictions: p, targets: t, reduction: .sum), shape: [], [squares.reduce(0, +)], tolerance: tolerance)
        T.assertValues(mseLoss(predictions: p, targets: t, reduction: .none), shape: [4, 3], squares, tolerance: tolerance)
        T.assertValues(l1Loss(predictions: p, targets: t), shape: [], [absolutes.reduce(0, +) / 12], tolerance: tolerance)
        T.assertValues(l1Loss(predictions: p, targets: t, reduction: .sum), shape: [], [absolutes.reduce(0, +)], tolerance: tolerance)
        T.assertValues(l1Loss(predictions: p, targets: t, reduction: .none), shape: [4, 3], absolutes, tolerance: tolerance)
    }

    func testMeanSquaredAndAbsoluteErrorsMatchLoopsFloat() { checkElementwiseLosses(Float.self) }
    func testMeanSquaredAndAbsoluteErrorsMatchLoopsDouble() { checkElementwiseLosses(Double.self) }

    func testElementwiseLossGradientsMatchFiniteDifferences() throws {
        let p = T.random([4, 3], seed: 32), t = T.random([4, 3], seed: 33)
        for reduction in [LossReduction.mean, .sum, .none] {
            try T.assertGradientsMatchFiniteDifferences(at: [p, t]) { xs in mseLoss(predictions: xs[0], targets: xs[1], reduction: reduction) }
            try T.assertGradientsMatchFiniteDifferences(at: [p, t]) { xs in l1Loss(predictions: xs[0], targets: xs[1], reduction: reduction) }
        }
        try T.assertGradientsMatchFiniteDifferences(at: [p]) { xs in mseLoss(predictions: xs[0] * xs[0], targets: xs[0]) }
    }

    func testAbsoluteErrorHasZeroDerivativeWhereEqual() throws {
        let p = Tensor<Double>([1, 2, 3]), t = Tensor<Double>([1, 0, 5])
        let grads = try valueWithGradient(at: [p, t]) { xs in l1Loss(predictions: xs[0], targets: xs[1]) }.gradients
        XCTAssertEqual(grads[0].scalars, [0, 1.0 / 3, -1.0 / 3])
        XCTAssertEqual(grads[1].scalars, [0, -1.0 / 3, 1.0 / 3])
    }

    /// Hand-computed: −mean_n log(e^{x[n, y_n]} / Σ_c e^{x[n, c]}).
    func crossEntropyReference<S: TensorScalar>(_ logits: Tensor<S>, _ labels: [Int]) -> [Double] {
        let (n, c) = (logits.shape[0], logits.shape[1])
        return (0..<n).map { i in
            let row = (0..<c).map { Double(logits.scalars[i * c + $0]) }
            let z = row.reduce(0) { $0 + Foundation.exp($1) }
            return -Foundation.log(Foundation.exp(row[labels[i]]) / z)
        }
    }

    func checkCrossEntropy<S: TensorScalar>(_: S.Type) {
        let tolerance = S.self == Float.self ? 1e-5 : 1e-13
        let logits = T.converted(T.random([5, 4], seed: 34) * 2, to: S.self)
        let labels = [3, 0, 1, 3, 2]
        let perSample = crossEntropyReference(logits, labels)
        T.assertValues(crossEntropy(logits: logits, labels: labels), shape: [], [perSample.reduce(0, +) / 5], tolerance: tolerance)
        T.assertValues(crossEntropy(logits: logits, labels: labels, reduction: .sum), shape: [], [perSample.reduce(0, +)], tolerance: tolerance)
        T.assertValues(crossEntropy(logits: logits, labels: labels, reduction: .none), shape: [5], perSample, tolerance: tolerance)
        // Agrees with the composition log-softmax → pick → mean.
        let composed = -(logSoftmax(logits) * oneHot(labels, classes: 4, S.self)).sum() / S(5)
        T.assertValues(crossEntropy(logits: logits, labels: labels), shape: [], [Double(composed.scalar)], tolerance: tolerance)
        // Large logits stay finite and accurate.
        let large = Tensor<S>([[S(1000), S(999)]])
        T.assertValues(crossEntropy(logits: large, labels: [1]), shape: [], [1 + log(1 + exp(-1.0))], tolerance: tolerance)
    }

    func oneHot<S: TensorScalar>(_ labels: [Int], classes: Int, _: S.Type) -> Tensor<S> {
        Tensor(shape: [labels.count, classes], scalars: labels.flatMap { l in (0..<classes).map { S($0 == l ? 1 : 0) } })
    }

    func testCrossEntropyMatchesHandComputedLogSoftmaxNLLFloat() { checkCrossEntropy(Float.self) }
    func testCrossEntropyMatchesHandComputedLogSoftmaxNLLDouble() { checkCrossEntropy(Double.self) }

    func testCrossEntropyGradientIsSoftmaxMinusOneHotAndMatchesFiniteDifferences() throws {
        let logits = T.random([5, 4], seed: 35)
        let labels = [1, 1, 0, 3, 2]
        let g = try gradient(at: logits) { crossEntropy(logits: $0, labels: labels) }
        let expected = (softmax(logits) - oneHot(labels, classes: 4, Double.self)) / 5
        XCTAssertTrue(g.isApproximatelyEqual(to: expected, absoluteTolerance: 1e-15), "\(g) vs \(expected)")
        for reduction in [LossReduction.mean, .sum, .none] {
            try T.assertGradientsMatchFiniteDifferences(at: [logits]) { xs in crossEntropy(logits: xs[0], labels: labels, reduction: reduction) }
        }
        XCTAssertEqual(try T.recordedEntries(at: [logits]) { crossEntropy(logits: $0[0], labels: labels) }, 1)
    }

    /// A two-layer network built from broadcasting products and axis sums (x·W as
    /// Σ_k x[n, k, 1] · W[1, k, j]), a square nonlinearity, and cross-entropy: the end-to-end gradient
    /// with respect to every parameter matches finite differences.
    func testSmallMultilayerPerceptronGradientMatchesFiniteDifferences() throws {
        let x = T.random([6, 3], seed: 36)
        let labels = [0, 1, 2, 1, 0, 2]
        func dense(_ input: Tensor<Double>, _ weight: Tensor<Double>, _ bias: Tensor<Double>) -> Tensor<Double> {
            (input.expandedDimensions(axis: -1) * weight.expandedDimensions(axis: 0)).sum(axis: 1) + bias
        }
        let parameters = [T.random([3, 5], seed: 37), T.random([5], seed: 38), T.random([5, 3], seed: 39), T.random([3], seed: 40)]
        try T.assertGradientsMatchFiniteDifferences(at: parameters) { p in
            let h = dense(x, p[0], p[1])
            let activated = h * h * 0.5 + h
            let logits = dense(activated, p[2], p[3])
            return crossEntropy(logits: logits, labels: labels) + mseLoss(predictions: softmax(logits), targets: softmax(logits.transposed()).transposed()) * 0.1
        }
        // The same network gives x·W as the loops do.
        let h = dense(x, parameters[0], parameters[1])
        var expected: [Double] = []
        for n in 0..<6 {
            for j in 0..<5 {
                expected.append((0..<3).reduce(parameters[1].scalars[j]) { $0 + x.scalars[n * 3 + $1] * parameters[0].scalars[$1 * 5 + j] })
            }
        }
        T.assertValues(h, shape: [6, 5], expected, tolerance: 1e-14)
    }
}
