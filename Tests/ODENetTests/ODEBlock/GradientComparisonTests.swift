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
}
