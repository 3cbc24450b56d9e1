import XCTest
import Solvers

/// Tolerances held in `Double` and `[Double]` variables build controllers, as literals do.
final class ToleranceVariableTests: XCTestCase {
    func testDoubleVariablesBuildAScalarController() {
        let rtol: Double = 1e-6
        let atol: Double = 1e-9
        let controller = StepSizeController(relativeTolerance: rtol, absoluteTolerance: atol, norm: .maximum)
        XCTAssertEqual(controller.relativeTolerance, .scalar(rtol))
        XCTAssertEqual(controller.absoluteTolerance, .scalar(atol))
        XCTAssertEqual(controller.norm, .maximum)
        XCTAssertEqual(Tolerance(rtol), .scalar(rtol))
    }

    func testArrayVariablesBuildAPerComponentController() {
        let rtols: [Double] = [1e-6, 1e-8]
        let atols: [Double] = [1e-9, 1e-10]
        let controller = StepSizeController(relativeTolerance: rtols, absoluteTolerance: atols)
        XCTAssertEqual(controller.relativeTolerance, .perComponent(rtols))
        XCTAssertEqual(controller.absoluteTolerance, .perComponent(atols))
        XCTAssertEqual(Tolerance(atols), .perComponent(atols))
    }

    func testLiteralsAndMixedFormsStillCompile() {
        let literal = StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-9)
        XCTAssertEqual(literal.relativeTolerance, .scalar(1e-6))
        let integers = StepSizeController(relativeTolerance: 0, absoluteTolerance: 1)
        XCTAssertEqual(integers.relativeTolerance, .scalar(0))
        XCTAssertEqual(integers.absoluteTolerance, .scalar(1))
        let mixed = StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: [1e-9, 1e-6])
        XCTAssertEqual(mixed.absoluteTolerance, .perComponent([1e-9, 1e-6]))
        let rtol = 1e-5, atols = [1e-8, 1e-7]
        let variables = StepSizeController(relativeTolerance: Tolerance(rtol), absoluteTolerance: .perComponent(atols))
        XCTAssertEqual(variables.relativeTolerance, .scalar(rtol))
        let array: Tolerance = [1e-3, 1e-4]
        XCTAssertEqual(array, .perComponent([1e-3, 1e-4]))
    }

    func testAControllerFromVariablesSolvesStepForStepLikeOneFromLiterals() throws {
        let problem = ODEProblem<[Double]>(timeSpan: TimeSpan(start: 0, end: 3), initialState: [1, 0]) { _, y, dy in
            dy[0] = y[1]
            dy[1] = -y[0] - 0.1 * y[1]
        }
        let rtol = 1e-7, atols: [Double] = [1e-9, 1e-8]
        let fromVariables = try solve(problem, using: .dormandPrince54,
                                      controller: StepSizeController(relativeTolerance: [rtol, rtol],
                                                                     absoluteTolerance: atols))
        let fromLiterals = try solve(problem, using: .dormandPrince54,
                                     controller: StepSizeController(relativeTolerance: [1e-7, 1e-7],
                                                                    absoluteTolerance: [1e-9, 1e-8]))
        XCTAssertEqual(fromVariables.steps, fromLiterals.steps)
        XCTAssertEqual(fromVariables.finalState, fromLiterals.finalState)
        // A wrong count is still caught when the solve starts.
        XCTAssertThrowsError(try solve(problem, using: .dormandPrince54,
                                       controller: StepSizeController(relativeTolerance: [rtol],
                                                                      absoluteTolerance: atols)))
    }
}
