import XCTest
import Foundation
@testable import Autodiff

final class ReductionTests: XCTestCase {
    typealias T = OpTestSupport

    /// Independent reduction: groups the elements of `x` by their index on the kept axes and applies
    /// `combine` to each group (in row-major order of the kept axes).
    func reference<S: TensorScalar>(_ x: Tensor<S>, axes: [Int], _ combine: ([Double]) -> Double) -> [Double] {
        let reducedAxes = Set(axes.map { $0 < 0 ? $0 + x.rank : $0 })
        var kept = x.shape
        for a in reducedAxes { kept[a] = 1 }
        var groups = [[Double]](repeating: [], count: kept.reduce(1, *))
        for flat in 0..<x.scalarCount {
            var index = T.multiIndex(flat, x.shape)
            for a in reducedAxes { index[a] = 0 }
            groups[T.flatIndex(index, kept)].append(Double(x.scalars[flat]))
        }
        return groups.map(combine)
    }

    func expectedShape(_ shape: [Int], axes: [Int], keepDims: Bool) -> [Int] {
        let reduced = Set(axes.map { $0 < 0 ? $0 + shape.count : $0 })
        return keepDims ? shape.enumerated().map { reduced.contains($0.offset) ? 1 : $0.element }
            : shape.enumerated().filter { !reduced.contains($0.offset) }.map(\.element)
    }

    static let axisSets: [[Int]] = [[0], [1], [2], [-1], [-3], [0, 1], [1, 2], [0, 2], [-1, 0], [0, 1, 2]]

    func checkReductions<S: TensorScalar>(_: S.Type) {
        let tolerance = S.self == Float.self ? 1e-5 : 1e-13
        let x = T.converted(T.random([3, 4, 5], seed: 20), to: S.self)
        let sum: ([Double]) -> Double = { $0.reduce(0, +) }
        let mean: ([Double]) -> Double = { $0.reduce(0, +) / Double($0.count) }
        let maximum: ([Double]) -> Double = { $0.max()! }
        let lse: ([Double]) -> Double = { xs in Foundation.log(xs.reduce(0) { $0 + Foundation.exp($1) }) }
        for axes in Self.axisSets {
            for keepDims in [false, true] {
                let shape = expectedShape(x.shape, axes: axes, keepDims: keepDims)
                T.assertValues(x.sum(axes: axes, keepDims: keepDims), shape: shape, reference(x, axes: axes, sum), tolerance: tolerance)
                T.assertValues(x.mean(axes: axes, keepDims: keepDims), shape: shape, reference(x, axes: axes, mean), tolerance: tolerance)
                T.assertValues(x.max(axes: axes, keepDims: keepDims), shape: shape, reference(x, axes: axes, maximum), tolerance: 0)
                T.assertValues(x.logSumExp(axes: axes, keepDims: keepDims), shape: shape, reference(x, axes: axes, lse), tolerance: tolerance)
                if axes.count == 1 {
                    let a = axes[0]
                    T.assertValues(x.sum(axis: a, keepDims: keepDims), shape: shape, reference(x, axes: axes, sum), tolerance: tolerance)
                    T.assertValues(x.mean(axis: a, keepDims: keepDims), shape: shape, reference(x, axes: axes, mean), tolerance: tolerance)
                    T.assertValues(x.max(axis: a, keepDims: keepDims), shape: shape, reference(x, axes: axes, maximum), tolerance: 0)
                    T.assertValues(x.logSumExp(axis: a, keepDims: keepDims), shape: shape, reference(x, axes: axes, lse), tolerance: tolerance)
                }
            }
        }
        T.assertValues(x.sum(), shape: [], [x.scalars.map(Double.init).reduce(0, +)], tolerance: tolerance)
        T.assertValues(x.mean(), shape: [], [x.scalars.map(Double.init).reduce(0, +) / 60], tolerance: tolerance)
        T.assertValues(x.max(), shape: [], [Double(x.scalars.max()!)], tolerance: 0)
        T.assertValues(x.logSumExp(), shape: [], reference(x, axes: [0, 1, 2], lse), tolerance: tolerance)
        T.assertValues(Tensor<S>(S(2.5)).sum(), shape: [], [2.5], tolerance: 0)
        // A long row exercises the pairwise path.
        let long = T.converted(T.random([3, 1000], seed: 21), to: S.self)
        T.assertValues(long.sum(axis: -1), shape: [3], reference(long, axes: [1], sum), tolerance: tolerance * 30)
        T.assertValues(long.sum(axis: 0), shape: [1000], reference(long, axes: [0], sum), tolerance: tolerance)
    }

    func testReductionsMatchLoopsForEveryAxisSetFloat() { checkReductions(Float.self) }
    func testReductionsMatchLoopsForEveryAxisSetDouble() { checkReductions(Double.self) }

