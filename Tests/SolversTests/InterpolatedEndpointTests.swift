import Foundation
import XCTest
import Solvers

/// `StepSizeController.Endpoint.interpolated` (step past the end, interpolate there, as torchdiffeq does)
/// and the Dormand–Prince variant with torchdiffeq's error estimate.
final class InterpolatedEndpointTests: XCTestCase {
    func controller(_ tolerance: Double, endpoint: StepSizeController.Endpoint) -> StepSizeController {
        var c = StepSizeController(relativeTolerance: .scalar(tolerance), absoluteTolerance: .scalar(tolerance))
        c.endpoint = endpoint
        return c
    }

    func testTheLastStepPassesTheEndAndTheEndStateIsInterpolatedToTheTolerance() throws {
        for method in adaptiveMethods {
            for (start, end) in [(0.0, 5.0), (5.0, 0.3)] {
                let problem = linearProblem(start: start, end: end)
                let times = (0...20).map { $0 == 20 ? end : start + (end - start) * Double($0) / 20 }
                let exact = try solve(problem, using: method, controller: controller(1e-8, endpoint: .exact),
                                      saveAt: .times(times))
                let past = try solve(problem, using: method, controller: controller(1e-8, endpoint: .interpolated),
                                     saveAt: .times(times))
                let last = try XCTUnwrap(past.steps.last)
                let direction = end > start ? 1.0 : -1.0
                XCTAssertGreaterThanOrEqual((last.time + last.stepSize - end) * direction, 0, "\(method)")
                XCTAssertLessThanOrEqual(past.steps.count, exact.steps.count, "\(method)")
                XCTAssertEqual(past.times, times)
                XCTAssertEqual(past.finalTime, end)
                XCTAssertEqual(past.finalState, past.states.last!, "\(method): the end output is the final state")
                // Every step but the last is the same: the policy only changes how the span is left.
                XCTAssertEqual(Array(past.steps.dropLast()), Array(exact.steps.prefix(past.steps.count - 1)))
                for (t, y) in zip(past.times, past.states) {
                    XCTAssertLessThan(maxAbsDifference(y, linearExact(t)), 1e-5, "\(method) at t = \(t)")
                }
                let endOnly = try solve(problem, using: method, controller: controller(1e-8, endpoint: .interpolated))
                XCTAssertEqual(endOnly.finalTime, end)
                XCTAssertEqual(endOnly.finalState, past.finalState, "\(method): output times must not change the end")
            }
        }
    }

    func testEveryStepOutputsStayInsideTheSpan() throws {
        var saveAt = SaveAt.end
        saveAt.everyStep = true
        let solution = try solve(linearProblem(end: 2), using: .dormandPrince54,
                                 controller: controller(1e-6, endpoint: .interpolated), saveAt: saveAt)
        XCTAssertTrue(solution.times.allSatisfy { $0 <= 2 }, "\(solution.times)")
        XCTAssertEqual(solution.times.last, 2)
        XCTAssertLessThan(maxAbsDifference(solution.finalState, linearExact(2)), 1e-4)
    }

    func testEventsBeyondTheEndAreNotReported() throws {
        // y = (cos t, sin t) on [0, 3.1]: sin t falls through zero at π, just past the end.
        let rotation = ODEProblem<[Double]>(timeSpan: TimeSpan(start: 0, end: 3.1), initialState: [1, 0]) { _, y, dy in
            dy[0] = -y[1]
            dy[1] = y[0]
        }
        let falling = ODEEvent<[Double]>(direction: .falling, timeTolerance: 1e-12) { _, y in y[1] }
        var c = controller(1e-3, endpoint: .interpolated)
        c.initialStepSize = 1.0   // steps of ~1 make the last one pass π
        let solution = try solve(rotation, using: .dormandPrince54, controller: c, event: falling)
        let last = try XCTUnwrap(solution.steps.last)
        XCTAssertGreaterThan(last.time + last.stepSize, Double.pi, "the test needs a last step that passes π")
        XCTAssertNil(solution.event)
        XCTAssertEqual(solution.finalTime, 3.1)
        // An event inside the span is still found when the last step passes the end.
        let inside = ODEProblem<[Double]>(timeSpan: TimeSpan(start: 0, end: 3.2), initialState: [1, 0],
                                          function: rotation.function)
        let found = try solve(inside, using: .dormandPrince54, controller: controller(1e-10, endpoint: .interpolated),
                              event: ODEEvent(direction: .falling, timeTolerance: 1e-12) { _, y in y[1] })
        XCTAssertEqual(try XCTUnwrap(found.event).time, Double.pi, accuracy: 1e-8)
    }

    /// torchdiffeq 0.2.5's dopri5 on the W1 spiral (Double, rtol 1e-7, atol 1e-9, 1000 outputs on [0, 25]):
    /// its first four trial steps, accepted and rejected counts, evaluations and y(25), as printed by
    /// `python Tests/ODENetTests/Fixtures/torchdiffeq_traces.py w1` (a hook on torchdiffeq's step function).
    func testTorchdiffeqVariantReproducesTorchdiffeqsStepSequence() throws {
        let spiral = ODEProblem<[Double]>(timeSpan: TimeSpan(start: 0, end: 25), initialState: [2, 0]) { _, y, dy in
            let a = y[0] * y[0] * y[0], b = y[1] * y[1] * y[1]
            dy[0] = -0.1 * a - 2 * b
            dy[1] = 2 * a - 0.1 * b
        }
        let times = (0..<1000).map { 25 * Double($0) / 999 }
        let solution = try solve(spiral, using: .dormandPrince54Torchdiffeq,
                                 controller: .torchdiffeq(relativeTolerance: 1e-7, absoluteTolerance: 1e-9),
                                 saveAt: .times(times))
        let torchdiffeqFirstSteps = [0.000621890528022496, 0.00621890528022496, 0.010488949288417404,
                                     0.012679659748621074]
        // Equal to rounding: the error ratio enters the step size through a fifth root, but the two codes
        // sum the error estimate in different orders (agreement ~1e-9 relative).
        for (ours, theirs) in zip(solution.steps.prefix(4), torchdiffeqFirstSteps) {
            XCTAssertEqual(ours.stepSize, theirs, accuracy: 1e-8 * theirs)
        }
        XCTAssertEqual(solution.statistics.acceptedSteps, 329)
        XCTAssertEqual(solution.statistics.rejectedSteps, 79)
        XCTAssertEqual(solution.statistics.functionEvaluations, 2450)
        // torchdiffeq's y(25): [-0.4436228806572049, 0.27944286930661827].
        XCTAssertEqual(solution.finalState[0], -0.4436228806572049, accuracy: 1e-9)
        XCTAssertEqual(solution.finalState[1], 0.27944286930661827, accuracy: 1e-9)
    }
}
