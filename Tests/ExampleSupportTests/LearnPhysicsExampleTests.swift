import Foundation
import XCTest
import ExampleSupport
import ODENet
import TestSupport

/// The `learn-physics` example: its observations follow bouncing_ball.py's sampling and the closed form; the
/// event model set to the true physics reproduces them; the example, run briefly as a user would, writes its
/// summary and learns the physics (500 iterations: a few seconds).
final class LearnPhysicsExampleTests: XCTestCase {
    /// The closed-form height of the true ball (dropped from 10 onto 0.2, gravity 9.8, restitution 0.8).
    static func height(at t: Double) -> Double {
        var (s, x, v) = (0.0, 10.0, 0.0)
        while true {
            let flight = (v + (v * v + 2 * 9.8 * (x - 0.2)).squareRoot()) / 9.8
            if s + flight >= t { return x + v * (t - s) - 9.8 * (t - s) * (t - s) / 2 }
            (s, x, v) = (s + flight, 0.2, 0.8 * 9.8 * flight - 0.8 * v)
        }
    }

    func testObservationsFollowTheScriptsSamplingAndTheClosedForm() throws {
        let observed = try learnPhysicsObservations()
        XCTAssertEqual(observed.times.count, 300)
        XCTAssertEqual(observed.times[0], 0)
        XCTAssertTrue(zip(observed.times, observed.times.dropFirst()).allSatisfy { $0 < $1 })
        // The first flight: ⌊50·√2⌋ = 70 points, of which 68 interior, then the collision at √2.
        XCTAssertEqual(observed.times[69], 2.0.squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(observed.times[1], 2.0.squareRoot() / 69, accuracy: 1e-9)
        for (t, h) in zip(observed.times, observed.heights) {
            XCTAssertEqual(h, Self.height(at: t), accuracy: 1e-6, "t = \(t)")
        }
    }

    func testTheEventModelAtTheTruePhysicsReproducesTheObservations() throws {
        var generator = SeededGenerator(seed: 0)
        let model = EventPhysicsModel(using: &generator)
        // tanh(b)·10 = −9.8, σ(w + b) = 0.8, ρ² = 0.2.
        model.acceleration.bias!.value = Tensor([atanh(-0.98)])
        model.velocityMap.weight.value = Tensor(shape: [1, 1], scalars: [0])
        model.velocityMap.bias!.value = Tensor([log(4.0)])
        model.radius.value = Tensor(0.2.squareRoot())
        XCTAssertEqual(model.gravity, 9.8, accuracy: 1e-12)
        XCTAssertEqual(model.restitution, 0.8, accuracy: 1e-12)
        let observed = try learnPhysicsObservations()
        let path = try model.trajectory(at: observed.times, gradient: .direct)
        XCTAssertEqual(path.events.count, 3)
        for (found, expected) in zip(path.heights.scalars, observed.heights) {
            XCTAssertEqual(found, expected, accuracy: 1e-6)
        }
    }

    func testABriefRunWritesItsSummaryAndLearns() throws {
        guard let url = ExampleExecutable.url("learn-physics", besides: LearnPhysicsExampleTests.self) else {
            throw XCTSkip("the learn-physics executable is not beside the test bundle (build all products first)")
        }
        let help = try ExampleExecutable.run(url, ["--help"])
        XCTAssertEqual(help.status, 0, help.output)
        XCTAssertTrue(help.output.contains("--model"), help.output)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("learn-physics-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("summary.json").path
        let outcome = try ExampleExecutable.run(url, ["--model", "events", "--iterations", "500", "--output", folder.path,
                                                      "--summary-json", path])
        XCTAssertEqual(outcome.status, 0, outcome.output)
        let summary = try JSONValue(parsing: String(contentsOfFile: path, encoding: .utf8))
        let events = try XCTUnwrap(summary["events"])
        // From g −4.6, restitution 0.57 and contact height 0.01 (seed 0) to within a few percent of the truth.
        XCTAssertLessThan(try XCTUnwrap(events["final_loss"]?.doubleValue), 1e-2, outcome.output)
        XCTAssertEqual(try XCTUnwrap(events["gravity"]?.doubleValue), 9.8, accuracy: 0.1, outcome.output)
        XCTAssertEqual(try XCTUnwrap(events["restitution"]?.doubleValue), 0.8, accuracy: 0.02, outcome.output)
        XCTAssertEqual(try XCTUnwrap(events["contact_height"]?.doubleValue), 0.2, accuracy: 0.02, outcome.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("learn-physics.svg").path))
    }
}
