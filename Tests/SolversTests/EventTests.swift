import XCTest
@testable import Solvers

/// Several events per solve: actions (stop, record, jump), directions, crossings inside one step, restarts
/// after jumps, unbounded spans — against closed forms.
final class EventTests: XCTestCase {
    let gravity = 9.8, height = 10.0, restitution = 0.8

    /// A ball dropped from `height`: y = [position, velocity].
    func ball(until end: Double = .infinity) -> ODEProblem<[Double]> {
        let g = gravity
        return ODEProblem(timeSpan: TimeSpan(start: 0, end: end), initialState: [height, 0]) { _, y, dy in
            dy[0] = y[1]
            dy[1] = -g
        }
    }

    /// Impact times of the bouncing ball: t₁ = √(2h/g), then flights of 2eᵏv₁/g.
    func impactTimes(_ count: Int) -> [Double] {
        let first = (2 * height / gravity).squareRoot(), v1 = gravity * first
        var times = [first]
        var speed = v1
        for _ in 1..<count {
            speed *= restitution
            times.append(times.last! + 2 * speed / gravity)
        }
        return times
    }

    var bounce: ODEEvent<[Double]> {
        let e = restitution
        return ODEEvent(direction: .falling, timeTolerance: 1e-12, action: .jump { _, y in [y[0], -e * y[1]] }) { _, y in y[0] }
    }

    func testBouncingBallImpactTimesMatchTheGeometricSeries() throws {
        let controller = StepSizeController(relativeTolerance: 1e-10, absoluteTolerance: 1e-10)
        // With direction `.any` too: the restart point lies just below the ground (the far side of the root)
        // and the ball rises through it at once; the event that jumped must not fire again there.
        var either = bounce
        either.direction = .any
        for (method, event) in [(EmbeddedRungeKutta.dormandPrince54, bounce), (.tsitouras54, bounce), (.verner65, bounce),
                                (.dormandPrince54, either)] {
            let solution = try solve(ball(), using: method, controller: controller, saveAt: .dense,
                                     events: [event], maximumEvents: 6)
            let expected = impactTimes(6)
            XCTAssertEqual(solution.events.count, 6)
            for (occurrence, t) in zip(solution.events, expected) {
                XCTAssertEqual(occurrence.time, t, accuracy: 1e-8, "\(method)")
                XCTAssertEqual(occurrence.index, 0)
                let after = try XCTUnwrap(occurrence.stateAfterJump)
                XCTAssertEqual(after[1], -restitution * occurrence.state[1])
            }
            // The solve ends at the sixth impact, after its jump; the dense output ends there too.
            XCTAssertEqual(solution.event?.time, solution.events.last?.time)
            XCTAssertEqual(solution.finalTime, solution.events[5].time)
            XCTAssertEqual(solution.finalState, solution.events[5].stateAfterJump)
            XCTAssertThrowsError(try solution(solution.finalTime + 1e-3))
            // Between impacts the dense output follows the parabola of the current flight (restarted stages).
            let middle = 0.5 * (expected[2] + expected[3])
            // Upward speed after the third impact: e³·v₁, with v₁ = g·t₁ the speed at the first.
            let launch = restitution * restitution * restitution * gravity * expected[0]
            let exact = launch * (middle - expected[2]) - 0.5 * gravity * (middle - expected[2]) * (middle - expected[2])
            XCTAssertEqual(try solution(middle)[0], exact, accuracy: 1e-7, "\(method)")
        }
    }

    func testFixedStepsGoOnToTheirGridAfterAJump() throws {
        let solution = try solve(ball(until: 6), using: .rk4, stepSize: 0.01, events: [bounce])
        let expected = impactTimes(3).filter { $0 < 6 }
        XCTAssertEqual(solution.events.count, expected.count)
        for (occurrence, t) in zip(solution.events, expected) { XCTAssertEqual(occurrence.time, t, accuracy: 1e-9) }
        XCTAssertEqual(solution.finalTime, 6)
    }

