import XCTest
@testable import Autodiff

/// The Euclidean norm: value (scaled, no overflow), finite-difference gradients away from 0, and the zero
/// subgradient at 0.
final class NormTests: XCTestCase {
    let x = Tensor<Double>(shape: [2, 3, 2], scalars: [0.5, -1, 2, 0.25, 3, -0.75, 1.5, 0.1, -2.5, 0.3, 0.7, -1.2])

    /// √(Σ x²) over `axes` in plain Double arithmetic, the oracle.
    func reference(_ t: Tensor<Double>, axes: [Int], keepDims: Bool) -> Tensor<Double> {
        sqrt(t.squared().sum(axes: axes, keepDims: keepDims))
    }

    func testValuesMatchTheSquareRootOfTheSumOfSquares() {
        for (axes, keepDims) in [([0, 1, 2], false), ([1], false), ([1], true), ([0, 2], false), ([2], true)] {
            let value = x.norm(axes: axes, keepDims: keepDims)
            let expected = reference(x, axes: axes, keepDims: keepDims)
            XCTAssertEqual(value.shape, expected.shape, "\(axes)")
            for (a, b) in zip(value.scalars, expected.scalars) { XCTAssertEqual(a, b, accuracy: 1e-14 * b, "\(axes)") }
        }
        XCTAssertEqual(x.norm().shape, [])
        XCTAssertEqual(x.norm().scalars[0], reference(x, axes: [0, 1, 2], keepDims: false).scalars[0], accuracy: 1e-14)
        XCTAssertEqual(x.norm(axis: -1).shape, [2, 3])
    }

    func testGradientsMatchFiniteDifferencesAwayFromZero() throws {
        for axes in [[0, 1, 2], [1], [0, 2]] {
            let report = try checkGradients(at: [x]) { $0[0].norm(axes: axes) }
            XCTAssertLessThan(report.maxRelativeError, 1e-7, "\(axes): \(report)")
        }
        let report = try checkGradients(at: [x]) { $0[0].norm(axis: 1, keepDims: true) }
        XCTAssertLessThan(report.maxRelativeError, 1e-7, "\(report)")
    }

    func testTheGradientAtZeroIsZero() throws {
        // A row of zeros next to a nonzero row: zero subgradient there, x/‖x‖ in the other.
        let t = Tensor<Double>(shape: [2, 2], scalars: [0, 0, 3, 4])
        let g = try gradient(at: t) { $0.norm(axis: 1).sum() }
        for (a, b) in zip(g.scalars, [0, 0, 0.6, 0.8]) { XCTAssertEqual(a, b, accuracy: 1e-15) }
        XCTAssertEqual(Array(g.scalars[0..<2]), [0, 0])
        XCTAssertEqual(try gradient(at: Tensor<Float>.zeros([3])) { $0.norm() }.scalars, [0, 0, 0])
        // The composition it replaces gives NaN there.
        XCTAssertTrue(try gradient(at: Tensor<Double>.zeros([2])) { sqrt($0.squared().sum()) }.scalars[0].isNaN)
    }

    func testLargeAndTinyElementsNeitherOverflowNorUnderflow() {
        let large = Tensor<Float>([3e30, 4e30]).norm().scalars[0]
        XCTAssertEqual(Double(large), 5e30, accuracy: 5e30 * 1e-6)
        let tiny = Tensor<Float>([3e-30, 4e-30]).norm().scalars[0]
        XCTAssertEqual(Double(tiny), 5e-30, accuracy: 5e-30 * 1e-6)
        XCTAssertEqual(Tensor<Double>([1, .infinity]).norm().scalars[0], .infinity)
        XCTAssertTrue(Tensor<Double>([1, .nan]).norm().scalars[0].isNaN)
    }

    func testAnEmptyAxisHasNormZero() throws {
        let empty = Tensor<Double>.zeros([2, 0])
        XCTAssertEqual(empty.norm(axis: 1).scalars, [0, 0])
        XCTAssertEqual(try gradient(at: empty) { $0.norm(axis: 1).sum() }.shape, [2, 0])
    }
}
