import XCTest
import Foundation
@testable import Autodiff

/// Forward values of the element-wise ops against Foundation computed here, finite-difference gradient
/// checks in Double for every op, PyTorch's derivative conventions at kinks, and one tape entry per op.
final class ElementwiseTests: XCTestCase {
    /// 37 points in [low, high] (not a multiple of any vector width, so the tail path runs), spaced to
    /// avoid 0 when `low < 0 < high` for ops with a kink there.
    func samples(_ low: Double, _ high: Double, count: Int = 37) -> [Double] {
        (0..<count).map { low + (high - low) * (Double($0) + 0.37) / Double(count) }
    }

    /// Asserts `op(x)` equals `reference` element by element within `ulps` units in the last place.
    func assertForward<S: TensorScalar>(_ name: String, _ type: S.Type, _ inputs: [Double], ulps: Double = 3,
                                        _ op: (Tensor<S>) -> Tensor<S>, _ reference: (Double) -> Double,
                                        file: StaticString = #filePath, line: UInt = #line) {
        let x = Tensor<S>(inputs.map { S($0) })
        let y = op(x)
        XCTAssertEqual(y.shape, x.shape, file: file, line: line)
        for (input, output) in zip(x.scalars, y.scalars) {
            let expected = reference(Double(input))
            let tolerance = ulps * Double(S(expected).ulp)
            XCTAssertEqual(Double(output), expected, accuracy: tolerance,
                           "\(name)<\(S.self)>(\(input))", file: file, line: line)
        }
    }

    func checkForwardValues<S: TensorScalar>(_ type: S.Type) {
        let wide = samples(-20, 20), positive = samples(1e-3, 50)
        assertForward("exp", type, wide, { exp($0) }, Foundation.exp)
        assertForward("log", type, positive, { log($0) }, Foundation.log)
        assertForward("sqrt", type, positive, { sqrt($0) }, Foundation.sqrt)
        assertForward("pow 2.5", type, positive, ulps: 4, { pow($0, 2.5) }, { Foundation.pow($0, 2.5) })
        assertForward("pow 2", type, wide, { pow($0, 2) }, { $0 * $0 })
        assertForward("pow 3", type, wide, { pow($0, 3) }, { $0 * $0 * $0 })
        assertForward("pow 0.5", type, positive, { pow($0, 0.5) }, Foundation.sqrt)
        assertForward("pow -1.5", type, positive, ulps: 4, { pow($0, -1.5) }, { Foundation.pow($0, -1.5) })
        assertForward("abs", type, wide, { abs($0) }, Swift.abs)
        assertForward("square", type, wide, { square($0) }, { $0 * $0 })
        assertForward("squared", type, wide, { $0.squared() }, { $0 * $0 })
        assertForward("tanh", type, wide, { tanh($0) }, Foundation.tanh)
        assertForward("sigmoid", type, wide, { sigmoid($0) }, { 1 / (1 + Foundation.exp(-$0)) })
        assertForward("relu", type, wide, { relu($0) }, { Swift.max($0, 0) })
        assertForward("leakyRelu", type, wide, { leakyRelu($0, negativeSlope: 0.2) }, { $0 > 0 ? $0 : 0.2 * $0 })
        assertForward("softplus", type, wide, { softplus($0) }, { Foundation.log1p(Foundation.exp($0)) })
        assertForward("elu", type, wide, { elu($0) }, { $0 > 0 ? $0 : Foundation.expm1($0) })
        assertForward("elu 0.5", type, wide, { elu($0, alpha: 0.5) }, { $0 > 0 ? $0 : 0.5 * Foundation.expm1($0) })
        assertForward("sin", type, samples(-100, 100), { sin($0) }, Foundation.sin)
        assertForward("cos", type, samples(-100, 100), { cos($0) }, Foundation.cos)
        assertForward("clamp", type, wide, { clamp($0, min: -3, max: 5) }, { Swift.min(Swift.max($0, -3), 5) })
    }

    func testForwardValuesMatchFoundationInFloat() { checkForwardValues(Float.self) }
    func testForwardValuesMatchFoundationInDouble() { checkForwardValues(Double.self) }

