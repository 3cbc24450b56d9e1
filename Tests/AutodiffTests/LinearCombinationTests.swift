import XCTest
@testable import Autodiff

final class LinearCombinationTests: XCTestCase {
    typealias T = OpTestSupport

    func checkForward<S: TensorScalar>(_: S.Type) {
        let tolerance = S.self == Float.self ? 1e-5 : 1e-14
        // 37 elements: two 16-lane blocks and a scalar tail.
        let base = T.converted(T.random([37], seed: 50), to: S.self)
        let terms = (0..<4).map { T.converted(T.random([37], seed: 51 + UInt64($0)), to: S.self) }
        let coefficients = [0.5, -2, 0, 1.0 / 3]
        func expected(withBase: Bool) -> [Double] {
            (0..<37).map { i in
                (0..<4).reduce(withBase ? Double(base.scalars[i]) : 0) { $0 + coefficients[$1] * Double(terms[$1].scalars[i]) }
            }
        }
        T.assertValues(linearCombination(base: base, coefficients: coefficients, terms: terms), shape: [37],
                       expected(withBase: true), tolerance: tolerance)
        T.assertValues(linearCombination(base: nil, coefficients: coefficients, terms: terms), shape: [37],
                       expected(withBase: false), tolerance: tolerance)
        T.assertValues(linearCombination(base: base, coefficients: [], terms: []), shape: [37],
                       base.scalars.map(Double.init), tolerance: 0)
        let matrix = T.converted(T.random([3, 5], seed: 60), to: S.self)
        T.assertValues(linearCombination(base: nil, coefficients: [2, 1], terms: [matrix, matrix]), shape: [3, 5],
                       matrix.scalars.map { 3 * Double($0) }, tolerance: tolerance)
    }

    func testLinearCombinationMatchesLoopsFloat() { checkForward(Float.self) }
    func testLinearCombinationMatchesLoopsDouble() { checkForward(Double.self) }

    func testLinearCombinationGradientsMatchFiniteDifferencesWithFanOutAndZeroCoefficient() throws {
        let a = T.random([2, 19], seed: 61), b = T.random([2, 19], seed: 62), c = T.random([2, 19], seed: 63)
        try T.assertGradientsMatchFiniteDifferences(at: [a, b, c]) { xs in
            linearCombination(base: xs[0], coefficients: [0.25, -1.5, 0, 2], terms: [xs[1], xs[2], xs[0], xs[1]]) * xs[2]
        }
        try T.assertGradientsMatchFiniteDifferences(at: [a, b]) { xs in
            linearCombination(base: nil, coefficients: [0.7, 0], terms: [xs[0], xs[1]]) * xs[0]
        }
        let grads = try valueWithGradient(at: [a, b]) { xs in
            linearCombination(base: xs[0], coefficients: [3, 0], terms: [xs[1], xs[1]]).sum()
        }.gradients
        XCTAssertEqual(grads[0].scalars, Array(repeating: 1, count: 38))
        XCTAssertEqual(grads[1].scalars, Array(repeating: 3, count: 38))
        XCTAssertEqual(try T.recordedEntries(at: [a, b, c]) { xs in
            linearCombination(base: xs[0], coefficients: [1, 2], terms: [xs[1], xs[2]])
        }, 1)
    }

    func checkInPlace<S: TensorScalar>(_: S.Type) {
        let tolerance = S.self == Float.self ? 1e-5 : 1e-14
        let base = T.converted(T.random([40], seed: 64), to: S.self)
        let k1 = T.converted(T.random([40], seed: 65), to: S.self), k2 = T.converted(T.random([40], seed: 66), to: S.self)
        var scratch = Tensor<S>.zeros([40])
        let pointer = scratch.storage.pointer
        let bytes = TensorMemory.liveBytes
        scratch.formLinearCombination(base: base, coefficients: [0.5, 2], terms: [k1, k2])
        XCTAssertEqual(scratch.storage.pointer, pointer, "written in place")
        XCTAssertEqual(TensorMemory.liveBytes, bytes, "no tensor allocated")
        let expected = (0..<40).map { Double(base.scalars[$0]) + 0.5 * Double(k1.scalars[$0]) + 2 * Double(k2.scalars[$0]) }
        T.assertValues(scratch, shape: [40], expected, tolerance: tolerance)
        scratch.addLinearCombination(coefficients: [-1], terms: [k1])
        XCTAssertEqual(scratch.storage.pointer, pointer, "accumulated in place")
        XCTAssertEqual(TensorMemory.liveBytes, bytes, "no tensor allocated")
        T.assertValues(scratch, shape: [40], zip(expected, k1.scalars).map { $0 - Double($1) }, tolerance: tolerance)

        // A shared buffer is not overwritten: the copy keeps its value.
        let copy = scratch
        scratch.addLinearCombination(coefficients: [1], terms: [k2])
        XCTAssertNotEqual(scratch.storage.pointer, copy.storage.pointer)
        T.assertValues(copy, shape: [40], zip(expected, k1.scalars).map { $0 - Double($1) }, tolerance: tolerance)
    }

    func testInPlaceFormsWriteIntoTheirOwnBufferWhenNothingRecordsFloat() { checkInPlace(Float.self) }
    func testInPlaceFormsWriteIntoTheirOwnBufferWhenNothingRecordsDouble() { checkInPlace(Double.self) }

    func testInPlaceFormWritesInPlaceForConstantsWhileATapeRecords() throws {
        let y0 = T.random([64], seed: 69), k = T.random([64], seed: 70)
        var scratch = Tensor<Double>.zeros([64])
        let pointer = scratch.storage.pointer
        let grad = try gradient(at: k) { kk in
            scratch.formLinearCombination(base: y0, coefficients: [2], terms: [y0])   // constants only
            return (kk * scratch).sum()
        }
        XCTAssertEqual(scratch.storage.pointer, pointer, "constants are combined in place even while recording")
        XCTAssertEqual(grad.scalars, y0.scalars.map { 3 * $0 })
    }

    func testInPlaceFormsAreRecordedWhenAnInputIsOnTheTape() throws {
        let y0 = T.random([7], seed: 67), k = T.random([7], seed: 68)
        try T.assertGradientsMatchFiniteDifferences(at: [y0, k]) { xs in
            var state = Tensor<Double>.zeros([7])
            state.formLinearCombination(base: xs[0], coefficients: [0.3], terms: [xs[1]])
            state.addLinearCombination(coefficients: [2, -1], terms: [xs[1] * xs[1], xs[0]])
            return state * xs[1]
        }
    }
}