    /// sin t on [0, 10]: rising zeros at 2π, falling at π and 3π; the zero at t = 0 does not count.
    func testDirectionsAndRecordedCrossings() throws {
        let problem = ODEProblem(timeSpan: TimeSpan(start: 0, end: 10), initialState: [0.0]) { t, _, dy in dy[0] = cos(t) }
        let controller = StepSizeController(relativeTolerance: 1e-10, absoluteTolerance: 1e-12)
        let expectations: [(ODEEvent<[Double]>.Direction, [Double])] = [
            (.rising, [2 * .pi]), (.falling, [.pi, 3 * .pi]), (.any, [.pi, 2 * .pi, 3 * .pi]),
        ]
        for (direction, expected) in expectations {
            let event = ODEEvent<[Double]>(direction: direction, action: .record) { _, y in y[0] }
            let solution = try solve(problem, using: .dormandPrince54, controller: controller, events: [event])
            XCTAssertEqual(solution.events.map(\.time).count, expected.count, "\(direction)")
            for (occurrence, t) in zip(solution.events, expected) { XCTAssertEqual(occurrence.time, t, accuracy: 1e-8) }
            XCTAssertNil(solution.event, "recorded events do not end the solve")
            XCTAssertEqual(solution.finalTime, 10)
        }
    }

    /// g = (t − 1)(t − 1.1) on a solve whose steps are huge (y′ = 0): both roots lie inside one step. Sampled
    /// inside the step both are found, in order; checked at the ends only, neither (g has one sign there).
    func testTwoCrossingsInsideOneStep() throws {
        let problem = ODEProblem(timeSpan: TimeSpan(start: 0, end: 4), initialState: [1.0]) { _, _, dy in dy[0] = 0 }
        var controller = StepSizeController(relativeTolerance: 1e-8, absoluteTolerance: 1e-8)
        controller.initialStepSize = 4
        let sampled = ODEEvent<[Double]>(action: .record) { t, _ in (t - 1) * (t - 1.1) }
        let solution = try solve(problem, using: .dormandPrince54, controller: controller, events: [sampled])
        XCTAssertEqual(solution.statistics.acceptedSteps, 1)
        XCTAssertEqual(solution.events.count, 2)
        XCTAssertEqual(solution.events.first?.time ?? 0, 1, accuracy: 1e-9)
        XCTAssertEqual(solution.events.last?.time ?? 0, 1.1, accuracy: 1e-9)
        var endsOnly = sampled
        endsOnly.interiorPoints = 0
        XCTAssertEqual(try solve(problem, using: .dormandPrince54, controller: controller, events: [endsOnly]).events.count, 0)
    }

    /// Two events crossing inside one step: the earlier is handled first, whatever their order in the list;
    /// a terminal event after a recorded one leaves both in `events`.
    func testSimultaneousCrossingsAreHandledEarliestFirst() throws {
        let problem = ODEProblem(timeSpan: TimeSpan(start: 0, end: 4), initialState: [1.0]) { _, _, dy in dy[0] = 0 }
        let controller = StepSizeController(relativeTolerance: 1e-8, absoluteTolerance: 1e-8)
        let late = ODEEvent<[Double]>(action: .stop) { t, _ in t - 1.05 }
        let early = ODEEvent<[Double]>(action: .record) { t, _ in t - 1.0 }
        let solution = try solve(problem, using: .dormandPrince54, controller: controller, events: [late, early])
        XCTAssertEqual(solution.events.map(\.index), [1, 0])
        XCTAssertEqual(solution.events[0].time, 1.0, accuracy: 1e-9)
        XCTAssertEqual(solution.events[1].time, 1.05, accuracy: 1e-9)
        XCTAssertEqual(solution.event?.index, 0)
        XCTAssertEqual(solution.finalTime, solution.events[1].time)
    }

