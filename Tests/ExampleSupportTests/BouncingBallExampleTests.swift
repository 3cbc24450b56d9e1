import Foundation
import XCTest
import ODENet
import TestSupport

/// The `bouncing-ball` example, run as a user would: `--help` exits cleanly; three bounces give the closed
/// form's collision times (t₁ = √(2(h − r)/g), then flights of 2(1 − a)ᵏv₁/g) and event gradients that agree
/// with the central differences it prints; `--fit` moves the absorption towards the truth.
final class BouncingBallExampleTests: XCTestCase {
    func executable() throws -> URL {
        guard let url = ExampleExecutable.url("bouncing-ball", besides: BouncingBallExampleTests.self) else {
            throw XCTSkip("the bouncing-ball executable is not beside the test bundle (build all products first)")
        }
        return url
    }

    func testHelpExitsCleanly() throws {
        let outcome = try ExampleExecutable.run(try executable(), ["--help"])
        XCTAssertEqual(outcome.status, 0, outcome.output)
        XCTAssertTrue(outcome.output.contains("--bounces"), outcome.output)
    }

    func testCollisionTimesAndGradientsInBothModes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bouncing-ball-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = (2 * (10 - 0.2) / 9.8).squareRoot(), v1 = 9.8 * first
        let expected = [first, first + 2 * 0.8 * v1 / 9.8, first + 2 * 0.8 * v1 / 9.8 + 2 * 0.64 * v1 / 9.8]
        for mode in ["direct", "adjoint"] {
            let path = folder.appendingPathComponent("\(mode).json").path
            let outcome = try ExampleExecutable.run(try executable(), ["--bounces", "3", "--gradient", mode, "--fit",
                                                                       "--iterations", "40", "--output", folder.path,
                                                                       "--summary-json", path])
            XCTAssertEqual(outcome.status, 0, outcome.output)
            let summary = try JSONValue(parsing: String(contentsOfFile: path, encoding: .utf8))
            for k in 0..<3 {
                XCTAssertEqual(try XCTUnwrap(summary["collision_times"]?[k]?.doubleValue), expected[k], accuracy: 1e-7)
            }
            XCTAssertLessThan(try XCTUnwrap(summary["largest_relative_difference"]?.doubleValue), 1e-5, mode)
            for name in ["gravity", "log_radius", "init_pos", "init_vel", "absorption"] {
                XCTAssertNotNil(summary["gradients"]?[name]?["event"]?.doubleValue, "\(mode): \(name)")
            }
            let fitted = try XCTUnwrap(summary["fit"]?["absorption"]?.doubleValue)
            XCTAssertLessThan(abs(fitted - 0.2), 0.3 - 0.05, "\(mode): the fit starts at 0.5 and must move towards 0.2")
        }
    }
}
