import Foundation
import XCTest
import Solvers

/// The extra stages of a continuous extension (DOP853's 3, Verner's 3–9) are evaluated only for steps whose
/// dense output is used (an output time inside the step, an event, `SaveAt.dense`), and then counted.
final class LazyDenseStagesTests: XCTestCase {
    let methods: [EmbeddedRungeKutta] = [.dormandPrince853, .verner65, .verner76, .verner87, .verner98, .princeDormand87]

    func controller() -> StepSizeController {
        StepSizeController(relativeTolerance: .scalar(1e-8), absoluteTolerance: .scalar(1e-10))
    }

    /// Extra dense stages evaluated per step whose interior is asked for: the extension's extra stages, plus
    /// f(t₁, y₁) when it is not the last stage — which the next step then reuses as its first stage, so it
    /// costs nothing in a step that is not the last.
    func extraStageCount(_ method: EmbeddedRungeKutta) -> Int {
        method.tableau.denseStageCount - method.tableau.continuousExtension.firstExtraStage
    }

    func testExtraStagesRunOnlyForStepsWithOutputInside() throws {
        for method in methods {
            let problem = linearProblem(end: 5)
            let endOnly = try solve(problem, using: method, controller: controller())
            let steps = endOnly.steps
            XCTAssertGreaterThan(steps.count, 8, "\(method)")
            // One output time inside each of three steps that are not the last.
            let chosen = [1, 3, 6]
            let times = chosen.map { steps[$0].time + 0.37 * steps[$0].stepSize }
            let withOutput = try solve(problem, using: method, controller: controller(), saveAt: .times(times))
            XCTAssertEqual(withOutput.steps, endOnly.steps, "\(method): output must not change the steps")
            XCTAssertEqual(withOutput.finalState, endOnly.finalState, "\(method)")
            XCTAssertEqual(withOutput.statistics.functionEvaluations - endOnly.statistics.functionEvaluations,
                           chosen.count * extraStageCount(method), "\(method): extra stages of \(chosen.count) steps")
            for (t, y) in zip(withOutput.times, withOutput.states) {
                XCTAssertLessThan(maxAbsDifference(y, linearExact(t)), 1e-6, "\(method) at t = \(t)")
            }
        }
    }

    func testTwoOutputTimesInOneStepEvaluateTheExtraStagesOnce() throws {
        for method in methods {
            let problem = linearProblem(end: 5)
            let endOnly = try solve(problem, using: method, controller: controller())
            let step = endOnly.steps[2]
            let times = [0.2, 0.5, 0.9].map { step.time + $0 * step.stepSize }
            let withOutput = try solve(problem, using: method, controller: controller(), saveAt: .times(times))
            XCTAssertEqual(withOutput.statistics.functionEvaluations - endOnly.statistics.functionEvaluations,
                           extraStageCount(method), "\(method)")
        }
    }

    /// An event function that never changes sign, checked at the steps' ends only (`interiorPoints: 0`), leaves
    /// every step's extra stages unevaluated; checked inside each step too (the default), it needs each step's
    /// dense stages, and costs exactly those.
    func testAnEventThatDoesNotOccurEvaluatesNoExtraStagesWithoutInteriorPoints() throws {
        for method in methods {
            let problem = linearProblem(end: 5)
            let endOnly = try solve(problem, using: method, controller: controller())
            let never = ODEEvent<[Double]>(interiorPoints: 0) { _, y in 10 + y[0] }
            let solution = try solve(problem, using: method, controller: controller(), event: never)
            XCTAssertNil(solution.event)
            XCTAssertEqual(solution.statistics, endOnly.statistics, "\(method)")
            let sampled = try solve(problem, using: method, controller: controller(), event: ODEEvent<[Double]> { _, y in 10 + y[0] })
            let extra = sampled.statistics.functionEvaluations - endOnly.statistics.functionEvaluations
            XCTAssertGreaterThan(extra, 0, "\(method)")
            XCTAssertLessThanOrEqual(extra, (extraStageCount(method) + 1) * endOnly.statistics.acceptedSteps, "\(method)")
        }
    }

    /// Locating an event checked at the steps' ends uses the dense output of the step where the event function
    /// changes sign: that step's extra stages (and f(t₁, y₁) when it is not a stage) are evaluated, once, and
    /// counted; no other step's are.
    func testAnEventEvaluatesTheExtraStagesOfItsStepOnly() throws {
        for method in methods {
            let problem = linearProblem(end: 5)
            let level = linearExact(2.0)[0]
            let event = ODEEvent<[Double]>(interiorPoints: 0) { _, y in y[0] - level }
            let stopped = try solve(problem, using: method, controller: controller(), event: event)
            let occurrence = try XCTUnwrap(stopped.event, "\(method)")
            // Within 100 × rtol (the bound the other dense-output tests use): RK8(7)13M's interpolant is only
            // of order 5.
            XCTAssertLessThan(maxAbsDifference(occurrence.state, linearExact(occurrence.time)), 1e-6, "\(method)")
            // The same steps taken one by one, without asking for any dense output.
            var integrator = try Integrator(problem, using: method, controller: controller())
            for _ in 0..<stopped.statistics.acceptedSteps { _ = try integrator.step() }
            XCTAssertEqual(integrator.statistics.acceptedSteps, stopped.statistics.acceptedSteps, "\(method)")
            XCTAssertEqual(integrator.statistics.rejectedSteps, stopped.statistics.rejectedSteps, "\(method)")
            let endpoint = method.tableau.isFirstSameAsLast ? 0 : 1
            XCTAssertEqual(stopped.statistics.functionEvaluations,
                           integrator.statistics.functionEvaluations + extraStageCount(method) + endpoint, "\(method)")
        }
    }
}
