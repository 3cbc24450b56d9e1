import XCTest
import Autodiff
@testable import ODENet

final class SGDTests: XCTestCase {
    func testPlainStepsFollowThetaMinusLearningRateTimesGradient() {
        let lr = 0.1
        for steps in [1, 2] {
            let actual = OptimizerFixture.run(SGD<Double>(learningRate: lr), steps: steps)
            let expected = OptimizerFixture.reference(steps: steps, state: 0) { theta, g, _, _ in theta -= lr * g }
            assertClose(actual, expected)
        }
    }

    func testMomentumWithDampeningAndWeightDecayMatchesPyTorchFormula() {
        let (lr, mu, dampening, decay) = (0.05, 0.9, 0.3, 0.01)
        for steps in [1, 2, 3] {
            let optimizer = SGD<Double>(learningRate: lr, momentum: mu, dampening: dampening, weightDecay: decay)
            let actual = OptimizerFixture.run(optimizer, steps: steps)
            let expected = OptimizerFixture.reference(steps: steps, state: 1) { theta, g, t, s in
                let d = g + decay * theta
                s[0] = t == 1 ? d : mu * s[0] + (1 - dampening) * d   // first step: buffer = gradient, undamped
                theta -= lr * s[0]
            }
            assertClose(actual, expected)
        }
    }

    func testNesterovMomentumAddsMomentumTimesBufferToGradient() {
        let (lr, mu) = (0.05, 0.8)
        let optimizer = SGD<Double>(learningRate: lr, momentum: mu, nesterov: true)
        let actual = OptimizerFixture.run(optimizer, steps: 3)
        let expected = OptimizerFixture.reference(steps: 3, state: 1) { theta, g, t, s in
            s[0] = t == 1 ? g : mu * s[0] + g
            theta -= lr * (g + mu * s[0])
        }
        assertClose(actual, expected)
    }

    func testStateRoundTripContinuesBitIdentically() throws {
        try assertStateRoundTripIsBitIdentical { SGD<Double>(learningRate: 0.05, momentum: 0.9, weightDecay: 1e-3) }
    }

    func testFitsLineWithMomentum() {
        assertFitsLine(SGD<Double>(learningRate: 0.05, momentum: 0.9), steps: 300)
    }
}

/// Runs `k` steps, saves, loads into a fresh optimiser (with other hyperparameters, which the load
/// must replace), and checks that both continue with identical bits.
func assertStateRoundTripIsBitIdentical<O: Optimizer>(
    file: StaticString = #filePath, line: UInt = #line, _ make: () -> O) throws where O.Scalar == Double {
    let original = make(), parameters = OptimizerFixture.parameters()
    for step in 0..<3 { original.update(parameters, along: OptimizerFixture.gradients(step: step)) }
    let saved = original.state()
    let copies = parameters.map { Parameter($0.value) }
    let restored = make()
    restored.learningRate = 123
    try restored.loadState(saved, for: copies)
    XCTAssertEqual(restored.learningRate, original.learningRate, file: file, line: line)
    for step in 3..<6 {
        original.update(parameters, along: OptimizerFixture.gradients(step: step))
        restored.update(copies, along: OptimizerFixture.gradients(step: step))
    }
    for (a, b) in zip(parameters, copies) {
        XCTAssertEqual(a.value.scalars.map(\.bitPattern), b.value.scalars.map(\.bitPattern), file: file, line: line)
    }
    // The snapshot taken earlier is unaffected by later steps (buffers are copied on write).
    XCTAssertEqual(saved.tensors.map(\.name), original.state().tensors.map(\.name), file: file, line: line)
}

/// Fits y = m·x + b (m = 2, b = −1) by mean squared error, with the gradient written by hand, and
/// checks that m and b converge.
func assertFitsLine<O: Optimizer>(_ optimizer: O, steps: Int, tolerance: Double = 1e-3,
                                  file: StaticString = #filePath, line: UInt = #line) where O.Scalar == Double {
    let xs = (0..<16).map { Double($0) / 8 - 1 }, ys = xs.map { 2 * $0 - 1 }
    let slope = Parameter(Tensor<Double>(0.0)), intercept = Parameter(Tensor<Double>(0.0))
    for _ in 0..<steps {
        let m = slope.value.scalar, b = intercept.value.scalar
        let residuals = zip(xs, ys).map { m * $0 + b - $1 }
        let n = Double(xs.count)
        let gm = zip(residuals, xs).reduce(0) { $0 + 2 * $1.0 * $1.1 } / n
        let gb = residuals.reduce(0) { $0 + 2 * $1 } / n
        optimizer.update([slope, intercept], along: [Tensor(gm), Tensor(gb)])
    }
    XCTAssertEqual(slope.value.scalar, 2, accuracy: tolerance, file: file, line: line)
    XCTAssertEqual(intercept.value.scalar, -1, accuracy: tolerance, file: file, line: line)
}
