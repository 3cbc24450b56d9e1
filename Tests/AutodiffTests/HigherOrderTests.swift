import XCTest
@testable import Autodiff

/// Derivatives of derivatives: nesting, perturbation confusion, memory, tape printing, custom ops.
final class HigherOrderTests: XCTestCase {
    func testSecondAndThirdDerivativesOfACubic() throws {
        let x = Tensor<Double>([0.5, -2, 3])
        // f = Σ x³: f' = 3x², f'' = 6x, f''' = 6.
        let second = try gradient(at: x) { x in try gradient(at: x) { x in (x * x * x).sum() }.sum() }
        XCTAssertEqual(second.scalars, x.scalars.map { 6 * $0 })
        let third = try gradient(at: x) { x in
            try gradient(at: x) { x in try gradient(at: x) { x in (x * x * x).sum() }.sum() }.sum()
        }
        XCTAssertEqual(third.scalars, [6, 6, 6])
    }

    func testNestingLevelsAreKeptApart() throws {
        // d/dx [x · d/dy (x + y)] at x = y = 1 is 1 (not 2: the inner derivative must not see x as y).
        let x = Tensor<Double>([1]), y = Tensor<Double>([1])
        let d = try gradient(at: x) { x in
            let inner = try gradient(at: y) { y in (x + y).sum() }
            return (x * inner).sum()
        }
        XCTAssertEqual(d.scalars, [1])
        // A tensor captured from outside into an inner gradient gets no inner cotangent: d/dy (x·y) is x,
        // and d/dx of that is 1 — the inner call does not differentiate x.
        let mixed = try gradient(at: x) { x in
            try gradient(at: y) { y in (x * y).sum() }.sum()
        }
        XCTAssertEqual(mixed.scalars, [1])
        // The same variable on both levels: d/dx [d/dx x²]·x = d/dx 2x·x = 4x.
        let same = try gradient(at: x) { x in (try gradient(at: x) { ($0 * $0).sum() } * x).sum() }
        XCTAssertEqual(same.scalars, [4])
    }

    func testNestedDifferentiationReleasesEveryTape() throws {
        XCTAssertEqual(TapeStatistics.liveEntryCount, 0)
        let x = Tensor<Double>([0.5, 1.5])
        _ = try gradient(at: x) { x in try gradient(at: x) { x in (x * x * x).sum() }.sum() }
        XCTAssertEqual(TapeStatistics.liveEntryCount, 0)
        let (_, pullback) = try valueWithPullback(at: [x]) { x in
            try gradient(at: x[0]) { ($0 * $0).sum() } * x[0]
        }
        _ = try pullback(Tensor([1, 1]))
        XCTAssertGreaterThan(TapeStatistics.liveEntryCount, 0)
        _ = consume pullback
        XCTAssertEqual(TapeStatistics.liveEntryCount, 0)
    }

    func testAPullbackCalledInsideADifferentiatedFunctionRecords() throws {
        // The pullback of f(x) = x² at x0, as a function of the cotangent, is v ↦ 2·x0·v: its derivative in v
        // is 2·x0, and the primal point stays constant.
        let x0 = Tensor<Double>([3])
        let (_, pullback) = try valueWithPullback(at: [x0]) { ($0[0] * $0[0]) }
        let d = try gradient(at: Tensor<Double>([1])) { v in try pullback(v)[0].sum() }
        XCTAssertEqual(d.scalars, [6])
    }

    func testACustomOpWhosePullbackIsNotDifferentiableThrowsWhenDifferentiatedTwice() throws {
        func cube(_ x: Tensor<Double>) -> Tensor<Double> {
            let value = withoutRecording(Double.self) { x * x * x }
            let x0 = withoutDerivative(at: x)
            return customDifferentiable(inputs: [x], value: value, operation: "cube") { g in
                [withoutRecording(Double.self) { g * 3 * x0 * x0 }]
            }
        }
        let x = Tensor<Double>([2])
        XCTAssertEqual(try gradient(at: x) { cube($0).sum() }.scalars, [12])
        XCTAssertThrowsError(try gradient(at: x) { x in try gradient(at: x) { cube($0).sum() }.sum() }) { error in
            XCTAssertEqual(error as? AutodiffError, .notDifferentiableTwice(operation: "cube"))
        }
        // Declared differentiable, written with recorded ops: the second derivative is 6x.
        func differentiableCube(_ x: Tensor<Double>) -> Tensor<Double> {
            let value = withoutRecording(Double.self) { x * x * x }
            return customDifferentiable(inputs: [x], value: value, operation: "cube", pullbackIsDifferentiable: true) {
                [$0 * 3 * x * x]
            }
        }
        XCTAssertEqual(try gradient(at: x) { x in try gradient(at: x) { differentiableCube($0).sum() }.sum() }.scalars,
                       [12])
    }

    func testTheIdentityAndAConstantFunction() throws {
        let x = Tensor<Double>([1, 2])
        XCTAssertEqual(try gradient(at: x) { $0.sum() }.scalars, [1, 1])
        let (_, pullback) = try valueWithPullback(at: [x, x]) { $0[1] }
        let g = try pullback(Tensor([3, 4]))
        XCTAssertEqual(g[0].scalars, [0, 0])
        XCTAssertEqual(g[1].scalars, [3, 4])
        XCTAssertEqual(try gradient(at: x) { _ in Tensor(1.0) }.scalars, [0, 0])
        // Nested, too.
        let nested = try gradient(at: x) { x in
            let (_, pullback) = try valueWithPullback(at: [x]) { $0[0] }
            return (try pullback(x)[0] * x).sum()
        }
        XCTAssertEqual(nested.scalars, [2, 4])
    }

    func testTheTapePrintsItsOperations() throws {
        var printed = ""
        _ = try gradient(at: Tensor<Double>([1, 2])) { x in
            let y = sqrt(x * x).sum()
            printed = y.tapeDescription
            return y
        }
        XCTAssertEqual(printed, "%0 = input()\n%1 = *(_:_:)(%0, %0)\n%2 = sqrt(_:)(%1)\n%3 = sum()(%2)")
        XCTAssertEqual(Tensor<Double>([1]).tapeDescription, "")
    }

    func testTheSecondDerivativeCheckPassesForRecordedPullbacksAndFailsForFrozenOnes() throws {
        let x = Tensor<Double>(shape: [2, 3], scalars: [0.5, -1, 2, 0.25, 3, -0.75])
        let y = Tensor<Double>(shape: [3], scalars: [1.5, -0.5, 2])
        let good = try checkSecondDerivatives(at: [x, y]) { xs in xs[0] * xs[0] * xs[1] / (xs[1] * xs[1] + 1) }
        XCTAssertLessThan(good.maxRelativeError, 1e-6, "\(good)")
        // A custom op whose pullback computes without recording: its second derivative would be silently 0.
        let frozen = try checkSecondDerivatives(at: [x]) { xs in
            let x0 = withoutDerivative(at: xs[0])
            return customDifferentiable(inputs: [xs[0]], value: withoutRecording(Double.self) { x0 * x0 },
                                        pullbackIsDifferentiable: true) { g in [withoutRecording(Double.self) { g * 2 * x0 }] }
        }
        XCTAssertGreaterThan(frozen.maxRelativeError, 0.5, "\(frozen)")
    }
}
