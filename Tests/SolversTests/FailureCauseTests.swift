import XCTest
import Solvers

/// Errors name their cause: a vector field that returns NaN, a fixed step too small to count.
final class FailureCauseTests: XCTestCase {
    func testNaNFromTheFieldIsReportedAsSuchWithItsTimeAndComponent() throws {
        // f is NaN past t = 0.5 (the square root of a negative number); the solve cannot step over it.
        let problem = ODEProblem(timeSpan: TimeSpan(start: 0, end: 1), initialState: [1.0, 0.0]) { t, y, dy in
            dy[0] = -y[0]
            dy[1] = (0.5 - t).squareRoot()
        }
        let controller = StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-9)
        XCTAssertThrowsError(try solve(problem, using: .dormandPrince54, controller: controller)) { error in
            guard case let SolverError.nonFiniteDerivative(time, component, value) = error else {
                return XCTFail("expected nonFiniteDerivative, got \(error)")
            }
            XCTAssertEqual(component, 1)
            XCTAssertTrue(value.isNaN)
            XCTAssertGreaterThan(time, 0.5)
            XCTAssertLessThan(time, 0.5 + 1e-6)
            XCTAssertTrue("\(error)".contains("nan in component 1 at t = 0.5"), "\(error)")
        }
        // Limited trial steps end the same way: the cause, not "too many steps".
        XCTAssertThrowsError(try solve(problem, using: .dormandPrince54, controller: controller, maxSteps: 40)) {
            guard case SolverError.nonFiniteDerivative = $0 else { return XCTFail("\($0)") }
        }
    }

    func testNaNFromTheFieldAtTheInitialStateIsReportedAsSuch() throws {
        // The state is finite; f(t₀, y₀) is not (log 0 = −∞). It used to read "non-finite state at t = 0".
        let problem = ODEProblem(timeSpan: TimeSpan(start: 0, end: 1), initialState: [1.0, 0.0]) { _, y, dy in
            dy[0] = -y[0]
            dy[1] = log(y[1])
        }
        let controller = StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-9)
        XCTAssertThrowsError(try solve(problem, using: .dormandPrince54, controller: controller)) { error in
            XCTAssertEqual(error as? SolverError, .nonFiniteDerivative(time: 0, component: 1, value: -.infinity))
            XCTAssertTrue("\(error)".contains("returned -inf in component 1 at t = 0.0"), "\(error)")
        }
    }

    func testAFiniteTimeBlowUpEndsInATypedError() throws {
        // A finite-time blow-up y' = y² from y(0) = 1 (singular at t = 1).
        let problem = ODEProblem(timeSpan: TimeSpan(start: 0, end: 2), initialState: [1.0]) { _, y, dy in
            dy[0] = y[0] * y[0]
        }
        let controller = StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-9)
        XCTAssertThrowsError(try solve(problem, using: .dormandPrince54, controller: controller)) { error in
            switch error {
            case SolverError.stepSizeUnderflow, SolverError.tooManySteps, SolverError.nonFiniteDerivative: break
            default: XCTFail("\(error)")
            }
        }
    }

    func testATinyFixedStepIsATypedErrorWithTheCountItNeeds() throws {
        let problem = ODEProblem(timeSpan: TimeSpan(start: 0, end: 1), initialState: [1.0]) { _, y, dy in dy[0] = -y[0] }
        for h in [1e-300, 1e-19, -1e-19] {
            XCTAssertThrowsError(try solve(problem, using: .rk4, stepSize: h)) { error in
                guard case let SolverError.tooManyFixedSteps(required, limit, stepSize) = error else {
                    return XCTFail("\(error)")
                }
                XCTAssertEqual(required, (1 / abs(h)).rounded(.up), accuracy: 1e-9 * required)
                XCTAssertEqual(limit, 1 << 53)
                XCTAssertEqual(stepSize, h)
            }
        }
        XCTAssertEqual(try TimeSpan(start: 0, end: 1).fixedStepCount(stepSize: 0.1), 10)
        XCTAssertEqual(try TimeSpan(start: 1, end: 0).fixedStepCount(stepSize: 0.3), 4)
        XCTAssertThrowsError(try TimeSpan(start: 0, end: .infinity).fixedStepCount(stepSize: 0.1)) {
            guard case SolverError.invalidTimeSpan = $0 else { return XCTFail("\($0)") }
        }
    }
}