    func checkSpecialValues<S: TensorScalar>(_ type: S.Type) {
        let x = Tensor<S>([.nan, .infinity, -.infinity, 0, 1000, -1000])
        func values(_ y: Tensor<S>) -> [S] { y.scalars }
        XCTAssertTrue(exp(x).scalars[0].isNaN)
        XCTAssertEqual(Array(exp(x).scalars.dropFirst()), [.infinity, 0, 1, .infinity, 0])
        XCTAssertEqual(Array(log(Tensor<S>([0, -1, .infinity])).scalars.prefix(1)), [-.infinity])
        XCTAssertTrue(log(Tensor<S>([-1])).scalar.isNaN)
        XCTAssertEqual(Array(tanh(x).scalars.dropFirst()), [1, -1, 0, 1, -1])
        XCTAssertEqual(Array(sigmoid(x).scalars.dropFirst()), [1, 0, 0.5, 1, 0])
        XCTAssertEqual(Array(softplus(x).scalars.dropFirst()), [.infinity, 0, S(M_LN2), 1000, 0])
        for op in [exp, log, sqrt, tanh, sigmoid, softplus, { elu($0) }, sin, cos] as [(Tensor<S>) -> Tensor<S>] {
            XCTAssertTrue(op(x).scalars[0].isNaN, "NaN in, NaN out")
        }
        XCTAssertTrue(sin(Tensor<S>([.infinity])).scalar.isNaN)
        XCTAssertTrue(relu(Tensor<S>([.nan])).scalar.isNaN)
    }

    func testSpecialValuesInFloat() { checkSpecialValues(Float.self) }
    func testSpecialValuesInDouble() { checkSpecialValues(Double.self) }

    /// Asserts a finite-difference gradient check of `f` at `inputs` within `tolerance`.
    func assertGradient(_ name: String, at inputs: [Tensor<Double>], tolerance: Double = 1e-6,
                        file: StaticString = #filePath, line: UInt = #line,
                        _ f: @escaping ([Tensor<Double>]) throws -> Tensor<Double>) throws {
        let report = try checkGradients(at: inputs, of: f)
        XCTAssertLessThanOrEqual(report.maxRelativeError, tolerance, "\(name): \(report)", file: file, line: line)
    }

    func testGradientsMatchFiniteDifferences() throws {
        let x = Tensor(shape: [5, 7], scalars: samples(-3, 3, count: 35))
        let positive = Tensor(shape: [5, 7], scalars: samples(0.2, 4, count: 35))
        try assertGradient("exp", at: [x]) { exp($0[0]) }
        try assertGradient("log", at: [positive]) { log($0[0]) }
        try assertGradient("sqrt", at: [positive]) { sqrt($0[0]) }
        try assertGradient("pow 2.5", at: [positive]) { pow($0[0], 2.5) }
        try assertGradient("pow 2", at: [x]) { pow($0[0], 2) }
        // Away from 0, where 3x² is tiny next to the finite-difference rounding of the other elements.
        try assertGradient("pow 3", at: [positive]) { pow($0[0], 3) }
        try assertGradient("pow 3 negative", at: [-positive]) { pow($0[0], 3) }
        try assertGradient("pow 1", at: [x]) { pow($0[0], 1) }
        try assertGradient("pow 0", at: [x]) { pow($0[0], 0) + $0[0] }
        try assertGradient("abs", at: [x]) { abs($0[0]) }
        try assertGradient("square", at: [x]) { square($0[0]) }
        try assertGradient("tanh", at: [x]) { tanh($0[0]) }
        try assertGradient("sigmoid", at: [x]) { sigmoid($0[0]) }
        try assertGradient("relu", at: [x]) { relu($0[0]) }
        try assertGradient("leakyRelu", at: [x]) { leakyRelu($0[0], negativeSlope: 0.1) }
        try assertGradient("softplus", at: [x]) { softplus($0[0]) }
        try assertGradient("elu", at: [x]) { elu($0[0]) }
        try assertGradient("elu 0.7", at: [x]) { elu($0[0], alpha: 0.7) }
        try assertGradient("sin", at: [x * 10]) { sin($0[0]) }
        try assertGradient("cos", at: [x * 10]) { cos($0[0]) }
        try assertGradient("clamp", at: [x]) { clamp($0[0], min: -1.55, max: 2.05) }
        // Composition with fan-out: the same input through several ops.
        try assertGradient("composite", at: [x]) { xs in tanh(xs[0]) * sigmoid(xs[0]) + softplus(xs[0] * 2) }
    }