    func testReductionGradientsMatchFiniteDifferencesForEveryAxisSet() throws {
        let x = T.random([3, 4, 5], seed: 22)
        for axes in Self.axisSets {
            for keepDims in [false, true] {
                try T.assertGradientsMatchFiniteDifferences(at: [x]) { xs in xs[0].sum(axes: axes, keepDims: keepDims) * xs[0].mean(axes: axes, keepDims: keepDims) }
                try T.assertGradientsMatchFiniteDifferences(at: [x]) { xs in xs[0].max(axes: axes, keepDims: keepDims) }
                try T.assertGradientsMatchFiniteDifferences(at: [x]) { xs in xs[0].logSumExp(axes: axes, keepDims: keepDims) }
            }
        }
        try T.assertGradientsMatchFiniteDifferences(at: [x]) { xs in xs[0].sum(axis: -2, keepDims: true) * xs[0] }
        try T.assertGradientsMatchFiniteDifferences(at: [x]) { xs in xs[0].mean(axis: 0) * xs[0].max(axis: -1, keepDims: true) }
        try T.assertGradientsMatchFiniteDifferences(at: [x]) { xs in xs[0].sum() * xs[0].mean() + xs[0].max() + xs[0].logSumExp() }
    }

    func testReductionsOverEmptyAxesGiveIdentityElements() {
        let empty = Tensor<Double>.zeros([0, 3])
        XCTAssertEqual(empty.sum(axis: 0).scalars, [0, 0, 0])
        XCTAssertEqual(empty.sum(axis: 1).shape, [0])
        XCTAssertEqual(empty.sum().scalar, 0)
        XCTAssertTrue(empty.mean().scalar.isNaN)
        XCTAssertEqual(empty.logSumExp(axis: 0).scalars, [-.infinity, -.infinity, -.infinity])
        let x = Tensor<Double>([[1, 2, 3]])
        XCTAssertEqual(concatenated([empty, x, empty]).scalars, [1, 2, 3])
        XCTAssertEqual(x.gathering(indices: []).shape, [0, 3])
    }

    func testMaxSendsTheGradientToTheFirstMaximum() {
        let x = Tensor<Double>([[1, 3, 3], [2, 2, 0]])
        XCTAssertEqual(try gradient(at: x) { $0.max(axis: 1).sum() }.scalars, [0, 1, 0, 1, 0, 0])
        XCTAssertEqual(try gradient(at: x) { $0.max() }.scalars, [0, 1, 0, 0, 0, 0])
        XCTAssertEqual(try gradient(at: x) { $0.max(axis: 0).sum() }.scalars, [0, 1, 1, 1, 0, 0])
        XCTAssertTrue(Tensor<Double>([1, .nan, 2]).max().scalar.isNaN, "NaN propagates")
    }

    /// Rows of 45 elements exercise the vectorised last-axis path (16/8 lanes) and its scalar tail.
    func checkLongRowMaximum<S: TensorScalar>(_: S.Type) throws {
        var rows = [[S]](repeating: (0..<45).map { S(($0 * 37) % 11) - 20 }, count: 4)
        rows[0][5] = 7; rows[0][33] = 7          // a tie: the first one wins
        rows[1][44] = 9                          // in the scalar tail
        rows[2][10] = 3; rows[2][37] = .nan      // NaN wins
        rows[3] = rows[3].map { _ in -S.infinity }
        let x = Tensor<S>(rows)
        let m = x.max(axis: -1)
        XCTAssertEqual(m.scalars[0], 7)
        XCTAssertEqual(m.scalars[1], 9)
        XCTAssertTrue(m.scalars[2].isNaN)
        XCTAssertEqual(m.scalars[3], -S.infinity)
        let g = try gradient(at: x) { $0.max(axis: 1).sum() }
        let hot = g.scalars.indices.filter { g.scalars[$0] != 0 }
        XCTAssertEqual(hot, [5, 45 + 44, 90 + 37, 135])
    }

    func testLongRowMaximumPicksFirstMaximumAndNaNFloat() throws { try checkLongRowMaximum(Float.self) }
    func testLongRowMaximumPicksFirstMaximumAndNaNDouble() throws { try checkLongRowMaximum(Double.self) }

    func testLogSumExpIsStableForLargeAndInfiniteInputs() {
        let x = Tensor<Float>([[1000, 1000], [-1000, -1000]])
        T.assertValues(x.logSumExp(axis: 1), shape: [2], [1000 + log(2.0), -1000 + log(2.0)], tolerance: 1e-6)
        let y = Tensor<Double>([-.infinity, -.infinity])
        XCTAssertEqual(y.logSumExp().scalar, -.infinity)
        let z = Tensor<Double>([-.infinity, 0])
        XCTAssertEqual(z.logSumExp().scalar, 0)
    }

