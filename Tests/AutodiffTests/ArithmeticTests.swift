import XCTest
@testable import Autodiff

final class ArithmeticTests: XCTestCase {
    typealias T = OpTestSupport

    /// Shape pairs covering equal shapes, broadcasting in both directions, rank 0 on either side, and
    /// the outer-product pattern [2, 1] × [1, 3].
    static let shapePairs: [([Int], [Int])] = [
        ([2, 3], [2, 3]), ([2, 3], [3]), ([3], [2, 3]), ([], [2, 3]), ([2, 3], []), ([], []),
        ([2, 1], [1, 3]), ([1, 3], [2, 1]), ([4, 1, 3], [2, 1]), ([2, 3], [2, 1]), ([1], [2, 3]),
    ]

    /// Broadcasting computed independently: index each operand by the trailing components of the
    /// output index, using 0 where its extent is 1.
    func reference<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>, _ op: (Double, Double) -> Double) -> ([Int], [Double]) {
        let rank = Swift.max(a.rank, b.rank)
        let pa = [Int](repeating: 1, count: rank - a.rank) + a.shape
        let pb = [Int](repeating: 1, count: rank - b.rank) + b.shape
        let shape = zip(pa, pb).map { Swift.max($0, $1) }
        let values = (0..<shape.reduce(1, *)).map { flat -> Double in
            let index = T.multiIndex(flat, shape)
            let ia = T.flatIndex(zip(index, pa).map { $1 == 1 ? 0 : $0 }, pa)
            let ib = T.flatIndex(zip(index, pb).map { $1 == 1 ? 0 : $0 }, pb)
            return op(Double(a.scalars[ia]), Double(b.scalars[ib]))
        }
        return (shape, values)
    }

    /// A tensor with values in [1.5, 3.5) or (−3.5, −1.5]: safe denominators.
    func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor<Double> {
        let x = T.random(shape, seed: seed)
        return Tensor(shape: shape, scalars: x.scalars.map { ($0 < 0 ? -1 : 1) * (1.5 + Swift.min(abs($0), 2)) })
    }

    func checkBinaryForward<S: TensorScalar>(_: S.Type) {
        let tolerance = S.self == Float.self ? 1e-6 : 1e-15
        for (i, (sa, sb)) in Self.shapePairs.enumerated() {
            let a = T.converted(T.random(sa, seed: 70 + UInt64(i)), to: S.self)
            let b = T.converted(awayFromZero(sb, seed: 90 + UInt64(i)), to: S.self)
            let add = reference(a, b, +), subtract = reference(a, b, -)
            let multiply = reference(a, b, *), divide = reference(a, b, /)
            T.assertValues(a + b, shape: add.0, add.1, tolerance: tolerance)
            T.assertValues(a - b, shape: subtract.0, subtract.1, tolerance: tolerance)
            T.assertValues(a * b, shape: multiply.0, multiply.1, tolerance: tolerance)
            T.assertValues(a / b, shape: divide.0, divide.1, tolerance: tolerance)
        }
    }

    func testBroadcastingArithmeticMatchesLoopsFloat() { checkBinaryForward(Float.self) }
    func testBroadcastingArithmeticMatchesLoopsDouble() { checkBinaryForward(Double.self) }

    func checkScalarForward<S: TensorScalar>(_: S.Type) {
        let tolerance = S.self == Float.self ? 1e-6 : 1e-15
        let x = T.converted(awayFromZero([2, 3], seed: 110), to: S.self)
        let v = x.scalars.map(Double.init)
        let s = S(1.75)
        var cases: [(Tensor<S>, [Double])] = []
        cases.append((x + s, v.map { $0 + 1.75 }))
        cases.append((s + x, v.map { 1.75 + $0 }))
        cases.append((x - s, v.map { $0 - 1.75 }))
        cases.append((s - x, v.map { 1.75 - $0 }))
        cases.append((x * s, v.map { $0 * 1.75 }))
        cases.append((s * x, v.map { 1.75 * $0 }))
        cases.append((x / s, v.map { $0 / 1.75 }))
        cases.append((s / x, v.map { 1.75 / $0 }))
        cases.append((-x, v.map { -$0 }))
        for (k, (actual, expected)) in cases.enumerated() {
            T.assertValues(actual, shape: [2, 3], expected, tolerance: tolerance)
            XCTAssertEqual(actual.shape, [2, 3], "case \(k)")
        }
        var y = x
        y += x; y -= x * s; y *= x; y /= x; y *= s
        let expected = v.map { (e: Double) -> Double in (e + e - e * 1.75) * e / e * 1.75 }
        T.assertValues(y, shape: [2, 3], expected, tolerance: tolerance * 10)
    }

    func testScalarOverloadsNegationAndCompoundAssignmentMatchLoopsFloat() { checkScalarForward(Float.self) }
    func testScalarOverloadsNegationAndCompoundAssignmentMatchLoopsDouble() { checkScalarForward(Double.self) }

    func testBroadcastingArithmeticGradientsMatchFiniteDifferences() throws {
        for (i, (sa, sb)) in Self.shapePairs.enumerated() {
            let a = T.random(sa, seed: 120 + UInt64(i)), b = awayFromZero(sb, seed: 140 + UInt64(i))
            try T.assertGradientsMatchFiniteDifferences(at: [a, b]) { xs in xs[0] + xs[1] }
            try T.assertGradientsMatchFiniteDifferences(at: [a, b]) { xs in xs[0] - xs[1] }
            try T.assertGradientsMatchFiniteDifferences(at: [a, b]) { xs in xs[0] * xs[1] }
            try T.assertGradientsMatchFiniteDifferences(at: [a, b]) { xs in xs[0] / xs[1] }
            try T.assertGradientsMatchFiniteDifferences(at: [a, b]) { xs in xs[1] / (xs[0] * xs[0] + 1) }
        }
    }

    func testScalarOverloadsAndNegationGradientsMatchFiniteDifferences() throws {
        let x = awayFromZero([2, 3], seed: 160)
        try T.assertGradientsMatchFiniteDifferences(at: [x]) { xs in
            let x = xs[0]
            let first: Tensor<Double> = (x + 2) * (3 + x) - (x - 0.5) * (0.5 - x)
            let second: Tensor<Double> = (x * 1.5) / (2.5 * x) + x / 4
            return first + second + 3 / x + (-x)
        }
        try T.assertGradientsMatchFiniteDifferences(at: [x]) { xs in
            var y = xs[0]
            y += xs[0]; y *= xs[0]; y -= xs[0] * 2; y /= xs[0] + 5; y *= 3
            return y
        }
    }

    func testFanOutAccumulatesGradientsOfEveryUse() throws {
        let x = Tensor<Double>([0.5, -2, 3])
        // f = Σ (x·x·x − x/x + 2x) → f' = 3x² + 2
        let g = try gradient(at: x) { x in (x * x * x - x / x + x * 2).sum() }
        XCTAssertTrue(g.isApproximatelyEqual(to: Tensor(x.scalars.map { 3 * $0 * $0 + 2 }), absoluteTolerance: 1e-14), "\(g)")
        let y = T.random([2, 3], seed: 161), row = T.random([3], seed: 162)
        try T.assertGradientsMatchFiniteDifferences(at: [y, row]) { xs in
            let s = xs[0] * xs[1]
            return s * s + xs[1] / (s * s + 1) - xs[0]
        }
    }
}