    func testPowerOfTwoTensorsBroadcastsBothWays() throws {
        let base = Tensor(shape: [3, 4], scalars: samples(0.3, 3, count: 12))
        let row = Tensor([0.5, 1.5, 2, -0.7])
        let column = Tensor(shape: [3, 1], scalars: [1.2, 0.4, 2.5])
        try assertGradient("pow matrix^row", at: [base, row]) { pow($0[0], $0[1]) }
        try assertGradient("pow column^matrix", at: [column, Tensor(shape: [3, 4], scalars: samples(-2, 2, count: 12))]) {
            pow($0[0], $0[1])
        }
        let y = pow(base, row)
        for i in 0..<3 {
            for j in 0..<4 {
                XCTAssertEqual(y[scalarAt: [i, j]], Foundation.pow(base[scalarAt: [i, j]], row.scalars[j]), accuracy: 1e-12)
            }
        }
    }

    func testDerivativesAtZeroFollowPyTorch() throws {
        let zero = Tensor<Double>([0, 0])
        XCTAssertEqual(try gradient(at: zero) { abs($0).sumAll() }.scalars, [0, 0], "d|x|/dx at 0 is 0")
        XCTAssertEqual(try gradient(at: zero) { relu($0).sumAll() }.scalars, [0, 0], "relu'(0) is 0")
        XCTAssertEqual(try gradient(at: zero) { leakyRelu($0, negativeSlope: 0.1).sumAll() }.scalars, [0.1, 0.1])
        XCTAssertEqual(try gradient(at: zero) { elu($0, alpha: 0.5).sumAll() }.scalars, [0.5, 0.5])
        XCTAssertEqual(try gradient(at: Tensor<Double>([-1, 2])) { clamp($0, min: -1, max: 2).sumAll() }.scalars, [1, 1],
                       "clamp passes the gradient at its bounds")
        XCTAssertEqual(try gradient(at: zero) { pow($0, 0).sumAll() }.scalars, [0, 0])
    }

    func testEachOpIsOneTapeEntry() throws {
        let x = Tensor<Float>(shape: [3, 5], scalars: (0..<15).map { Float($0) / 7 - 1 })
        let ops: [(String, (Tensor<Float>) -> Tensor<Float>)] = [
            ("exp", exp), ("log", { log($0) }), ("sqrt", sqrt), ("tanh", tanh), ("sigmoid", sigmoid),
            ("relu", relu), ("softplus", softplus), ("elu", { elu($0) }), ("sin", sin), ("cos", cos),
            ("abs", abs), ("square", square), ("pow", { pow($0, 1.5) }),
        ]
        for (name, op) in ops {
            _ = try valueWithGradient(at: x) { x in
                let before = TapeStatistics.liveEntryCount
                let y = op(x)
                XCTAssertEqual(TapeStatistics.liveEntryCount - before, 1, "\(name) records one tape entry")
                return y.sumAll()
            }
        }
    }

    func testFloatGradientsAgreeWithDouble() throws {
        let values = samples(-3, 3, count: 21)
        let xf = Tensor<Float>(values.map { Float($0) }), xd = Tensor<Double>(values)
        let gf = try gradient(at: xf) { (tanh($0) * sigmoid($0) + softplus($0) + elu($0) + sin($0)).sumAll() }
        let gd = try gradient(at: xd) { (tanh($0) * sigmoid($0) + softplus($0) + elu($0) + sin($0)).sumAll() }
        for (f, d) in zip(gf.scalars, gd.scalars) { XCTAssertEqual(Double(f), d, accuracy: 1e-5) }
    }
}
