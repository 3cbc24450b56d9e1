import Foundation
import XCTest
@testable import Autodiff

/// Second (and third) derivatives of the element-wise ops, the activations, arithmetic, the linear
/// combination and the norm: every pullback must record its cotangents while a derivative is being
/// differentiated. Each check compares the tape with an oracle computed here: central differences of
/// first derivatives (`checkSecondDerivatives`), closed forms, or an analytic Hessian.
final class SecondOrderElementwiseTests: XCTestCase {
    /// Tolerance of every `checkSecondDerivatives` comparison (relative, in `Double`).
    let tolerance = 1e-6

    /// Seeded values of magnitude in `magnitudes`; with `alternating`, every other element is negated
    /// (so both branches of a piecewise op are always present), otherwise signs are random when `signed`.
    func sample(_ shape: [Int], _ magnitudes: ClosedRange<Double>, signed: Bool = false, alternating: Bool = false,
                seed: UInt64) -> Tensor<Double> {
        var generator = SeededGenerator(seed: seed)
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<count).map { i in
            let m = Double.random(in: magnitudes, using: &generator)
            if alternating { return i.isMultiple(of: 2) ? m : -m }
            return signed && Bool.random(using: &generator) ? -m : m
        })
    }

    /// Runs `checkSecondDerivatives`, asserts the relative error (the scaled one when some elements of
    /// the second derivative are legitimately tiny, `scaledBecause` saying why), prints it, and returns it.
    @discardableResult
    func assertSecondOrder(_ name: String, at inputs: [Tensor<Double>], scaledBecause reason: String? = nil,
                           file: StaticString = #filePath, line: UInt = #line,
                           _ f: @escaping ([Tensor<Double>]) throws -> Tensor<Double>) throws -> Double {
        let report = try checkSecondDerivatives(at: inputs, of: f)
        let error = reason == nil ? report.maxRelativeError : report.maxScaledError
        XCTAssertLessThan(error, tolerance, "\(name): \(report)", file: file, line: line)
        XCTAssertFalse(error.isNaN, "\(name): \(report)", file: file, line: line)
        print("[second order] \(name): max \(reason == nil ? "relative" : "scaled") error \(error)")
        return error
    }

    /// The unary op alone (its saved input is recorded) and with a recorded cotangent (`op(x)·sin x`).
    func assertUnary(_ name: String, at x: Tensor<Double>, file: StaticString = #filePath, line: UInt = #line,
                     _ op: @escaping (Tensor<Double>) -> Tensor<Double>) throws -> Double {
        let bare = try assertSecondOrder(name, at: [x], file: file, line: line) { op($0[0]) }
        let composed = try assertSecondOrder("\(name)·sin", at: [x], file: file, line: line) { op($0[0]) * sin($0[0]) }
        return max(bare, composed)
    }

    // MARK: - Element-wise functions

    func testElementwiseFunctions() throws {
        var worst = 0.0
        let anywhere = sample([2, 3], 0.1...1.5, signed: true, seed: 1)
        let positive = sample([2, 3], 0.3...2.5, seed: 2)
        worst = max(worst, try assertUnary("squared", at: anywhere) { $0.squared() })
        worst = max(worst, try assertUnary("square", at: anywhere) { square($0) })
        worst = max(worst, try assertUnary("exp", at: anywhere) { exp($0) })
        worst = max(worst, try assertUnary("log", at: positive) { log($0) })
        worst = max(worst, try assertUnary("sqrt", at: positive) { sqrt($0) })
        let angles = sample([2, 3], 0.1...3, signed: true, seed: 3)
        worst = max(worst, try assertUnary("sin", at: angles) { sin($0) })
        worst = max(worst, try assertUnary("cos", at: angles) { cos($0) })
        for p in [0, 0.5, 1, 2, 3, 2.5, 1.7, -1.5] {
            worst = max(worst, try assertUnary("pow(x, \(p))", at: positive) { pow($0, p) })
        }
        // Integer exponents of negative bases.
        for p in [2.0, 3, -2] {
            worst = max(worst, try assertUnary("pow(x, \(p)) signed", at: anywhere) { pow($0, p) })
        }
        print("[second order] element-wise functions, worst: \(worst)")
    }

    func testPiecewiseFunctionsAwayFromTheirKinks() throws {
        // Alone, their second derivative is 0 (the masks are constants); squared, the cotangent reaching
        // them is recorded and the second derivative is 2·f′² — 0 if the recorded path were missing.
        var worst = 0.0
        let x = sample([2, 3], 0.2...1.5, alternating: true, seed: 4)
        let ops: [(String, (Tensor<Double>) -> Tensor<Double>)] = [
            ("abs", { abs($0) }),
            ("relu", { relu($0) }),
            ("leakyRelu", { leakyRelu($0) }),
            ("leakyRelu(0.3)", { leakyRelu($0, negativeSlope: 0.3) }),
            ("clamp", { clamp($0, min: -0.5, max: 0.8) }),
        ]
        for (name, op) in ops {
            worst = max(worst, try assertSecondOrder(name, at: [x]) { op($0[0]) })
            // leakyRelu(x)² has second derivative 2·0.01² = 2e-4 where x < 0, against 2 where x > 0: the
            // differences' rounding error (~1e-12) is 1e-6 of those elements, so they are compared scaled.
            let reason = name == "leakyRelu" ? "2·slope² ≪ 2" : nil
            worst = max(worst, try assertSecondOrder("\(name)²", at: [x], scaledBecause: reason) { op($0[0]) * op($0[0]) })
            worst = max(worst, try assertSecondOrder("\(name)·sin", at: [x]) { op($0[0]) * sin($0[0]) })
        }
        // clamp with elements below, inside and above the bounds (all 0.1 or more away from them).
        let spread = Tensor<Double>(shape: [2, 3], scalars: [-1.2, -0.7, -0.3, 0.1, 0.6, 1.1])
        worst = max(worst, try assertSecondOrder("clamp² spread", at: [spread]) {
            clamp($0[0], min: -0.5, max: 0.8).squared()
        })
        print("[second order] piecewise functions, worst: \(worst)")
    }

    func testActivations() throws {
        var worst = 0.0
        let x = sample([2, 3], 0.1...2.5, signed: true, seed: 5)
        worst = max(worst, try assertUnary("tanh", at: x) { tanh($0) })
        worst = max(worst, try assertUnary("sigmoid", at: x) { sigmoid($0) })
        worst = max(worst, try assertUnary("softplus", at: x) { softplus($0) })
        // ELU: both branches, away from 0, for two values of α.
        let both = sample([2, 3], 0.2...2, alternating: true, seed: 6)
        worst = max(worst, try assertUnary("elu", at: both) { elu($0) })
        worst = max(worst, try assertUnary("elu(α 0.7)", at: both) { elu($0, alpha: 0.7) })
        print("[second order] activations, worst: \(worst)")
    }

    func testPowWithATensorExponentBothInputsBroadcasting() throws {
        var worst = 0.0
        let shapes: [([Int], [Int])] = [([2, 3], [2, 3]), ([2, 3], [3]), ([3], [2, 3]), ([2, 1], [1, 3]), ([], [2, 3]),
                                        ([2, 3], [])]
        for (k, (baseShape, exponentShape)) in shapes.enumerated() {
            let base = sample(baseShape, 0.3...2, seed: 10 + UInt64(k))
            let exponent = sample(exponentShape, 0.2...2.5, signed: true, seed: 20 + UInt64(k))
            worst = max(worst, try assertSecondOrder("pow \(baseShape)^\(exponentShape)", at: [base, exponent]) {
                pow($0[0], $0[1])
            })
            worst = max(worst, try assertSecondOrder("pow² \(baseShape)^\(exponentShape)", at: [base, exponent]) {
                pow($0[0], $0[1]).squared()
            })
        }
        print("[second order] pow with a tensor exponent, worst: \(worst)")
    }

    func testPowWithATensorExponentAtAZeroBaseStaysFinite() throws {
        // d²/dp² xᵖ = xᵖ·log²x → 0 as x → 0 (p > 0); the exponent's cotangent is 0 at x = 0, and so are its
        // derivatives — no NaN from 0·log 0. Elsewhere the closed form.
        let base = Tensor<Double>([0, 1.5, 0.5]), exponent = Tensor<Double>([2.5, 2.5, 1.5])
        let d2 = try gradient(at: exponent) { p in try gradient(at: p) { pow(base, $0).sum() }.sum() }
        let expected = zip(base.scalars, exponent.scalars).map { x, p in x == 0 ? 0 : Foundation.pow(x, p) * Foundation.log(x) * Foundation.log(x) }
        for (a, b) in zip(d2.scalars, expected) { XCTAssertEqual(a, b, accuracy: 1e-13 * max(1, abs(b))) }
        // The mixed derivative ∂²/∂x∂p = xᵖ⁻¹(1 + p·log x) at x > 0, 0 at x = 0 by the convention.
        let mixed = try gradient(at: base) { x in try gradient(at: exponent) { pow(x, $0).sum() }.sum() }
        let expectedMixed = zip(base.scalars, exponent.scalars).map { x, p in
            x == 0 ? 0 : Foundation.pow(x, p - 1) * (1 + p * Foundation.log(x))
        }
        for (a, b) in zip(mixed.scalars, expectedMixed) { XCTAssertEqual(a, b, accuracy: 1e-13 * max(1, abs(b))) }
    }

    // MARK: - Arithmetic

    func testArithmeticOperatorsBothInputsBroadcasting() throws {
        var worst = 0.0
        let shapes: [([Int], [Int])] = [([2, 3], [2, 3]), ([2, 3], [3]), ([3], [2, 3]), ([2, 1], [1, 3]), ([], [2, 3])]
        let ops: [(String, (Tensor<Double>, Tensor<Double>) -> Tensor<Double>)] = [
            ("+", { $0 + $1 }), ("-", { $0 - $1 }), ("*", { $0 * $1 }), ("/", { $0 / $1 }),
        ]
        for (k, (lhsShape, rhsShape)) in shapes.enumerated() {
            let lhs = sample(lhsShape, 0.3...2, signed: true, seed: 30 + UInt64(k))
            let rhs = sample(rhsShape, 0.5...2, signed: true, seed: 40 + UInt64(k))
            for (name, op) in ops {
                let label = "\(lhsShape) \(name) \(rhsShape)"
                worst = max(worst, try assertSecondOrder(label, at: [lhs, rhs]) { op($0[0], $0[1]) })
                // A recorded cotangent reaching the operator.
                worst = max(worst, try assertSecondOrder("(\(label))²", at: [lhs, rhs]) {
                    let y = op($0[0], $0[1])
                    return y * y
                })
            }
        }
        print("[second order] arithmetic, worst: \(worst)")
    }

    func testScalarTensorFormsAndNegation() throws {
        var worst = 0.0
        let x = sample([2, 3], 0.5...2, signed: true, seed: 50)
        let ops: [(String, (Tensor<Double>) -> Tensor<Double>)] = [
            ("x + 2", { $0 + 2 }), ("2 + x", { 2 + $0 }), ("x − 2", { $0 - 2 }), ("2 − x", { 2 - $0 }),
            ("x · 3", { $0 * 3 }), ("3 · x", { 3 * $0 }), ("x / 3", { $0 / 3 }), ("3 / x", { 3 / $0 }),
            ("−x", { -$0 }),
        ]
        for (name, op) in ops {
            worst = max(worst, try assertUnary(name, at: x, op))
            worst = max(worst, try assertSecondOrder("(\(name))²", at: [x]) { op($0[0]) * op($0[0]) })
        }
        print("[second order] scalar forms and negation, worst: \(worst)")
    }

    // MARK: - Linear combination

    func testLinearCombination() throws {
        var worst = 0.0
        let a = sample([2, 3], 0.2...1.5, signed: true, seed: 60), b = sample([2, 3], 0.2...1.5, signed: true, seed: 61)
        let c = sample([2, 3], 0.2...1.5, signed: true, seed: 62)
        // Linear, so squared: the cotangent reaching it is recorded, and so must be its cotangents.
        worst = max(worst, try assertSecondOrder("linearCombination with base", at: [a, b, c]) {
            linearCombination(base: $0[0], coefficients: [0.5, -2], terms: [$0[1], $0[2]]).squared()
        })
        worst = max(worst, try assertSecondOrder("linearCombination without base, a zero coefficient", at: [a, b, c]) {
            linearCombination(base: nil, coefficients: [1.5, 0, -0.25], terms: [$0[0], $0[1], $0[2]]).squared()
        })
        worst = max(worst, try assertSecondOrder("linearCombination of nonlinear terms", at: [a, b]) {
            let y = linearCombination(base: tanh($0[0]), coefficients: [0.75, -1.25], terms: [sin($0[1]), $0[0] * $0[1]])
            return y * y
        })
        // Two midpoint steps of dy/dt = tanh(y·w) as the solvers write them: through formLinearCombination.
        worst = max(worst, try assertSecondOrder("midpoint steps", at: [a, b]) { xs in
            let w = xs[1]
            var y = xs[0]
            for _ in 0..<2 {
                var mid = Tensor<Double>.zeros(y.shape)
                mid.formLinearCombination(base: y, coefficients: [0.05], terms: [tanh(y * w)])
                var next = Tensor<Double>.zeros(y.shape)
                next.formLinearCombination(base: y, coefficients: [0.1], terms: [tanh(mid * w)])
                y = next
            }
            var total = y
            total.addLinearCombination(coefficients: [0.5], terms: [y * y])
            return total
        })
        print("[second order] linear combination, worst: \(worst)")
    }

    func testFormLinearCombinationNeverWritesIntoARecordedTensor() throws {
        let x = Tensor<Double>([0.5, -1, 2])
        let constant = Tensor<Double>([1, 2, 3])
        func address(_ t: Tensor<Double>) -> UnsafePointer<Double> { t.withUnsafeBufferPointer { $0.baseAddress! } }
        // Not recorded and not shared: written in place (the solvers' allocation-free path).
        var free = constant * 2
        let before = address(free)
        free.formLinearCombination(base: constant, coefficients: [2], terms: [constant])
        XCTAssertEqual(address(free), before)
        XCTAssertEqual(free.scalars, [3, 6, 9])
        // Recorded: the result is a new, unrecorded tensor; the recorded one keeps its values, and the
        // gradient is right.
        let g = try gradient(at: x) { x in
            var y = x + 1
            XCTAssertTrue(y.isRecorded)
            let keep = y
            y.formLinearCombination(base: constant, coefficients: [2], terms: [constant])
            XCTAssertEqual(keep.scalars, [1.5, 0, 3], "the recorded tensor was written to")
            XCTAssertFalse(y.isRecorded)
            var z = x * x
            var w = withoutRecording(Double.self) { constant * 1 }
            w.formLinearCombination(base: nil, coefficients: [1], terms: [constant])
            z.formLinearCombination(base: z, coefficients: [3], terms: [x])
            return (z + y * w).sum()
        }
        XCTAssertEqual(g.scalars, [4, 1, 7])
        // Recorded and its buffer not shared (`+` saves no tensor): still not written to — a new buffer.
        var movedAway = false
        _ = try gradient(at: x) { x in
            var y = x + 1
            let recorded = address(y)
            y.formLinearCombination(base: constant, coefficients: [2], terms: [constant])
            movedAway = address(y) != recorded
            return (y * x).sum()
        }
        XCTAssertTrue(movedAway)
    }

    // MARK: - Norm

    func testNorm() throws {
        var worst = 0.0
        let x = sample([2, 3, 2], 0.2...2, signed: true, seed: 70)
        let cases: [(String, (Tensor<Double>) -> Tensor<Double>)] = [
            ("norm()", { $0.norm() }),
            ("norm(axis: 1)", { $0.norm(axis: 1) }),
            ("norm(axis: -1, keepDims)", { $0.norm(axis: -1, keepDims: true) }),
            ("norm(axes: [0, 2])", { $0.norm(axes: [0, 2]) }),
        ]
        for (name, op) in cases {
            worst = max(worst, try assertSecondOrder(name, at: [x]) { op($0[0]) })
            worst = max(worst, try assertSecondOrder("\(name)·sum x", at: [x]) { op($0[0]) * $0[0].sum() })
        }
        print("[second order] norm, worst: \(worst)")
    }

    func testTheNormsSecondDerivativeIsZeroWhereTheNormIsZero() throws {
        // Rows: 0 and (3, 4). The Hessian–vector product of Σ‖row‖ is (I − x̂x̂ᵀ)u/‖x‖ for the nonzero row
        // and 0 (finite) for the zero row, as PyTorch's double backward.
        let x = Tensor<Double>(shape: [2, 2], scalars: [0, 0, 3, 4])
        let u = Tensor<Double>(shape: [2, 2], scalars: [0.5, -1, 2, 1])
        let hv = try gradient(at: x) { x in (try gradient(at: x) { $0.norm(axis: 1).sum() } * u).sum() }
        let (x1, x2, u1, u2) = (0.6, 0.8, 2.0, 1.0)  // x̂ and u of the second row
        let along = x1 * u1 + x2 * u2
        let expected = [0, 0, (u1 - along * x1) / 5, (u2 - along * x2) / 5]
        for (a, b) in zip(hv.scalars, expected) { XCTAssertEqual(a, b, accuracy: 1e-15) }
        // Third order at 0 too.
        let third = try gradient(at: x) { x in
            (try gradient(at: x) { x in (try gradient(at: x) { $0.norm(axis: 1).sum() } * u).sum() } * u).sum()
        }
        XCTAssertTrue(third.scalars.allSatisfy(\.isFinite), "\(third.scalars)")
        XCTAssertEqual(Array(third.scalars[0..<2]), [0, 0])
    }

    // MARK: - Third derivatives

    /// f′′ and f′′′ of an element-wise `f` by nested gradients.
    func secondDerivative(_ f: @escaping (Tensor<Double>) -> Tensor<Double>, at x: Tensor<Double>) throws -> Tensor<Double> {
        try gradient(at: x) { x in try gradient(at: x) { f($0).sum() }.sum() }
    }

    func thirdDerivative(_ f: @escaping (Tensor<Double>) -> Tensor<Double>, at x: Tensor<Double>) throws -> Tensor<Double> {
        try gradient(at: x) { x in try gradient(at: x) { x in try gradient(at: x) { f($0).sum() }.sum() }.sum() }
    }

    func testThirdDerivativesAgainstClosedForms() throws {
        func sigma(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
        let alpha = 0.7
        // (name, op, points, closed-form f′′, closed-form f′′′)
        let cases: [(String, (Tensor<Double>) -> Tensor<Double>, [Double], (Double) -> Double, (Double) -> Double)] = [
            ("tanh", { tanh($0) }, [-1.3, -0.4, 0, 0.2, 0.9, 2.1],
             { x in let t = Foundation.tanh(x); return -2 * t * (1 - t * t) },
             { x in let t = Foundation.tanh(x); return -2 * (1 - t * t) * (1 - 3 * t * t) }),
            ("exp", { exp($0) }, [-1.5, -0.3, 0, 0.7, 1.9], { Foundation.exp($0) }, { Foundation.exp($0) }),
            ("log", { log($0) }, [0.3, 0.8, 1, 1.7, 3.2], { -1 / ($0 * $0) }, { 2 / ($0 * $0 * $0) }),
            ("sigmoid", { sigmoid($0) }, [-2.5, -0.6, 0.1, 1.2, 3],
             { x in let s = sigma(x); return s * (1 - s) * (1 - 2 * s) },
             { x in let s = sigma(x); return s * (1 - s) * (1 - 6 * s + 6 * s * s) }),
            ("softplus", { softplus($0) }, [-2.5, -0.6, 0.1, 1.2, 3],
             { x in let s = sigma(x); return s * (1 - s) },
             { x in let s = sigma(x); return s * (1 - s) * (1 - 2 * s) }),
            ("elu x < 0", { elu($0, alpha: alpha) }, [-2.2, -1, -0.4, -0.05],
             { alpha * Foundation.exp($0) }, { alpha * Foundation.exp($0) }),
            ("elu x > 0", { elu($0, alpha: alpha) }, [0.05, 0.5, 1.3, 2.4], { _ in 0 }, { _ in 0 }),
        ]
        let h = 1e-5
        for (name, op, points, second, third) in cases {
            let x = Tensor<Double>(points)
            let tape3 = try thirdDerivative(op, at: x).scalars
            let tape2 = try secondDerivative(op, at: x).scalars
            let tape2Plus = try secondDerivative(op, at: x + h).scalars, tape2Minus = try secondDerivative(op, at: x - h).scalars
            var worst = 0.0
            for (i, p) in points.enumerated() {
                let closed3 = third(p)
                // The closed forms checked against each other: f′′′ ≈ central difference of f′′.
                let closedDifference = (second(p + h) - second(p - h)) / (2 * h)
                XCTAssertEqual(closed3, closedDifference, accuracy: 1e-8 * max(1, abs(closed3)), "\(name) closed forms at \(p)")
                // The tape against the closed forms, and the tape's f′′′ against differences of its f′′.
                XCTAssertEqual(tape2[i], second(p), accuracy: 1e-13 * max(1, abs(second(p))), "\(name) f″ at \(p)")
                XCTAssertEqual(tape3[i], closed3, accuracy: 1e-13 * max(1, abs(closed3)), "\(name) f‴ at \(p)")
                let tapeDifference = (tape2Plus[i] - tape2Minus[i]) / (2 * h)
                XCTAssertEqual(tape3[i], tapeDifference, accuracy: 1e-8 * max(1, abs(closed3)), "\(name) f‴ vs Δf″ at \(p)")
                worst = max(worst, abs(tape3[i] - closed3) / max(abs(closed3), 1))
            }
            print("[third order] \(name): max error against the closed form, relative (floor 1): \(worst)")
        }
    }

    // MARK: - Hessians and penalties

    /// (1 − x)² + 100(y − x²)² of p = (x, y).
    func rosenbrock(_ p: Tensor<Double>) -> Tensor<Double> {
        let x = (p * Tensor([1, 0])).sum(), y = (p * Tensor([0, 1])).sum()
        return (1 - x).squared() + 100 * (y - x.squared()).squared()
    }

    func testRosenbrockHessian() throws {
        var worst = 0.0
        for (x, y) in [(1.0, 1.0), (-1.2, 1), (0.5, -0.3), (2, 3), (-0.7, 0.2)] {
            let p = Tensor<Double>([x, y])
            // One row per basis direction: ∇⟨e_i, ∇f⟩.
            let rows = try (0..<2).map { i in
                let e = Tensor<Double>(i == 0 ? [1, 0] : [0, 1])
                return try gradient(at: p) { p in (try gradient(at: p) { rosenbrock($0) } * e).sum() }.scalars
            }
            let expected = [[2 - 400 * y + 1200 * x * x, -400 * x], [-400 * x, 200]]
            let scale = expected.joined().map(abs).max()!
            for i in 0..<2 {
                for j in 0..<2 {
                    XCTAssertEqual(rows[i][j], expected[i][j], accuracy: 1e-13 * scale, "H[\(i)][\(j)] at (\(x), \(y))")
                    worst = max(worst, abs(rows[i][j] - expected[i][j]) / scale)
                }
            }
            // The gradient too: (−2(1 − x) − 400x(y − x²), 200(y − x²)).
            let g = try gradient(at: p) { rosenbrock($0) }.scalars
            XCTAssertEqual(g[0], -2 * (1 - x) - 400 * x * (y - x * x), accuracy: 1e-13 * scale)
            XCTAssertEqual(g[1], 200 * (y - x * x), accuracy: 1e-13 * scale)
        }
        print("[second order] Rosenbrock Hessian: max error relative to the largest entry \(worst)")
    }

    func testGradientOfAGradientNormPenaltyOfAnMLP() throws {
        // P(θ) = ‖∂L/∂x‖², L = Σ tanh(x·W1 + b1)·W2, the products written with broadcasting and sums
        // (matmul's second-order path is not part of this file's ops).
        let x = sample([3, 2], 0.1...1.5, signed: true, seed: 80)
        let w1 = sample([2, 4], 0.1...1, signed: true, seed: 81), b1 = sample([4], 0.1...0.5, signed: true, seed: 82)
        let w2 = sample([4], 0.2...1.2, signed: true, seed: 83)
        func loss(_ x: Tensor<Double>, _ w1: Tensor<Double>, _ b1: Tensor<Double>, _ w2: Tensor<Double>) -> Tensor<Double> {
            let z = (x.reshaped([3, 2, 1]) * w1).sum(axis: 1) + b1
            return (tanh(z) * w2).sum()
        }
        func penalty(_ theta: [Tensor<Double>]) throws -> Tensor<Double> {
            try gradient(at: x) { loss($0, theta[0], theta[1], theta[2]) }.squared().sum()
        }
        let report = try checkGradients(at: [w1, b1, w2], of: penalty)
        XCTAssertLessThan(report.maxRelativeError, tolerance, "\(report)")
        print("[second order] gradient-norm penalty of an MLP: \(report)")
        // The same with the data also differentiated (through both levels).
        let both = try checkGradients(at: [x, w1, b1, w2]) { xs in
            try gradient(at: xs[0]) { loss($0, xs[1], xs[2], xs[3]) }.squared().sum()
        }
        XCTAssertLessThan(both.maxRelativeError, tolerance, "\(both)")
        print("[second order] gradient-norm penalty of an MLP, data included: \(both)")
    }
}
