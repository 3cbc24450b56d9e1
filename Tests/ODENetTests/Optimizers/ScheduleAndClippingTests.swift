import XCTest
import Foundation
import Autodiff
@testable import ODENet

final class ScheduleAndClippingTests: XCTestCase {
    func testStepDecayMultipliesByGammaAtEachMilestone() {
        let schedule = StepDecay(initialLearningRate: 0.05, milestones: [30, 80], gamma: 0.1)
        XCTAssertEqual(schedule.learningRate(atEpoch: 0), 0.05)
        XCTAssertEqual(schedule.learningRate(atEpoch: 29), 0.05)
        XCTAssertEqual(schedule.learningRate(atEpoch: 30), 0.05 * 0.1, accuracy: 1e-18)
        XCTAssertEqual(schedule.learningRate(atEpoch: 79), 0.05 * 0.1, accuracy: 1e-18)
        XCTAssertEqual(schedule.learningRate(atEpoch: 80), 0.05 * 0.1 * 0.1, accuracy: 1e-18)
        XCTAssertEqual(schedule.learningRate(atEpoch: 1000), 0.05 * 0.1 * 0.1, accuracy: 1e-18)
    }

    func testCosineAnnealingFollowsHalfCosineToMinimum() {
        let schedule = CosineAnnealing(initialLearningRate: 0.1, total: 10, minimum: 0.001)
        XCTAssertEqual(schedule.learningRate(atEpoch: 0), 0.1, accuracy: 1e-15)
        XCTAssertEqual(schedule.learningRate(atEpoch: 5), (0.1 + 0.001) / 2, accuracy: 1e-15)
        XCTAssertEqual(schedule.learningRate(atEpoch: 10), 0.001, accuracy: 1e-15)
        for epoch in 0..<10 {
            XCTAssertGreaterThan(schedule.learningRate(atEpoch: epoch), schedule.learningRate(atEpoch: epoch + 1))
        }
        let quarter = 0.001 + (0.1 - 0.001) * (1 + cos(Double.pi / 4)) / 2
        XCTAssertEqual(CosineAnnealing(initialLearningRate: 0.1, total: 4, minimum: 0.001).learningRate(atEpoch: 1),
                       quarter, accuracy: 1e-15)
    }

    func testScheduleDrivesOptimizerLearningRate() {
        let optimizer = SGD<Double>(learningRate: 1)
        let schedule = StepDecay(initialLearningRate: 0.5, milestones: [2], gamma: 0.5)
        let parameter = Parameter(Tensor<Double>([0]))
        for epoch in 0..<4 {
            optimizer.learningRate = schedule.learningRate(atEpoch: epoch)
            optimizer.update([parameter], along: [Tensor([-1])])
        }
        XCTAssertEqual(parameter.value.scalars, [0.5 + 0.5 + 0.25 + 0.25])
    }

    func testClippingScalesJointNormToMaximumAndReturnsPreClipNorm() {
        var gradients = [Tensor<Double>([3, 0]), Tensor<Double>(shape: [1, 1], scalars: [4])]   // norm 5
        let norm = clipGradientNorm(&gradients, maxNorm: 1)
        XCTAssertEqual(norm, 5)
        let factor = 1 / (5 + 1e-6)
        XCTAssertEqual(gradients[0].scalars, [3 * factor, 0])
        XCTAssertEqual(gradients[1].scalars, [4 * factor])
        XCTAssertEqual(gradients[1].shape, [1, 1])
        let clippedNorm = (gradients[0].scalars + gradients[1].scalars).reduce(0) { $0 + $1 * $1 }.squareRoot()
        XCTAssertEqual(clippedNorm, 1, accuracy: 1e-6)
    }

    func testClippingLeavesSmallGradientsUnchanged() {
        var gradients = [Tensor<Float>([0.3, -0.4])]
        XCTAssertEqual(clipGradientNorm(&gradients, maxNorm: 1), 0.5, accuracy: 1e-7)
        XCTAssertEqual(gradients[0].scalars, [0.3, -0.4])
    }
}
