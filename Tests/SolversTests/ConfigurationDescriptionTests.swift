import XCTest
import Solvers

/// The configuration types print as the code that builds them.
final class ConfigurationDescriptionTests: XCTestCase {
    func testControllerListsTolerancesNormAndOnlyChangedSettings() {
        XCTAssertEqual("\(StepSizeController(relativeTolerance: 1e-7, absoluteTolerance: 1e-9))",
                       "StepSizeController(rtol: 1e-07, atol: 1e-09, norm: rms)")
        XCTAssertEqual(StepSizeController.torchdiffeq().description,
                       "StepSizeController(rtol: 1e-07, atol: 1e-09, norm: rms, acceptedStepsNeverShrink: true, "
                           + "limitsGrowthAfterRejection: false, endpoint: interpolated)")
        var pid = StepSizeController(relativeTolerance: 1e-7, absoluteTolerance: 1e-9)
        pid.gains = .h211b
        XCTAssertEqual(pid.description, "StepSizeController(rtol: 1e-07, atol: 1e-09, norm: rms, integralGain: 0.5, "
                           + "proportionalGain: -0.25, stepRatioGain: 0.25)")
        XCTAssertEqual(ControllerGains(proportional: 0.4, integral: 0.3).description,
                       "ControllerGains(pcoeff: 0.4, icoeff: 0.3, dcoeff: 0.0)")
        var custom = StepSizeController(relativeTolerance: [1e-6, 1e-7], absoluteTolerance: 1e-9,
                                        norm: .maximum(over: 0..<1))
        custom.safetyFactor = 0.8
        custom.initialStepSize = 0.01
        XCTAssertEqual(custom.description,
                       "StepSizeController(rtol: [1e-06, 1e-07], atol: 1e-09, norm: maximum(over: 0..<1), "
                           + "safetyFactor: 0.8, initialStepSize: 0.01)")
    }

    func testNormsTolerancesAndEndpoints() {
        XCTAssertEqual(ErrorNorm.rms.description, "rms")
        XCTAssertEqual(ErrorNorm.maximum.description, "maximum")
        XCTAssertEqual(ErrorNorm.rms(over: 2..<5).description, "rms(over: 2..<5)")
        XCTAssertEqual(Tolerance.scalar(1e-6).description, "1e-06")
        XCTAssertEqual(Tolerance.perComponent([1e-6, 0.5]).description, "[1e-06, 0.5]")
        XCTAssertEqual(Tolerance(Array(repeating: 1e-6, count: 9) + [2e-6]).description,
                       "[1e-06, 1e-06, 1e-06, …, 2e-06] (10 values)")
        XCTAssertEqual("\(StepSizeController.Endpoint.exact)", "exact")
        XCTAssertEqual("\(StepSizeController.Endpoint.interpolated)", "interpolated")
    }

    func testSaveAtShowsOnlyWhatItKeeps() {
        XCTAssertEqual(SaveAt().description, "SaveAt()")
        XCTAssertEqual(SaveAt.end.description, "SaveAt(includesEnd: true)")
        XCTAssertEqual(SaveAt.dense.description, "SaveAt(includesEnd: true, dense: true)")
        XCTAssertEqual(SaveAt.everyStep.description, "SaveAt(includesStart: true, everyStep: true)")
        XCTAssertEqual(SaveAt.times([0, 0.5, 1]).description, "SaveAt(times: [0.0, 0.5, 1.0])")
    }
}
