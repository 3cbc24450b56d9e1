import XCTest
@testable import Autodiff

/// `withAnomalyDetection` names the first op whose pullback makes a finite cotangent non-finite.
final class AnomalyDetectionTests: XCTestCase {
    func testWithoutDetectionANaNGradientPassesSilently() throws {
        // The reason the mode exists: √(x²) at 0 has a 0·∞ in its pullback.
        let g = try gradient(at: Tensor<Double>([0, 2])) { x in sqrt(x * x).sum() }
        XCTAssertTrue(g.scalars[0].isNaN)
        XCTAssertEqual(g.scalars[1], 1, accuracy: 1e-15)
    }

    func testDetectionNamesTheOpItsPositionAndTheElement() throws {
        XCTAssertThrowsError(try withAnomalyDetection {
            try gradient(at: Tensor<Double>([3, 0])) { x in sqrt(x * x).sum() }
        }) { error in
            guard case let AutodiffError.nonFiniteCotangent(operation, position, count, input, element, value)?
                    = error as? AutodiffError else { return XCTFail("expected AutodiffError, got \(error)") }
            XCTAssertEqual(operation, "sqrt(_:)")
            // Recorded: the input, x * x, sqrt, sum.
            XCTAssertEqual(position, 3)
            XCTAssertEqual(count, 4)
            XCTAssertEqual(input, 0)
            XCTAssertEqual(element, 1)
            XCTAssertEqual(value, .infinity)
            XCTAssertTrue("\(error)".contains("sqrt(_:)"), "\(error)")
        }
    }

    func testTheOpThatCreatesTheNonFiniteValueIsBlamedNotThoseItFlowsThrough() throws {
        // √(√x) at 0: the outer √ turns a finite cotangent into +∞; the inner one only passes it on.
        XCTAssertThrowsError(try withAnomalyDetection {
            try gradient(at: Tensor<Double>([0])) { x in sqrt(sqrt(x)).sum() }
        }) { error in
            guard case let AutodiffError.nonFiniteCotangent(operation, position, _, _, _, _)? = error as? AutodiffError
            else { return XCTFail("\(error)") }
            XCTAssertEqual(operation, "sqrt(_:)")
            XCTAssertEqual(position, 3, "the outer sqrt (input 1, inner 2, outer 3, sum 4)")
        }
        // A seed that is already NaN is nobody's fault.
        let (_, pullback) = try withAnomalyDetection {
            try valueWithPullback(at: [Tensor<Double>([1, 2])]) { $0[0] * 2 }
        }
        let g = try pullback(Tensor([Double.nan, 1]))
        XCTAssertTrue(g[0].scalars[0].isNaN)
    }

    func testATapeMadeUnderDetectionChecksItsReversePassWhereverItRuns() throws {
        let (_, pullback) = try withAnomalyDetection {
            try valueWithPullback(at: [Tensor<Double>([0])]) { x in log(x[0]) }
        }
        XCTAssertFalse(AnomalyDetection.isEnabled)
        XCTAssertThrowsError(try pullback(Tensor([1]))) { error in
            guard case let AutodiffError.nonFiniteCotangent(operation, _, _, _, _, _)? = error as? AutodiffError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(operation, "log(_:)")
        }
    }

    func testNestedTapesInAPullbackDetectToo() throws {
        // A custom op whose pullback differentiates something itself (as the adjoint does): the inner tape
        // is made during the outer reverse pass, after the scope that made the outer tape has ended.
        let (_, pullback) = try withAnomalyDetection {
            try valueWithPullback(at: [Tensor<Double>([0])]) { x in
                customDifferentiable(inputs: [x[0]], value: withoutDerivative(at: x[0]),
                                     operation: "innerGradient") { g in
                    [try gradient(at: withoutDerivative(at: x[0])) { sqrt($0).sum() } * g]
                }
            }
        }
        XCTAssertThrowsError(try pullback(Tensor([1]))) { error in
            guard case let AutodiffError.nonFiniteCotangent(operation, _, _, _, _, _)? = error as? AutodiffError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(operation, "sqrt(_:)", "the inner tape's op is named, not the custom op")
        }
    }

    func testFiniteGradientsAreUnchangedByDetection() throws {
        let x = Tensor<Double>(shape: [2, 3], scalars: [0.5, -1, 2, 0.25, 3, -0.75])
        let f: (Tensor<Double>) throws -> Tensor<Double> = { x in (tanh(x) * exp(x)).sum(axis: 1).squared().sum() }
        let plain = try gradient(at: x, of: f)
        let checked = try withAnomalyDetection { try gradient(at: x, of: f) }
        XCTAssertEqual(plain.scalars, checked.scalars)
    }

    func testFirstNonFiniteFindsTheFirstBadElement() {
        XCTAssertNil(Tensor<Float>([1, 2, 3]).firstNonFinite())
        let bad = Tensor<Float>([1, .infinity, .nan]).firstNonFinite()
        XCTAssertEqual(bad?.index, 1)
        XCTAssertEqual(bad?.value, .infinity)
        XCTAssertEqual(Tensor<Double>([0, 0, -.infinity]).firstNonFinite()?.index, 2)
    }
}
