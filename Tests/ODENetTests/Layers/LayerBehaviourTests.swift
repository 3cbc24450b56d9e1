import XCTest
import Foundation
import Autodiff
@testable import ODENet

final class LayerBehaviourTests: XCTestCase {
    func testConcatConv2dEqualsConvolutionOfExplicitTimeChannel() {
        var generator = SeededGenerator(seed: 4)
        let layer = ConcatConv2d<Double>(2, 3, padding: 1, using: &generator)
        let x = Tensor<Double>.randomNormal([2, 2, 4, 4], using: &generator)
        let t = 0.7
        let timeChannel = Tensor<Double>(repeating: t, shape: [2, 1, 4, 4])
        let expected = conv2d(concatenated([timeChannel, x], axis: 1), weight: layer.layer.weight.value,
                              bias: layer.layer.bias?.value, padding: 1)
        let actual = layer(Tensor(t), x)
        XCTAssertEqual(actual.shape, [2, 3, 4, 4])
        XCTAssertTrue(actual.isApproximatelyEqual(to: expected, relativeTolerance: 1e-12))
    }

    func testSequentialAppliesLayersInOrderAndPropagatesErrors() throws {
        struct Failure: Error {}
        let chain = Sequential<Double>(Lambda { $0 + 1 }, Lambda { $0 * 3 }, Flatten())
        let y = try chain(Tensor(shape: [2, 1, 2], scalars: [0, 1, 2, 3]))
        XCTAssertEqual(y.shape, [2, 2])
        XCTAssertEqual(y.scalars, [3, 6, 9, 12])
        chain.append(Lambda { _ in throw Failure() })
        XCTAssertEqual(chain.count, 4)
        XCTAssertThrowsError(try chain(Tensor(shape: [1, 1], scalars: [1.0]))) { XCTAssertTrue($0 is Failure) }
    }

    func testActivationLayersMatchScalarFormulas() {
        let x = Tensor<Double>([-2, -0.5, 0.3, 1.5])
        func check(_ layer: some Layer<Double>, _ f: (Double) -> Double, file: StaticString = #filePath, line: UInt = #line) {
            let y = try! layer(x).scalars
            for (a, b) in zip(y, x.scalars.map(f)) { XCTAssertEqual(a, b, accuracy: 1e-12, file: file, line: line) }
        }
        check(Tanh(), { Foundation.tanh($0) })
        check(ReLU(), { max(0, $0) })
        check(Sigmoid(), { 1 / (1 + Foundation.exp(-$0)) })
        check(ELU(alpha: 0.5), { $0 > 0 ? $0 : 0.5 * (Foundation.exp($0) - 1) })
        check(Softplus(), { Foundation.log(1 + Foundation.exp($0)) })
        check(Softplus(beta: 2), { Foundation.log(1 + Foundation.exp(2 * $0)) / 2 })
    }

    func testTimeIndependentIgnoresTime() throws {
        let f = TimeIndependent(Sequential<Double>(Lambda { $0 * 2 }))
        XCTAssertEqual(try f(Tensor(5.0), Tensor([1, 2])).scalars, [2, 4])
    }
}