    /// y′ = 1 from −1: `cross` records y = 0 (at t = 1); `reset` jumps back to y = 0 exactly whenever y reaches
    /// 0.5. `cross` is zero at every restart point: no sign there, so it never fires again; `reset` fires every
    /// 0.5 after t = 1.5, never at once after its own jump.
    func testAnEventExactlyAtAJumpsRestartPointDoesNotFire() throws {
        let problem = ODEProblem(timeSpan: TimeSpan(start: 0, end: .infinity), initialState: [-1.0]) { _, _, dy in dy[0] = 1 }
        let controller = StepSizeController(relativeTolerance: 1e-10, absoluteTolerance: 1e-10)
        let cross = ODEEvent<[Double]>(action: .record) { _, y in y[0] }
        let reset = ODEEvent<[Double]>(direction: .rising, action: .jump { _, _ in [0] }) { _, y in y[0] - 0.5 }
        let solution = try solve(problem, using: .dormandPrince54, controller: controller, events: [cross, reset],
                                 maximumEvents: 5)
        XCTAssertEqual(solution.events.map(\.index), [0, 1, 1, 1, 1])
        for (occurrence, t) in zip(solution.events, [1.0, 1.5, 2.0, 2.5, 3.0]) {
            XCTAssertEqual(occurrence.time, t, accuracy: 1e-9)
        }
    }

    /// Output times before a jump report the state before it, one at the jump the state after it; none beyond
    /// the event that ends the solve.
    func testOutputTimesAroundJumpsAndTheEnd() throws {
        let impacts = impactTimes(2)
        let before = impacts[0] - 0.1, after = impacts[0] + 0.1, beyond = impacts[1] + 0.1
        let controller = StepSizeController(relativeTolerance: 1e-10, absoluteTolerance: 1e-10)
        let solution = try solve(ball(), using: .dormandPrince54, controller: controller,
                                 saveAt: .times([before, after, beyond]), events: [bounce], maximumEvents: 2)
        XCTAssertEqual(solution.times, [before, after])
        XCTAssertLessThan(solution.states[0][1], 0, "falling before the impact")
        XCTAssertGreaterThan(solution.states[1][1], 0, "rising after it")
        XCTAssertEqual(solution.finalTime, solution.events[1].time)
    }

    func testUnboundedSpansNeedSomethingToEndThem() throws {
        let controller = StepSizeController(relativeTolerance: 1e-8, absoluteTolerance: 1e-8)
        let recordOnly = ODEEvent<[Double]>(action: .record) { _, y in y[0] }
        for attempt in [{ try solve(self.ball(), using: .dormandPrince54, controller: controller) },
                        { try solve(self.ball(), using: .dormandPrince54, controller: controller, events: [recordOnly]) }] {
            XCTAssertThrowsError(try attempt()) {
                XCTAssertEqual($0 as? SolverError, .invalidTimeSpan(start: 0, end: .infinity))
            }
        }
        XCTAssertThrowsError(try solve(ball(), using: .rk4, stepSize: 0.1, events: [bounce], maximumEvents: 1)) {
            XCTAssertEqual($0 as? SolverError, .invalidTimeSpan(start: 0, end: .infinity))
        }
        let ground = ODEEvent<[Double]>(direction: .falling) { _, y in y[0] }
        let landed = try solve(ball(), using: .dormandPrince54, controller: controller, events: [ground])
        XCTAssertEqual(landed.finalTime, impactTimes(1)[0], accuracy: 1e-7)
        XCTAssertEqual(try solve(ball(), using: .dormandPrince54, controller: controller, events: [recordOnly],
                                 maximumEvents: 1).events.count, 1)
    }

    func testInvalidEventSettingsAreTypedErrors() throws {
        let controller = StepSizeController(relativeTolerance: 1e-8, absoluteTolerance: 1e-8)
        var bad = bounce
        bad.timeTolerance = 0
        XCTAssertThrowsError(try solve(ball(until: 3), using: .dormandPrince54, controller: controller, events: [bounce, bad])) {
            XCTAssertEqual($0 as? SolverError, .invalidEventSetting(event: 1, name: "timeTolerance", value: 0))
        }
        bad = bounce
        bad.interiorPoints = -1
        XCTAssertThrowsError(try solve(ball(until: 3), using: .dormandPrince54, controller: controller, events: [bad])) {
            XCTAssertEqual($0 as? SolverError, .invalidEventSetting(event: 0, name: "interiorPoints", value: -1))
        }
        XCTAssertThrowsError(try solve(ball(until: 3), using: .dormandPrince54, controller: controller, events: [bounce],
                                       maximumEvents: 0)) {
            XCTAssertEqual($0 as? SolverError, .invalidEventSetting(event: -1, name: "maximumEvents", value: 0))
        }
    }
}
