import Foundation
import XCTest
import Solvers

final class AdaptiveSolveTests: XCTestCase {
    func controller(_ tolerance: Double) -> StepSizeController {
        StepSizeController(relativeTolerance: .scalar(tolerance), absoluteTolerance: .scalar(tolerance))
    }

    func testGlobalErrorFallsWithTheToleranceAndStaysWithinAFactor100() throws {
        let exact = linearExact(5)
        for method in adaptiveMethods {
            var errors: [Double] = []
            for k in 3...10 {
                let tolerance = pow(10, -Double(k))
                let solution = try solve(linearProblem(end: 5), using: method, controller: controller(tolerance))
                let error = maxAbsDifference(solution.finalState, exact)
                XCTAssertLessThan(error, 100 * tolerance, "\(method) at tolerance \(tolerance)")
                errors.append(error)
            }
            XCTAssertLessThan(errors.last!, errors.first! * 1e-4, "\(method): error does not fall with the tolerance")
            for i in 2..<errors.count {
                XCTAssertLessThan(errors[i], errors[i - 2], "\(method): error grew over two decades of tolerance")
            }
        }
    }

    func testOutputTimesAgreeWithTheExactSolutionToTheTolerance() throws {
        let times = (0...100).map { 5 * Double($0) / 100 }
        for method in adaptiveMethods {
            let tolerance = 1e-8
            let solution = try solve(linearProblem(end: 5), using: method, controller: controller(tolerance),
                                     saveAt: .times(times))
            XCTAssertEqual(solution.times, times)
            let endOnly = try solve(linearProblem(end: 5), using: method, controller: controller(tolerance))
            XCTAssertEqual(solution.steps, endOnly.steps, "\(method): output times must not change the steps")
            for (t, y) in zip(solution.times, solution.states) {
                XCTAssertLessThan(maxAbsDifference(y, linearExact(t)), 100 * tolerance, "\(method) at t = \(t)")
            }
        }
    }

    func testDenseSolutionAgreesWithRequestedOutputs() throws {
        let times = (0...40).map { 5 * Double($0) / 40 }
        for method in adaptiveMethods {
            var saveAt = SaveAt.times(times)
            saveAt.dense = true
            let solution = try solve(linearProblem(end: 5), using: method, controller: controller(1e-8), saveAt: saveAt)
            for (t, y) in zip(solution.times, solution.states) {
                XCTAssertEqual(try solution.state(at: t), y, "\(method) dense evaluation at t = \(t)")
            }
            XCTAssertLessThan(maxAbsDifference(try solution.state(at: 1.2345), linearExact(1.2345)), 1e-6)
        }
    }

    func testBackwardSolveReturnsToTheStart() throws {
        for method in adaptiveMethods {
            let tolerance = 1e-9
            let forward = try solve(linearProblem(end: 5), using: method, controller: controller(tolerance))
            let back = ODEProblem(timeSpan: TimeSpan(start: 5, end: 0), initialState: forward.finalState,
                                  function: linearProblem(end: 5).function)
            let backward = try solve(back, using: method, controller: controller(tolerance),
                                     saveAt: .times([5, 2.5, 0]))
            XCTAssertEqual(backward.times, [5, 2.5, 0])
            XCTAssertLessThan(maxAbsDifference(backward.finalState, linearInitialState), 1000 * tolerance, "\(method)")
            XCTAssertLessThan(maxAbsDifference(backward.states[1], linearExact(2.5)), 1000 * tolerance, "\(method)")
            XCTAssertTrue(backward.steps.allSatisfy { $0.stepSize < 0 })
        }
    }

    func testOutputAtTheInitialTimeIsBitIdenticalToTheInitialState() throws {
        let initial: [Double] = [0.1 + 0.2, 1.0 / 3, -2.0 / 7, 1e-300]
        let problem = ODEProblem(timeSpan: TimeSpan(start: 0.3, end: -1), initialState: initial,
                                 function: linearProblem(end: 1).function)
        for method in adaptiveMethods {
            let solution = try solve(problem, using: method, controller: controller(1e-6),
                                     saveAt: SaveAt(times: [0.3, 0], includesStart: true))
            XCTAssertEqual(solution.times, [0.3, 0.3, 0])
            XCTAssertEqual(solution.states[0].map(\.bitPattern), initial.map(\.bitPattern))
            XCTAssertEqual(solution.states[1].map(\.bitPattern), initial.map(\.bitPattern))
        }
        let fixed = try solve(problem, using: .rk4, stepCount: 7, saveAt: .times([0.3, -1]))
        XCTAssertEqual(fixed.states[0].map(\.bitPattern), initial.map(\.bitPattern))
    }

