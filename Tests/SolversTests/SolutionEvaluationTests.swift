import Foundation
import XCTest
import Solvers

/// `solution(t)`: the dense output within the solved interval, typed errors otherwise.
final class SolutionEvaluationTests: XCTestCase {
    let controller = StepSizeController(relativeTolerance: 1e-10, absoluteTolerance: 1e-12)

    /// y₀' = y₁, y₁' = −y₀, y(t₀) = [cos t₀, −sin t₀]: y(t) = [cos t, −sin t].
    func oscillator(from start: Double, to end: Double) -> ODEProblem<[Double]> {
        ODEProblem(timeSpan: TimeSpan(start: start, end: end), initialState: [cos(start), -sin(start)]) { _, y, dy in
            dy[0] = y[1]
            dy[1] = -y[0]
        }
    }

    func expectSolverError(_ matches: (SolverError) -> Bool, _ body: () throws -> [Double],
                           file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try body()
            XCTFail("expected a SolverError", file: file, line: line)
        } catch let error as SolverError {
            XCTAssertTrue(matches(error), "unexpected \(error)", file: file, line: line)
        } catch {
            XCTFail("unexpected error type \(error)", file: file, line: line)
        }
    }

    func testCallingTheSolutionMatchesTheAnalyticSolutionForwardsAndBackwards() throws {
        for (start, end) in [(0.0, 2 * Double.pi), (3.0, -1.0)] {
            let solution = try solve(oscillator(from: start, to: end), using: .dormandPrince54, controller: controller,
                                     saveAt: .dense)
            var worst = 0.0
            for k in 0...60 {
                let t = start + (end - start) * Double(k) / 60
                let y = try solution(t)
                worst = max(worst, abs(y[0] - cos(t)), abs(y[1] + sin(t)))
            }
            XCTAssertLessThan(worst, 1e-8, "span [\(start), \(end)]")
            XCTAssertEqual(try solution(end), solution.finalState)
            XCTAssertEqual(try solution(start), [cos(start), -sin(start)])
        }
    }

    func testASolutionWithoutDenseOutputSaysToPassSaveAtDense() throws {
        let solution = try solve(oscillator(from: 0, to: 1), using: .dormandPrince54, controller: controller)
        expectSolverError({ $0 == .denseOutputNotSaved }) { try solution(0.5) }
        XCTAssertTrue(SolverError.denseOutputNotSaved.description.contains("saveAt: .dense"),
                      SolverError.denseOutputNotSaved.description)
    }

    func testTimesOutsideTheSolvedSpanAreTypedErrors() throws {
        let solution = try solve(oscillator(from: 0, to: 1), using: .dormandPrince54, controller: controller,
                                 saveAt: .dense)
        for t in [-0.1, 1.5, .nan] {
            expectSolverError({
                if case let .evaluationTimeOutsideSolution(time, start, end) = $0 {
                    return (time == t || (time.isNaN && t.isNaN)) && start == 0 && end == 1
                }
                return false
            }) { try solution(t) }
        }
    }

    func testTheSolvedSpanEndsAtAnEventAndAtAnInterpolatedEnd() throws {
        // The solve stops where y₀ = cos t crosses zero, inside its last step.
        let stop = ODEEvent { _, y in y[0] }
        var coarse = StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-9)
        coarse.maximumStepSize = 0.5
        let stopped = try solve(oscillator(from: 0, to: 3), using: .dormandPrince54, controller: coarse,
                                saveAt: .dense, event: stop)
        let eventTime = try XCTUnwrap(stopped.event).time
        XCTAssertEqual(eventTime, Double.pi / 2, accuracy: 1e-6)   // the crossing of the numerical solution
        let lastStep = try XCTUnwrap(stopped.steps.last)
        XCTAssertGreaterThan(lastStep.time + lastStep.stepSize, eventTime + 1e-3, "the event lies inside the step")
        XCTAssertEqual(try stopped(eventTime), stopped.finalState)
        let beyond = (eventTime + lastStep.time + lastStep.stepSize) / 2
        // Neither the solution nor its dense output reaches past the event, and the error names the event time.
        for evaluate in [{ try stopped(beyond) }, { try stopped.state(at: beyond) }, { try stopped.denseOutput!.state(at: beyond) }] {
            expectSolverError({
                if case .evaluationTimeOutsideSolution(beyond, 0, eventTime) = $0 { return true }
                return false
            }) { try evaluate() }
        }

        var passing = StepSizeController.torchdiffeq(relativeTolerance: 1e-6, absoluteTolerance: 1e-9)
        passing.maximumStepSize = 0.4
        let interpolated = try solve(oscillator(from: 0, to: 1), using: .dormandPrince54, controller: passing,
                                     saveAt: .dense)
        XCTAssertEqual(interpolated.finalTime, 1)
        XCTAssertEqual(try interpolated(1), interpolated.finalState)
        expectSolverError({ if case .evaluationTimeOutsideSolution(_, 0, 1) = $0 { return true }; return false }) {
            try interpolated(1.01)
        }
    }
}
