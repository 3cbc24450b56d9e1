import XCTest
import Solvers

/// An event closure declared on its own (`let ground = ODEEvent { _, y in y[0] }`) infers a `[Double]`
/// state, stops a solve at the analytic time, and leaves other state types unambiguous.
final class ODEEventDeclarationTests: XCTestCase {
    let gravity = 9.81, height = 10.0, upwardSpeed = 3.0

    /// y = [height, velocity]; y' = [velocity, −g].
    var ballProblem: ODEProblem<[Double]> {
        ODEProblem(timeSpan: TimeSpan(start: 0, end: 10), initialState: [height, upwardSpeed]) { [gravity] _, y, dy in
            dy[0] = y[1]
            dy[1] = -gravity
        }
    }

    /// The positive root of h₀ + v₀t − g t²/2 = 0.
    var impactTime: Double {
        (upwardSpeed + (upwardSpeed * upwardSpeed + 2 * gravity * height).squareRoot()) / gravity
    }

    let controller = StepSizeController(relativeTolerance: 1e-10, absoluteTolerance: 1e-12)

    func testAStandaloneGroundEventStopsTheBallAtTheAnalyticTime() throws {
        let ground = ODEEvent { _, y in y[0] }
        XCTAssertTrue(type(of: ground) == ODEEvent<[Double]>.self)
        let solution = try solve(ballProblem, using: .dormandPrince54, controller: controller, event: ground)
        let occurrence = try XCTUnwrap(solution.event)
        XCTAssertEqual(occurrence.time, impactTime, accuracy: 1e-9)
        XCTAssertEqual(solution.finalTime, occurrence.time)
        XCTAssertEqual(occurrence.state[0], 0, accuracy: 1e-8)
        XCTAssertEqual(occurrence.state[1], upwardSpeed - gravity * impactTime, accuracy: 1e-8)
    }

    func testAStandaloneEventWithADirectionAndToleranceInfersTheStateToo() throws {
        let falling = ODEEvent(direction: .falling, timeTolerance: 1e-12) { _, y in y[0] }
        XCTAssertEqual(falling.direction, .falling)
        XCTAssertEqual(falling.timeTolerance, 1e-12)
        // The apex (velocity crossing zero, falling) as a second standalone event.
        let apex = ODEEvent(direction: .falling) { _, y in y[1] }
        let solution = try solve(ballProblem, using: .dormandPrince54, controller: controller, event: apex)
        XCTAssertEqual(try XCTUnwrap(solution.event).time, upwardSpeed / gravity, accuracy: 1e-9)
        let impact = try solve(ballProblem, using: .dormandPrince54, controller: controller, event: falling)
        XCTAssertEqual(try XCTUnwrap(impact.event).time, impactTime, accuracy: 1e-10)
    }

    func testOtherStateTypesStillInferFromTheirSolveOrAnAnnotation() throws {
        let floatProblem = ODEProblem<[Float]>(timeSpan: TimeSpan(start: 0, end: 2), initialState: [1]) { _, _, dy in
            dy[0] = -1
        }
        let inline = try solve(floatProblem, using: .dormandPrince54, controller: controller,
                               event: ODEEvent { _, y in Double(y[0]) })
        XCTAssertEqual(try XCTUnwrap(inline.event).time, 1, accuracy: 1e-6)
        let annotated: ODEEvent<[Float]> = ODEEvent { _, y in Double(y[0]) }
        let explicit = ODEEvent<[Float]>(direction: .falling) { _, y in Double(y[0]) }
        for event in [annotated, explicit] {
            let solution = try solve(floatProblem, using: .dormandPrince54, controller: controller, event: event)
            XCTAssertEqual(try XCTUnwrap(solution.event).time, 1, accuracy: 1e-6)
        }
    }
}
