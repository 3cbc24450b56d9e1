import XCTest
import Autodiff
@testable import ODENet

final class RMSpropTests: XCTestCase {
    func testPlainStepsDivideByRootMeanSquarePlusEpsilon() {
        let (lr, alpha, eps) = (0.01, 0.9, 1e-8)
        for steps in [1, 2, 3] {
            let actual = OptimizerFixture.run(RMSprop<Double>(learningRate: lr, alpha: alpha), steps: steps)
            let expected = OptimizerFixture.reference(steps: steps, state: 1) { theta, g, _, s in
                s[0] = alpha * s[0] + (1 - alpha) * g * g
                theta -= lr * g / (s[0].squareRoot() + eps)
            }
            assertClose(actual, expected)
        }
        XCTAssertEqual(RMSprop<Double>().learningRate, 1e-2)
        XCTAssertEqual(RMSprop<Double>().alpha, 0.99)
    }

    func testCenteredWithMomentumAndWeightDecayMatchesPyTorchFormula() {
        let (lr, alpha, eps, decay, mu) = (0.01, 0.9, 1e-6, 0.05, 0.7)
        let optimizer = RMSprop<Double>(learningRate: lr, alpha: alpha, epsilon: eps, weightDecay: decay,
                                        momentum: mu, centered: true)
        let actual = OptimizerFixture.run(optimizer, steps: 3)
        let expected = OptimizerFixture.reference(steps: 3, state: 3) { theta, g, _, s in
            let d = g + decay * theta
            s[0] = alpha * s[0] + (1 - alpha) * d * d         // square average
            s[1] = alpha * s[1] + (1 - alpha) * d             // gradient average
            let denominator = (s[0] - s[1] * s[1]).squareRoot() + eps
            s[2] = mu * s[2] + d / denominator                 // momentum buffer
            theta -= lr * s[2]
        }
        assertClose(actual, expected, tolerance: 1e-12)
    }

    func testStateRoundTripContinuesBitIdentically() throws {
        try assertStateRoundTripIsBitIdentical { RMSprop<Double>(momentum: 0.5, centered: true) }
        let optimizer = RMSprop<Double>(momentum: 0.5, centered: true)
        _ = OptimizerFixture.run(optimizer, steps: 1)
        XCTAssertEqual(optimizer.state().tensors.prefix(4).map(\.name),
                       ["state.0.step", "state.0.square_avg", "state.0.momentum_buffer", "state.0.grad_avg"])
    }

    func testFitsLine() {
        assertFitsLine(RMSprop<Double>(learningRate: 0.01), steps: 2000, tolerance: 2e-2)
    }
}
