import XCTest
@testable import Autodiff

/// Helpers shared by the op tests (shape, reduction, loss, linear-combination, arithmetic).
enum OpTestSupport {
    /// A seeded standard-normal tensor.
    static func random(_ shape: [Int], seed: UInt64) -> Tensor<Double> {
        var generator = SeededGenerator(seed: seed)
        return Tensor.randomNormal(shape, using: &generator)
    }

    /// The same values in another scalar type.
    static func converted<S: TensorScalar>(_ x: Tensor<Double>, to: S.Type) -> Tensor<S> {
        Tensor(shape: x.shape, scalars: x.scalars.map { S($0) })
    }

    /// Asserts that the tape's gradient of `f` matches central finite differences: every directional
    /// derivative within `tolerance` relative error, or, where a derivative is small and its finite
    /// difference dominated by rounding (~1e-16·|f|/h ≈ 1e-9 here), all within `absoluteTolerance`.
    static func assertGradientsMatchFiniteDifferences(
        at inputs: [Tensor<Double>], tolerance: Double = 1e-6, absoluteTolerance: Double = 1e-8,
        file: StaticString = #filePath, line: UInt = #line, _ f: ([Tensor<Double>]) throws -> Tensor<Double>
    ) throws {
        let report = try checkGradients(at: inputs, of: f)
        XCTAssertTrue(report.maxRelativeError <= tolerance || report.maxAbsoluteError <= absoluteTolerance,
                      "\(report)", file: file, line: line)
        XCTAssertGreaterThan(report.checkedDirections, 0, file: file, line: line)
    }

    /// Asserts shape, then values within `tolerance` (relative to max(1, |expected|)).
    static func assertValues<S: TensorScalar>(_ actual: Tensor<S>, shape: [Int], _ expected: [Double],
                                              tolerance: Double, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.shape, shape, "shape", file: file, line: line)
        XCTAssertEqual(actual.scalarCount, expected.count, "count", file: file, line: line)
        guard actual.scalarCount == expected.count else { return }
        for (i, (a, e)) in zip(actual.scalars, expected).enumerated() {
            XCTAssertEqual(Double(a), e, accuracy: tolerance * Swift.max(1, abs(e)), "element \(i)", file: file, line: line)
        }
    }

    /// Number of tape entries `body` records while differentiating with respect to `inputs`.
    static func recordedEntries(at inputs: [Tensor<Double>], _ body: ([Tensor<Double>]) throws -> Tensor<Double>) throws -> Int {
        var count = 0
        _ = try valueWithPullback(at: inputs) { xs in
            let before = TapeStatistics.liveEntryCount
            let y = try body(xs)
            count = TapeStatistics.liveEntryCount - before
            return y
        }
        return count
    }

    /// Row-major index → multi-index for `shape`.
    static func multiIndex(_ flat: Int, _ shape: [Int]) -> [Int] {
        var rest = flat
        var index = [Int](repeating: 0, count: shape.count)
        for axis in shape.indices.reversed() {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return index
    }

    /// Multi-index → row-major index for `shape`.
    static func flatIndex(_ index: [Int], _ shape: [Int]) -> Int {
        zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 }
    }
}

final class ShapeOpsTests: XCTestCase {
    typealias T = OpTestSupport

    func testFiniteDifferenceHelperRejectsAWrongPullback() throws {
        let x = T.random([3, 2], seed: 99)
        // A doubling recorded with a pullback that forgets the factor 2.
        let report = try checkGradients(at: [x]) { xs in Tensor.record(withoutDerivative(at: xs[0]) * 2, input: xs[0]) { $0 } }
        XCTAssertGreaterThan(report.maxRelativeError, 0.4)
        XCTAssertGreaterThan(report.maxAbsoluteError, 1e-3)
    }

    func checkReshapeForward<S: TensorScalar>(_: S.Type) {
        let x = Tensor<S>(shape: [2, 3, 4], scalars: (0..<24).map { S($0) })
        let y = x.reshaped([4, -1])
        XCTAssertEqual(y.shape, [4, 6])
        XCTAssertEqual(y.scalars, x.scalars)
        XCTAssertTrue(y.storage === x.storage, "reshaped shares the buffer")
        XCTAssertEqual(x.flattened().shape, [24])
        XCTAssertEqual(x.flattened(startAxis: 1).shape, [2, 12])
        XCTAssertEqual(x.flattened(startAxis: -1).shape, [2, 3, 4])
        XCTAssertEqual(x.expandedDimensions(axis: 0).shape, [1, 2, 3, 4])
        XCTAssertEqual(x.expandedDimensions(axis: -1).shape, [2, 3, 4, 1])
        XCTAssertEqual(x.expandedDimensions(axis: 1).shape, [2, 1, 3, 4])
        XCTAssertEqual(x.reshaped([2, 1, 12, 1]).squeezed().shape, [2, 12])
        XCTAssertEqual(x.reshaped([2, 1, 12, 1]).squeezed(axis: -1).shape, [2, 1, 12])
        XCTAssertEqual(x.reshaped([2, 1, 12, 1]).squeezed(axis: 1).shape, [2, 12, 1])
        XCTAssertEqual(Tensor<S>(S(3)).reshaped([1, 1]).shape, [1, 1])
        XCTAssertEqual(Tensor<S>([5]).reshaped([]).shape, [])
    }

