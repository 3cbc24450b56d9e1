import XCTest
import ExampleSupport
import MNISTModels
import ODENet

/// Table 1's memory column, measured with the library's peak counter on a batch of 8 random images: the
/// ResNet's peak grows with its depth and the RK-Net's (the ODE-Net differentiated directly) with its steps —
/// each doubling adds at least 1.8× the previous doubling's increment, as linear growth does — while the
/// ODE-Net's adjoint peak stays within 10% as its evaluations grow 4×.
final class TrainingStepMemoryTests: XCTestCase {
    static let batch = 8

    func batchOfImages() -> (Tensor<Float>, [Int]) {
        var generator = SeededGenerator(seed: 1)
        return (Tensor<Float>.randomUniform([Self.batch, 1, 28, 28], lowerBound: 0, upperBound: 1, using: &generator),
                (0..<Self.batch).map { $0 % 10 })
    }

    func peak(_ network: MNISTNetwork, residualBlocks: Int = 6, steps: Int = 0, gradient: GradientMode = .adjoint())
        throws -> TrainingStepMemory {
        let model = MNISTClassifier<Float>.tableOneModel(network, residualBlocks: residualBlocks, rk4Steps: steps,
                                                         gradient: gradient)
        let (images, labels) = batchOfImages()
        return try model.measureTrainingStep(images: images, labels: labels, clock: monotonicSeconds)
    }

    /// p(2L) − p(L) ≥ 1.8·(p(L) − p(L/2)), and the growth is real (the increments are positive).
    func assertLinearGrowth(_ peaks: [Int], _ what: String) {
        let (first, second) = (peaks[1] - peaks[0], peaks[2] - peaks[1])
        XCTAssertGreaterThan(first, 0, "\(what): \(peaks)")
        XCTAssertGreaterThanOrEqual(Double(second), 1.8 * Double(first), "\(what): \(peaks)")
    }

    func testResNetMemoryGrowsWithDepth() throws {
        let peaks = try [6, 12, 24].map { try peak(.resNet, residualBlocks: $0).peakBytes }
        assertLinearGrowth(peaks, "ResNet, 6/12/24 blocks")
    }

    func testRKNetMemoryGrowsWithStepsAndTheAdjointsDoesNot() throws {
        let direct = try [2, 4, 8].map { try peak(.odeNet, steps: $0, gradient: .direct) }
        XCTAssertEqual(direct.map(\.forwardEvaluations), [8, 16, 32])
        assertLinearGrowth(direct.map(\.peakBytes), "RK-Net (direct), 2/4/8 RK4 steps")
        let adjoint = try [2, 8].map { try peak(.odeNet, steps: $0) }
        XCTAssertEqual(adjoint.map(\.forwardEvaluations), [8, 32])
        XCTAssertLessThanOrEqual(Double(adjoint[1].peakBytes), 1.1 * Double(adjoint[0].peakBytes),
                                 "ODE-Net (adjoint), 8 → 32 evaluations: \(adjoint.map(\.peakBytes))")
        XCTAssertLessThan(adjoint[1].peakBytes, direct[2].peakBytes / 2, "the adjoint holds far less than direct at 32 NFE")
    }
}
