import Foundation
import XCTest
import Solvers

final class SolverErrorTests: XCTestCase {
    let controller = StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-9)

    func expectError<T>(_ expected: (SolverError) -> Bool, _ body: () throws -> T,
                        file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try body()
            XCTFail("expected a SolverError", file: file, line: line)
        } catch let error as SolverError {
            XCTAssertTrue(expected(error), "unexpected \(error)", file: file, line: line)
            XCTAssertFalse(error.description.isEmpty, file: file, line: line)
        } catch {
            XCTFail("unexpected error type \(error)", file: file, line: line)
        }
    }

    func testFixedStepNaNIsANonFiniteStateWithTimeAndComponent() {
        let problem = ODEProblem<[Double]>(timeSpan: TimeSpan(start: 0, end: 1), initialState: [1, 1]) { t, y, dy in
            dy[0] = -y[0]
            dy[1] = t > 0.5 ? .nan : 0
        }
        expectError({ if case let .nonFiniteState(t, i, v) = $0 { return t > 0.5 && t <= 0.6 + 1e-12 && i == 1 && v.isNaN }; return false }) {
            try solve(problem, using: .rk4, stepCount: 10)
        }
    }

    func testBlowUpUnderflowsTheStepSizeNearTheSingularity() {
        // y' = y², y(0) = 1 has y = 1/(1 − t): singular at t = 1.
        let problem = ODEProblem<[Double]>(timeSpan: TimeSpan(start: 0, end: 2), initialState: [1]) { _, y, dy in
            dy[0] = y[0] * y[0]
        }
        var c = controller
        c.minimumStepSize = 1e-10
        expectError({ if case let .stepSizeUnderflow(t, h) = $0 { return abs(t - 1) < 1e-2 && abs(h) <= 1e-9 }; return false }) {
            try solve(problem, using: .dormandPrince54, controller: c)
        }
    }

    func testNaNTrialStepsAreRejectedNotFatal() throws {
        // The field is NaN beyond t = 1.5 only for large steps' stage points… here: NaN for y < 0.2, which an
        // overly large trial step reaches; the solver must shrink and carry on.
        let problem = ODEProblem<[Double]>(timeSpan: TimeSpan(start: 0, end: 1), initialState: [1]) { _, y, dy in
            dy[0] = y[0] < 0.2 ? .nan : -y[0]
        }
        var c = controller
        c.initialStepSize = 5
        let solution = try solve(problem, using: .dormandPrince54, controller: c)
        XCTAssertEqual(solution.finalState[0], exp(-1), accuracy: 1e-6)
        XCTAssertGreaterThan(solution.statistics.rejectedSteps, 0)
    }

    func testTooManyStepsReportsTheTimeReached() {
        expectError({ if case let .tooManySteps(limit, t, _) = $0 { return limit == 5 && t > 0 && t < 5 }; return false }) {
            try solve(linearProblem(end: 5), using: .dormandPrince54, controller: controller, maxSteps: 5)
        }
    }

    func testInvalidTolerancesAreRejected() {
        let negative = StepSizeController(relativeTolerance: -1e-6, absoluteTolerance: 1e-9)
        expectError({ if case let .invalidTolerance(name, v, _) = $0 { return name == "relativeTolerance" && v == -1e-6 }; return false }) {
            try solve(linearProblem(end: 1), using: .tsitouras54, controller: negative)
        }
        let wrongCount = StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: .perComponent([1e-9, 1e-9]))
        expectError({ if case let .invalidTolerance(name, _, _) = $0 { return name == "absoluteTolerance" }; return false }) {
            try solve(linearProblem(end: 1), using: .tsitouras54, controller: wrongCount)
        }
        let zero = StepSizeController(relativeTolerance: 0, absoluteTolerance: 0)
        expectError({ if case .invalidTolerance = $0 { return true }; return false }) {
            try solve(linearProblem(end: 1), using: .tsitouras54, controller: zero)
        }
    }

    func testInvalidControllerSettingsAreRejected() {
        var nanGain = StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-9)
        nanGain.derivativeGain = .nan
        expectError({ if case let .invalidControllerSetting(name, v, _) = $0 { return name == "derivativeGain" && v.isNaN }; return false }) {
            try solve(linearProblem(end: 1), using: .tsitouras54, controller: nanGain)
        }
        var badFactors = StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-9)
        badFactors.minimumFactor = 2
        expectError({ if case let .invalidControllerSetting(name, v, _) = $0 { return name == "minimumFactor" && v == 2 }; return false }) {
            try solve(linearProblem(end: 1), using: .tsitouras54, controller: badFactors)
        }
        var noSafety = StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-9)
        noSafety.safetyFactor = 0
        expectError({ if case let .invalidControllerSetting(name, _, _) = $0 { return name == "safetyFactor" }; return false }) {
            try solve(linearProblem(end: 1), using: .tsitouras54, controller: noSafety)
        }
    }

    func testInvalidSpansAndStepSizesAreRejected() {
        let problem = ODEProblem(timeSpan: TimeSpan(start: 0, end: .nan), initialState: linearInitialState,
                                 function: linearProblem(end: 1).function)
        expectError({ if case let .invalidTimeSpan(a, b) = $0 { return a == 0 && b.isNaN }; return false }) {
            try solve(problem, using: .dormandPrince54, controller: controller)
        }
        expectError({ if case .invalidStepSize(0) = $0 { return true }; return false }) {
            try solve(linearProblem(end: 1), using: .euler, stepSize: 0)
        }
    }

    func testOutputTimesOutsideTheSpanOrOutOfOrderAreRejected() {
        expectError({ if case let .outputTimeOutsideSpan(t, a, b) = $0 { return t == 1.5 && a == 0 && b == 1 }; return false }) {
            try solve(linearProblem(end: 1), using: .dormandPrince54, controller: controller, saveAt: .times([0.5, 1.5]))
        }
        expectError({ if case let .outputTimesNotMonotone(i, p, t) = $0 { return i == 2 && p == 0.6 && t == 0.4 }; return false }) {
            try solve(linearProblem(end: 1), using: .dormandPrince54, controller: controller, saveAt: .times([0.2, 0.6, 0.4]))
        }
        // Backwards, times must decrease.
        let back = ODEProblem(timeSpan: TimeSpan(start: 1, end: 0), initialState: linearInitialState,
                              function: linearProblem(end: 1).function)
        expectError({ if case .outputTimesNotMonotone(1, _, _) = $0 { return true }; return false }) {
            try solve(back, using: .dormandPrince54, controller: controller, saveAt: .times([0.2, 0.6]))
        }
    }

    func testDenseEvaluationWithoutDenseOutputSaysSo() throws {
        let solution = try solve(linearProblem(end: 1), using: .dormandPrince54, controller: controller)
        expectError({ $0 == .denseOutputNotSaved }) { try solution.state(at: 0.5) }
        let dense = try solve(linearProblem(end: 1), using: .dormandPrince54, controller: controller, saveAt: .dense)
        expectError({ if case .evaluationTimeOutsideSolution(2, _, _) = $0 { return true }; return false }) {
            try dense.state(at: 2)
        }
    }

    func testNonFiniteInitialStateIsRejected() {
        let problem = ODEProblem<[Double]>(timeSpan: TimeSpan(start: 0, end: 1), initialState: [1, .infinity]) { _, y, dy in
            dy[0] = y[0]
            dy[1] = y[1]
        }
        expectError({ if case let .nonFiniteState(t, i, _) = $0 { return t == 0 && i == 1 }; return false }) {
            try solve(problem, using: .bogackiShampine32, controller: controller)
        }
    }
}