    func testReshapeFamilyForwardFloat() { checkReshapeForward(Float.self) }
    func testReshapeFamilyForwardDouble() { checkReshapeForward(Double.self) }

    func testReshapeFamilyGradientsMatchFiniteDifferencesWithFanOut() throws {
        let x = T.random([2, 3, 2], seed: 1)
        try T.assertGradientsMatchFiniteDifferences(at: [x]) { xs in
            xs[0].reshaped([3, -1]) * xs[0].reshaped([3, 4]).transposed().reshaped([3, 4])
        }
        try T.assertGradientsMatchFiniteDifferences(at: [x]) { xs in
            xs[0].expandedDimensions(axis: -2).squeezed(axis: 2).flattened(startAxis: 1) * xs[0].flattened().reshaped([2, 6])
        }
    }

    /// Independent permutation: out[i] = x[j] with j's components the permuted components of i.
    func permuted<S: TensorScalar>(_ x: Tensor<S>, _ axes: [Int]) -> [Double] {
        let newShape = axes.map { x.shape[$0] }
        return (0..<x.scalarCount).map { flat in
            let outIndex = T.multiIndex(flat, newShape)
            var inIndex = [Int](repeating: 0, count: x.rank)
            for (k, axis) in axes.enumerated() { inIndex[axis] = outIndex[k] }
            return Double(x.scalars[T.flatIndex(inIndex, x.shape)])
        }
    }

    func checkTransposeForward<S: TensorScalar>(_: S.Type) {
        let m = T.converted(T.random([37, 70], seed: 2), to: S.self)
        T.assertValues(m.transposed(), shape: [70, 37], permuted(m, [1, 0]), tolerance: 0)
        let x = T.converted(T.random([2, 3, 4], seed: 3), to: S.self)
        for axes in [[2, 0, 1], [0, 2, 1], [1, 0, 2], [2, 1, 0], [0, 1, 2]] {
            T.assertValues(x.transposed(axes), shape: axes.map { x.shape[$0] }, permuted(x, axes), tolerance: 0)
        }
        T.assertValues(x.permuted([-1, 0, -2]), shape: [4, 2, 3], permuted(x, [2, 0, 1]), tolerance: 0)
        T.assertValues(x.transposed(), shape: [4, 3, 2], permuted(x, [2, 1, 0]), tolerance: 0)
    }

    func testTransposeMatchesIndexLoopsFloat() { checkTransposeForward(Float.self) }
    func testTransposeMatchesIndexLoopsDouble() { checkTransposeForward(Double.self) }

    func testTransposeGradientsMatchFiniteDifferences() throws {
        let x = T.random([2, 3, 4], seed: 4)
        let w = T.random([4, 2, 3], seed: 5)
        try T.assertGradientsMatchFiniteDifferences(at: [x, w]) { xs in xs[0].transposed([2, 0, 1]) * xs[1] }
        try T.assertGradientsMatchFiniteDifferences(at: [x]) { xs in xs[0].transposed([0, 2, 1]) * xs[0].transposed([0, -1, 1]) }
        let m = T.random([5, 7], seed: 6)
        try T.assertGradientsMatchFiniteDifferences(at: [m]) { xs in xs[0].transposed() * xs[0].transposed() }
    }

