import XCTest
import Autodiff
@testable import ODENet

final class GradientComparisonTests: XCTestCase {
    func testGradientModesAgreeAtTightTolerancesAndTheReportNamesEachPair() throws {
        let block = ODEBlock(SmallMLPDynamics<Double>(), relativeTolerance: 1e-9, absoluteTolerance: 1e-9)
        let z0 = Tensor<Double>(shape: [2, 2], scalars: [0.4, -0.3, 0.2, 0.5])
        let report = try block.compareGradientModes(at: z0)
        XCTAssertEqual(report.entries.count, 6)
        XCTAssertLessThan(report.worstRelativeDifference, 1e-5, "\(report)")
        let discrete = report.entries.first { $0.label == "direct vs checkpointed" }!
        XCTAssertLessThan(discrete.relativeDifference, 1e-12, "direct and checkpointed agree to rounding")
        if case .adjoint = block.gradientMode {} else { XCTFail("the block's mode is restored") }
    }

    func testLooseAdjointToleranceShowsUpInTheReport() throws {
        let block = ODEBlock(SmallMLPDynamics<Double>(), relativeTolerance: 1e-3, absoluteTolerance: 1e-3)
        let z0 = Tensor<Double>(shape: [2, 2], scalars: [0.9, -0.8, 0.7, 0.6])
        block.integrationTimes = [0, 3]
        let report = try block.compareGradientModes(at: z0)
        let adjoint = report.entries.first { $0.label == "adjoint vs direct" }!
        XCTAssertGreaterThan(adjoint.relativeDifference, 1e-8, "at rtol 1e-3 the adjoint is only approximate: \(report)")
    }

    func testFloatTrajectoriesAndAThrowingLoss() throws {
        let block = ODEBlock(SmallMLPDynamics<Float>(), relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
        let z0 = Tensor<Float>(shape: [2, 2], scalars: [0.4, -0.3, 0.2, 0.5])
        let target = Tensor<Float>.zeros([3, 2, 2])
        let report = try block.compareGradientModes(at: z0, times: [0, 0.5, 1]) { path in
            try XCTUnwrap(path.shape == [3, 2, 2] ? mseLoss(predictions: path, targets: target) : nil)
        }
        XCTAssertEqual(report.entries.count, 6)
        // Float finite differences (step ε^(1/3) ≈ 5e-3) agree to about 1e-3; the modes with each other to ~1e-5.
        for entry in report.entries {
            XCTAssertLessThan(entry.relativeDifference, entry.label.contains("finite") ? 5e-3 : 1e-4, "\(report)")
        }
        struct Refused: Error {}
        XCTAssertThrowsError(try block.compareGradientModes(at: z0) { _ in throw Refused() }) {
            XCTAssertTrue($0 is Refused)
        }
    }

    func testConfigurationsPrintAsTheCodeThatBuildsThem() {
        XCTAssertEqual(GradientMode.direct.description, "direct")
        XCTAssertEqual(GradientMode.adjoint(AdjointOptions(relativeTolerance: 1e-9, usesSeminorm: true)).description,
                       "adjoint(rtol: 1e-09, seminorm)")
        XCTAssertEqual(AdjointOptions(method: .tsitouras54).description, "method: \(ButcherTableau.tsitouras54.name)")
        XCTAssertEqual(Stepping.fixed(.rk4, stepSize: 0.1).description, "fixed(\(ButcherTableau.rk4.name), stepSize: 0.1)")
        let controller = StepSizeController.torchdiffeq()
        XCTAssertEqual(Stepping.adaptive(.dormandPrince54, controller: controller).description,
                       "adaptive(\(ButcherTableau.dormandPrince54.name), \(controller))")
    }

    /// The spellings deprecated in 0.2.0 still build the same blocks (the test is itself deprecated, which keeps
    /// its calls of deprecated API from warning).
    @available(*, deprecated)
    func testDeprecatedSpellingsStillWork() throws {
        let dynamics = SmallMLPDynamics<Double>()
        let old = ODEBlock(dynamics, method: ButcherTableau.tsitouras54, relativeTolerance: 1e-6, absoluteTolerance: 1e-8)
        let new = ODEBlock(dynamics, method: .tsitouras54, relativeTolerance: 1e-6, absoluteTolerance: 1e-8)
        let z0 = Tensor<Double>(shape: [2, 2], scalars: [0.4, -0.3, 0.2, 0.5])
        XCTAssertEqual(try old(z0).scalars, try new(z0).scalars)
        XCTAssertEqual(old.relativeTolerance, 1e-6)
        old.absoluteTolerance = 1e-10
        XCTAssertEqual(old.stepping.controller?.absoluteTolerance, .scalar(1e-10))
        let fixed = ODEBlock(dynamics, method: ButcherTableau.rk4, stepSize: 0.1)
        XCTAssertEqual(fixed.stepSize, 0.1)
        let options = AdjointOptions(method: ButcherTableau.bogackiShampine32)
        XCTAssertEqual(options.method?.tableau.name, ButcherTableau.bogackiShampine32.name)
        let statistics: ODEBlockStatistics = old.statistics
        XCTAssertGreaterThan(statistics.forwardEvaluations, 0)
    }
}
