import Foundation
import XCTest
@testable import Autodiff

/// Native forward mode (`jvp`): forward over reverse for every op, nesting, constants that share an input's
/// buffer, the fallback through a pullback for ops without a tangent rule, and no tape when every op has one.
final class NativeForwardModeTests: XCTestCase {
    typealias T = Tensor<Double>

    /// Forward over reverse, op by op: the JVP of the op's VJP (for a fixed cotangent u) along random
    /// tangents against central differences of the VJP — every pullback's recorded path carries tangents.
    func testTheJVPOfEveryOpsVJPMatchesCentralDifferences() throws {
        let cases = ForwardModeOpTests.cases
        for (index, (name, inputs, f)) in cases.enumerated() {
            let value = f(inputs)
            let u = ForwardModeOpTests.sample(value.shape, 300 + index)
            let tangents = inputs.enumerated().map { ForwardModeOpTests.sample($0.element.shape, 400 + index * 5 + $0.offset) }
            for k in inputs.indices {
                let vjpK: ([T]) throws -> T = { inputs in try valueWithPullback(at: inputs, of: f).pullback(u)[k] }
                let (_, tangent) = try jvp(at: inputs, along: tangents, of: vjpK)
                let h = 1e-5
                let plus = try vjpK(zip(inputs, tangents).map { $0 + h * $1 })
                let minus = try vjpK(zip(inputs, tangents).map { $0 - h * $1 })
                let numeric = (plus - minus) / (2 * h)
                let scale = max(1, numeric.scalars.map(abs).max() ?? 0)
                XCTAssertEqual(tangent.shape, numeric.shape, "\(name) input \(k)")
                for (j, (analytic, expected)) in zip(tangent.scalars, numeric.scalars).enumerated() {
                    XCTAssertEqual(analytic, expected, accuracy: 1e-6 * scale, "\(name) input \(k) element \(j)")
                }
            }
        }
    }

    func testAJVPOfAJVPIsTheSecondDerivative() throws {
        // f(x) = sin(x)·x: f″(x) = 2cos x − x sin x.
        let x = T([0.3, -1.2, 2.0])
        let ones = T([1, 1, 1])
        let (_, second) = try jvp(at: x, along: ones) { x in
            try jvp(at: x, along: ones) { x in sin(x) * x }.tangent
        }
        for (a, x) in zip(second.scalars, x.scalars) {
            XCTAssertEqual(a, 2 * Foundation.cos(x) - x * Foundation.sin(x), accuracy: 1e-12)
        }
    }

    func testAConstantSharingAnInputsBufferGetsNoTangent() throws {
        // d/dx [x · c] with c captured (the same buffer as x) and with withoutDerivative: c, never 2x.
        let x = T([1.5, -2])
        let (_, t1) = try jvp(at: x, along: T([1, 1])) { y in y * x }
        XCTAssertEqual(t1.scalars, x.scalars)
        let (_, t2) = try jvp(at: x, along: T([1, 1])) { y in y * withoutDerivative(at: y) }
        XCTAssertEqual(t2.scalars, x.scalars)
        let (_, t3) = try jvp(at: x, along: T([1, 1])) { y in y * withoutRecording(Double.self) { y * 1 } }
        XCTAssertEqual(t3.scalars, x.scalars)
    }

    func testOpsWithTangentRulesRecordNothing() throws {
        let x = T([[0.5, -1], [2, 0.25]]), w = T([[1, 2], [3, 4], [5, 6]]), b = T([0.1, 0.2, 0.3])
        var liveEntries = -1
        let (_, tangent) = try jvp(at: x, along: T([[1, 0], [0, 1]])) { x in
            let y = linear(x * 2 - 1, weight: w, bias: b, activation: .tanh).reshaped([3, 2]).transposed()
            let z = linearCombination(base: y, coefficients: [0.5], terms: [y]).sum(axis: 0)
            liveEntries = TapeStatistics.liveEntryCount
            return tanh(z) / 3
        }
        XCTAssertEqual(liveEntries, 0, "native forward mode built a tape")
        // The same JVP by the double-VJP construction.
        let (_, differential) = try valueWithDifferential(at: [x]) { x in
            let y = linear(x[0] * 2 - 1, weight: w, bias: b, activation: .tanh).reshaped([3, 2]).transposed()
            return tanh(linearCombination(base: y, coefficients: [0.5], terms: [y]).sum(axis: 0)) / 3
        }
        let expected = try differential([T([[1, 0], [0, 1]])])
        for (a, e) in zip(tangent.scalars, expected.scalars) { XCTAssertEqual(a, e, accuracy: 1e-13) }
    }

    func testAnOpWithoutATangentRuleUsesItsPullbackAndAFrozenPullbackThrows() throws {
        // Declared differentiable: the tangent comes from the pullback (3x²·t).
        let x = T([2, -1])
        let (_, t) = try jvp(at: x, along: T([1, 0.5])) { x in
            let value = withoutRecording(Double.self) { x * x * x }
            return customDifferentiable(inputs: [x], value: value, operation: "cube", pullbackIsDifferentiable: true) {
                [$0 * 3 * x * x]
            }
        }
        XCTAssertEqual(t.scalars, [12, 1.5])
        // Not declared differentiable: a clear error naming the op, never a zero tangent.
        XCTAssertThrowsError(try jvp(at: x, along: T([1, 1])) { x in
            let value = withoutRecording(Double.self) { x * x * x }
            let x0 = withoutDerivative(at: x)
            return customDifferentiable(inputs: [x], value: value, operation: "frozen cube") { g in
                [withoutRecording(Double.self) { g * 3 * x0 * x0 }]
            }
        }) { error in
            XCTAssertEqual(error as? AutodiffError, .notDifferentiableTwice(operation: "frozen cube"))
        }
    }

    func testAJVPInsideAGradientDifferentiatesTheTangentRules() throws {
        // d/dW Σ (∂/∂x linear(x; W, tanh) · t) against central differences in W.
        let x = T([[0.5, -1], [2, 0.25]]), t = T([[1, -0.5], [0.3, 2]]), b = T([0.1, -0.2, 0.3])
        let w = T([[0.4, -0.2], [0.3, 0.8], [-0.5, 0.6]])
        let loss: (T) throws -> T = { w in
            try jvp(at: x, along: t) { x in linear(x, weight: w, bias: b, activation: .tanh) }.tangent.squared().sum()
        }
        let g = try gradient(at: w, of: loss)
        let h = 1e-6
        for i in 0..<w.scalarCount {
            var plus = w, minus = w
            plus.withUnsafeMutableBufferPointer { $0[i] += h }
            minus.withUnsafeMutableBufferPointer { $0[i] -= h }
            let numeric = (try loss(plus).scalar - loss(minus).scalar) / (2 * h)
            XCTAssertEqual(g.scalars[i], numeric, accuracy: 1e-7, "element \(i)")
        }
    }
}