    func checkConcatenation<S: TensorScalar>(_: S.Type) {
        let a = T.converted(T.random([2, 1, 3], seed: 7), to: S.self)
        let b = T.converted(T.random([2, 4, 3], seed: 8), to: S.self)
        let c = T.converted(T.random([2, 2, 3], seed: 9), to: S.self)
        let joined = concatenated([a, b, c], axis: 1)
        var expected: [Double] = []
        for i in 0..<2 {
            for part in [a, b, c] {
                for k in 0..<part.shape[1] {
                    for j in 0..<3 { expected.append(Double(part[scalarAt: [i, k, j]])) }
                }
            }
        }
        T.assertValues(joined, shape: [2, 7, 3], expected, tolerance: 0)
        T.assertValues(concatenated([a, b, c], axis: -2), shape: [2, 7, 3], expected, tolerance: 0)
        T.assertValues(concatenated([a, a], axis: 0), shape: [4, 1, 3], a.scalars.map(Double.init) + a.scalars.map(Double.init), tolerance: 0)

        let s = stacked([a, a * 2, a * 3], axis: 1)
        var stackExpected: [Double] = []
        for i in 0..<2 {
            for factor in 1...3 {
                for j in 0..<3 { stackExpected.append(Double(a[scalarAt: [i, 0, j]]) * Double(factor)) }
            }
        }
        T.assertValues(s, shape: [2, 3, 1, 3], stackExpected, tolerance: 1e-6)
        XCTAssertEqual(stacked([a, b.sliced(0..<1, axis: 1)], axis: -1).shape, [2, 1, 3, 2])
        XCTAssertEqual(stacked([a, a], axis: 0).shape, [2, 2, 1, 3])
    }

    func testConcatenationAndStackingMatchLoopsFloat() { checkConcatenation(Float.self) }
    func testConcatenationAndStackingMatchLoopsDouble() { checkConcatenation(Double.self) }

    func testConcatenationOfThreeDifferentSizesAlongAxisOneHasFiniteDifferenceGradients() throws {
        let a = T.random([2, 1, 3], seed: 10), b = T.random([2, 4, 3], seed: 11), c = T.random([2, 2, 3], seed: 12)
        try T.assertGradientsMatchFiniteDifferences(at: [a, b, c]) { xs in
            concatenated([xs[0], xs[1], xs[2]], axis: 1) * concatenated([xs[2], xs[0], xs[1]], axis: 1)
        }
        try T.assertGradientsMatchFiniteDifferences(at: [a, b]) { xs in
            stacked([xs[0], xs[1].sliced(1..<2, axis: 1), xs[0]], axis: -1) * 3
        }
        XCTAssertEqual(try T.recordedEntries(at: [a, b, c]) { xs in concatenated(xs, axis: 1) }, 1)
        XCTAssertEqual(try T.recordedEntries(at: [a, b, c]) { xs in stacked([xs[0], xs[0]], axis: 0) }, 1)
    }

    func checkSlicingAndGathering<S: TensorScalar>(_: S.Type) {
        let x = Tensor<S>(shape: [3, 4, 2], scalars: (0..<24).map { S($0) })
        // x[i, k, j] = 8i + 2k + j
        func value(_ i: Int, _ k: Int, _ j: Int) -> Double { Double(8 * i + 2 * k + j) }
        func expected(_ ks: [Int]) -> [Double] {
            var out: [Double] = []
            for i in 0..<3 { for k in ks { for j in 0..<2 { out.append(value(i, k, j)) } } }
            return out
        }
        T.assertValues(x.sliced(1..<3, axis: 1), shape: [3, 2, 2], expected([1, 2]), tolerance: 0)
        T.assertValues(x[2..<3], shape: [1, 4, 2], (16..<24).map(Double.init), tolerance: 0)
        T.assertValues(x.sliced(1..<2, axis: -1), shape: [3, 4, 1], (0..<12).map { Double(2 * $0 + 1) }, tolerance: 0)
        let g = x.gathering(indices: [3, 0, 3, -1], axis: 1)
        T.assertValues(g, shape: [3, 4, 2], expected([3, 0, 3, 3]), tolerance: 0)
        T.assertValues(x.gathering(indices: [2, 2]), shape: [2, 4, 2], (16..<24).map(Double.init) + (16..<24).map(Double.init), tolerance: 0)
    }

    func testSlicingAndGatheringMatchLoopsFloat() { checkSlicingAndGathering(Float.self) }
    func testSlicingAndGatheringMatchLoopsDouble() { checkSlicingAndGathering(Double.self) }

    func testGatheringWithRepeatedIndicesAccumulatesGradient() throws {
        let x = T.random([4, 3], seed: 13)
        let grad = try gradient(at: x) { $0.gathering(indices: [1, 3, 1, 1]).sum() }
        XCTAssertEqual(grad.scalars, [0, 0, 0, 3, 3, 3, 0, 0, 0, 1, 1, 1])
        try T.assertGradientsMatchFiniteDifferences(at: [x]) { xs in
            xs[0].gathering(indices: [2, 0, 2, 2], axis: -1) * xs[0].gathering(indices: [3, 3, 0, 1], axis: 0).transposed().gathering(indices: [0, 1, 2, 2])
        }
        try T.assertGradientsMatchFiniteDifferences(at: [x]) { xs in
            xs[0].sliced(1..<3, axis: 1)[0..<3] * xs[0][1..<4].sliced(0..<2, axis: -1)
        }
    }
}