    func testEventsAreLocatedWithinTheirTolerance() throws {
        // y = (cos t, sin t): the second component falls through zero at π and rises through it at 2π.
        let rotation = ODEProblem<[Double]>(timeSpan: TimeSpan(start: 0, end: 10), initialState: [1, 0]) { _, y, dy in
            dy[0] = -y[1]
            dy[1] = y[0]
        }
        for method in adaptiveMethods {
            let falling = ODEEvent<[Double]>(direction: .falling, timeTolerance: 1e-12) { _, y in y[1] }
            let solution = try solve(rotation, using: method, controller: controller(1e-12), saveAt: .end, event: falling)
            let found = try XCTUnwrap(solution.event, "\(method)")
            XCTAssertEqual(found.time, Double.pi, accuracy: 1e-9, "\(method)")
            XCTAssertEqual(solution.finalTime, found.time)
            XCTAssertEqual(found.state[1], 0, accuracy: 1e-9)
            let rising = ODEEvent<[Double]>(direction: .rising, timeTolerance: 1e-12) { _, y in y[1] }
            let second = try solve(rotation, using: method, controller: controller(1e-12), event: rising)
            XCTAssertEqual(try XCTUnwrap(second.event).time, 2 * Double.pi, accuracy: 1e-8, "\(method)")
        }
    }

    func testReplayingTheAcceptedStepsReproducesTheSolveExactly() throws {
        for method in adaptiveMethods {
            let problem = linearProblem(end: 3)
            let solution = try solve(problem, using: method, controller: controller(1e-7))
            var workspace = RungeKuttaWorkspace(template: problem.initialState, tableau: method.tableau)
            var y = problem.initialState
            for step in solution.steps {
                y = try method.step(problem.function, time: step.time, stepSize: step.stepSize, state: y,
                                    workspace: &workspace, freshStart: true).next
            }
            XCTAssertEqual(y, solution.finalState, "\(method)")
            XCTAssertEqual(solution.steps.count, solution.statistics.acceptedSteps)
        }
    }

    func testStopTimesAreSteppedToExactly() throws {
        let solution = try solve(linearProblem(end: 5), using: .dormandPrince54, controller: controller(1e-6),
                                 stopTimes: [1.1, 2.7])
        let ends = solution.steps.map { $0.time + $0.stepSize }
        XCTAssertTrue(solution.steps.contains { $0.time == 1.1 })
        XCTAssertTrue(solution.steps.contains { $0.time == 2.7 })
        XCTAssertEqual(solution.finalTime, 5)
        XCTAssertFalse(ends.isEmpty)
    }

    func testSeminormIgnoresUncontrolledComponents() throws {
        // Component 1 grows fast but is excluded from the norm: fewer steps than with the full norm.
        let problem = ODEProblem<[Double]>(timeSpan: TimeSpan(start: 0, end: 2), initialState: [1, 1]) { t, y, dy in
            dy[0] = -y[0]
            dy[1] = 50 * cos(50 * t)
        }
        let full = try solve(problem, using: .dormandPrince54, controller: controller(1e-8))
        var c = controller(1e-8)
        c.norm = .rms(over: 0..<1)
        let semi = try solve(problem, using: .dormandPrince54, controller: c)
        XCTAssertLessThan(semi.statistics.acceptedSteps, full.statistics.acceptedSteps)
        XCTAssertEqual(semi.finalState[0], exp(-2), accuracy: 1e-6)
    }

    func testFloatStatesSolve() throws {
        let problem = ODEProblem<[Float]>(timeSpan: TimeSpan(start: 0, end: 1), initialState: [1, 0]) { _, y, dy in
            dy[0] = -y[1]
            dy[1] = y[0]
        }
        let solution = try solve(problem, using: .tsitouras54, controller: controller(1e-6))
        XCTAssertEqual(solution.finalState[0], Float(cos(1.0)), accuracy: 1e-5)
        XCTAssertEqual(solution.finalState[1], Float(sin(1.0)), accuracy: 1e-5)
    }
}
