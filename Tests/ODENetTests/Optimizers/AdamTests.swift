import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Autodiff
@testable import ODENet

final class AdamTests: XCTestCase {
    /// One element of PyTorch's Adam/AdamW step; state = [m, v].
    static func referenceStep(lr: Double, beta1: Double, beta2: Double, eps: Double, l2: Double, decoupled: Double)
        -> (inout Double, Double, Int, inout [Double]) -> Void {
        { theta, g, t, s in
            theta *= 1 - lr * decoupled
            let d = g + l2 * theta
            s[0] = beta1 * s[0] + (1 - beta1) * d
            s[1] = beta2 * s[1] + (1 - beta2) * d * d
            let mHat = s[0] / (1 - pow(beta1, Double(t))), vHat = s[1] / (1 - pow(beta2, Double(t)))
            theta -= lr * mHat / (vHat.squareRoot() + eps)
        }
    }

    func testFirstStepMovesEachElementByLearningRateTimesSignOfGradient() {
        // With bias correction m̂ = g and v̂ = g², so the first step is lr·g/(|g| + ε).
        let actual = OptimizerFixture.run(Adam<Double>(learningRate: 0.01), steps: 1)
        let expected = OptimizerFixture.reference(steps: 1, state: 0) { theta, g, _, _ in theta -= 0.01 * g / (abs(g) + 1e-8) }
        assertClose(actual, expected)
    }

    func testFirstAndSecondStepsMatchBiasCorrectedFormula() {
        for steps in [1, 2, 5] {
            let actual = OptimizerFixture.run(Adam<Double>(learningRate: 0.01, beta1: 0.8, beta2: 0.95), steps: steps)
            let expected = OptimizerFixture.reference(
                steps: steps, state: 2,
                Self.referenceStep(lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 1e-8, l2: 0, decoupled: 0))
            assertClose(actual, expected, tolerance: 1e-12)
        }
    }

    func testWeightDecayEntersGradientAsL2() {
        let actual = OptimizerFixture.run(Adam<Double>(learningRate: 0.01, epsilon: 1e-3, weightDecay: 0.1), steps: 3)
        let expected = OptimizerFixture.reference(
            steps: 3, state: 2, Self.referenceStep(lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-3, l2: 0.1, decoupled: 0))
        assertClose(actual, expected, tolerance: 1e-12)
    }

    func testAdamWDecaysParametersBeforeTheAdamStep() {
        XCTAssertEqual(AdamW<Double>().weightDecay, 1e-2)
        let actual = OptimizerFixture.run(AdamW<Double>(learningRate: 0.01, weightDecay: 0.5), steps: 3)
        let expected = OptimizerFixture.reference(
            steps: 3, state: 2, Self.referenceStep(lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, l2: 0, decoupled: 0.5))
        assertClose(actual, expected, tolerance: 1e-12)
    }

    func testFloatAdamAgreesWithDoubleToSinglePrecision() {
        let parameters = OptimizerFixture.parameters().map { Parameter(Tensor<Float>(shape: $0.shape, scalars: $0.value.scalars.map(Float.init))) }
        let optimizer = Adam<Float>(learningRate: 0.01)
        for step in 0..<3 {
            let gradients = OptimizerFixture.gradients(step: step).map { Tensor<Float>(shape: $0.shape, scalars: $0.scalars.map(Float.init)) }
            optimizer.update(parameters, along: gradients)
        }
        let expected = OptimizerFixture.run(Adam<Double>(learningRate: 0.01), steps: 3)
        assertClose(parameters.map { $0.value.scalars.map(Double.init) }, expected, tolerance: 1e-5)
    }

    func testStateNamesFollowPyTorch() {
        let optimizer = Adam<Double>()
        _ = OptimizerFixture.run(optimizer, steps: 2)
        let state = optimizer.state()
        XCTAssertEqual(state.tensors.map(\.name), ["state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq",
                                                   "state.1.step", "state.1.exp_avg", "state.1.exp_avg_sq"])
        XCTAssertEqual(state[tensor: "state.1.step"]?.scalar, 2)
        XCTAssertEqual(state[scalar: "lr"], 1e-3)
        XCTAssertEqual(state.scalars.map(\.name), ["lr", "beta1", "beta2", "eps", "weight_decay"])
    }

    func testStateRoundTripContinuesBitIdentically() throws {
        try assertStateRoundTripIsBitIdentical { Adam<Double>(learningRate: 0.01, weightDecay: 1e-3) }
        try assertStateRoundTripIsBitIdentical { AdamW<Double>(learningRate: 0.01) }
    }

    func testLoadingMismatchedStateThrowsTypedErrorsAndChangesNothing() {
        let optimizer = Adam<Double>()
        _ = OptimizerFixture.run(optimizer, steps: 1)
        var state = optimizer.state()
        let parameters = OptimizerFixture.parameters()
        let fresh = Adam<Double>(learningRate: 0.5)

        var wrongShape = state
        wrongShape.tensors[1].value = Tensor.zeros([3, 2])
        XCTAssertThrowsError(try fresh.loadState(wrongShape, for: parameters)) { error in
            XCTAssertEqual(error as? OptimizerStateError,
                           .shapeMismatch(name: "state.0.exp_avg", expected: [2, 3], found: [3, 2]))
            XCTAssertTrue("\(error)".contains("[3, 2]") && "\(error)".contains("[2, 3]"))
        }
        var missing = state
        missing.tensors.removeAll { $0.name == "state.1.exp_avg_sq" }
        XCTAssertThrowsError(try fresh.loadState(missing, for: parameters)) { error in
            XCTAssertEqual(error as? OptimizerStateError, .missingEntry(name: "state.1.exp_avg_sq"))
        }
        XCTAssertThrowsError(try fresh.loadState(state, for: [parameters[0]])) { error in
            XCTAssertEqual(error as? OptimizerStateError, .unexpectedEntry(name: "state.1.step"))
        }
        state.scalars.removeAll { $0.name == "eps" }
        XCTAssertThrowsError(try fresh.loadState(state, for: parameters)) { error in
            XCTAssertEqual(error as? OptimizerStateError, .missingEntry(name: "eps"))
        }
        XCTAssertEqual(fresh.learningRate, 0.5, "a failed load leaves the optimizer unchanged")
        XCTAssertTrue(fresh.state().tensors.isEmpty)
    }

    func testFitsLine() {
        assertFitsLine(Adam<Double>(learningRate: 0.05), steps: 1500)
    }
}