    /// softmax along `axis` by loops over the groups of `reference`, scattered back to x's layout.
    func softmaxReference<S: TensorScalar>(_ x: Tensor<S>, axis: Int, logarithm: Bool) -> [Double] {
        let a = axis < 0 ? axis + x.rank : axis
        return (0..<x.scalarCount).map { flat in
            let index = T.multiIndex(flat, x.shape)
            let row = (0..<x.shape[a]).map { k -> Double in
                var i = index; i[a] = k
                return Double(x.scalars[T.flatIndex(i, x.shape)])
            }
            let m = row.max()!
            let z = row.reduce(0) { $0 + Foundation.exp($1 - m) }
            let v = Double(x.scalars[flat])
            return logarithm ? v - m - Foundation.log(z) : Foundation.exp(v - m) / z
        }
    }

    func checkSoftmax<S: TensorScalar>(_: S.Type) {
        let tolerance = S.self == Float.self ? 1e-5 : 1e-13
        let x = T.converted(T.random([3, 4, 5], seed: 23) * 3, to: S.self)
        for axis in [-1, 0, 1, 2, -2] {
            T.assertValues(softmax(x, axis: axis), shape: x.shape, softmaxReference(x, axis: axis, logarithm: false), tolerance: tolerance)
            T.assertValues(logSoftmax(x, axis: axis), shape: x.shape, softmaxReference(x, axis: axis, logarithm: true), tolerance: tolerance)
        }
        T.assertValues(softmax(x).sum(axis: -1), shape: [3, 4], Array(repeating: 1, count: 12), tolerance: tolerance)
        // Rows of 37 take the vectorised maximum and its tail.
        let long = T.converted(T.random([2, 37], seed: 26) * 4, to: S.self)
        T.assertValues(softmax(long), shape: [2, 37], softmaxReference(long, axis: -1, logarithm: false), tolerance: tolerance)
        T.assertValues(logSoftmax(long), shape: [2, 37], softmaxReference(long, axis: -1, logarithm: true), tolerance: tolerance)
        var withNaN = long.scalars
        withNaN[3] = .nan
        let propagated = softmax(Tensor<S>(shape: [2, 37], scalars: withNaN)).scalars
        XCTAssertTrue(propagated[..<37].allSatisfy(\.isNaN), "a NaN makes its row NaN")
        XCTAssertFalse(propagated[37...].contains(where: \.isNaN), "other rows are unaffected")
        let large = Tensor<S>([[S(1000), S(999), S(-1000)]])
        T.assertValues(softmax(large), shape: [1, 3], [1 / (1 + exp(-1.0)), exp(-1.0) / (1 + exp(-1.0)), 0], tolerance: tolerance)
        T.assertValues(logSoftmax(large), shape: [1, 3], [-log(1 + exp(-1.0)), -1 - log(1 + exp(-1.0)), -2000 - log(1 + exp(-1.0))],
                       tolerance: tolerance)
    }

    func testSoftmaxFamilyMatchesLoopsAlongEveryAxisFloat() { checkSoftmax(Float.self) }
    func testSoftmaxFamilyMatchesLoopsAlongEveryAxisDouble() { checkSoftmax(Double.self) }

    func testSoftmaxFamilyGradientsMatchFiniteDifferences() throws {
        let x = T.random([3, 4, 5], seed: 24)
        for axis in [-1, 0, 1] {
            try T.assertGradientsMatchFiniteDifferences(at: [x]) { xs in softmax(xs[0], axis: axis) }
            try T.assertGradientsMatchFiniteDifferences(at: [x]) { xs in logSoftmax(xs[0], axis: axis) * xs[0] }
        }
    }

    func testEachReductionAndSoftmaxIsOneTapeEntry() throws {
        let x = T.random([3, 4, 5], seed: 25)
        XCTAssertEqual(try T.recordedEntries(at: [x]) { $0[0].sum(axes: [0, 2]) }, 1)
        XCTAssertEqual(try T.recordedEntries(at: [x]) { $0[0].mean(axis: 1, keepDims: true) }, 1)
        XCTAssertEqual(try T.recordedEntries(at: [x]) { $0[0].max(axis: -1) }, 1)
        XCTAssertEqual(try T.recordedEntries(at: [x]) { $0[0].logSumExp(axis: 0) }, 1)
        XCTAssertEqual(try T.recordedEntries(at: [x]) { softmax($0[0], axis: 1) }, 1)
        XCTAssertEqual(try T.recordedEntries(at: [x]) { logSoftmax($0[0]) }, 1)
    }
}
