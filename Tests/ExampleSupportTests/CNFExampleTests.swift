import Foundation
import XCTest
import ODENet
import TestSupport

/// The `cnf` example, run as a user would: `--help` exits cleanly, and a FFJORD toy run stopped at a
/// checkpoint and continued with `--resume` ends exactly where an uninterrupted run ends (same test loss
/// and trained end time, to the last digit).
final class CNFExampleTests: XCTestCase {
    func executable() throws -> URL {
        guard let url = ExampleExecutable.url("cnf", besides: CNFExampleTests.self) else {
            throw XCTSkip("the cnf executable is not beside the test bundle (build all products first)")
        }
        return url
    }

    func summary(_ path: String) throws -> JSONValue {
        try JSONValue(parsing: String(contentsOfFile: path, encoding: .utf8))
    }

    func testHelpExitsCleanly() throws {
        let outcome = try ExampleExecutable.run(try executable(), ["--help"])
        XCTAssertEqual(outcome.status, 0, outcome.output)
        XCTAssertTrue(outcome.output.contains("--dataset"), outcome.output)
    }

    func testToyRunResumedFromACheckpointEndsAsAnUninterruptedRun() throws {
        let cnf = try executable()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnf-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let common = ["--dataset", "8gaussians", "--samples", "16", "--test-samples", "64", "--viz-times", "2",
                      "--viz-samples", "8", "--rtol", "1e-3", "--atol", "1e-3", "--output", folder.path]
        let whole = folder.appendingPathComponent("whole.json").path
        let first = try ExampleExecutable.run(cnf, common + ["--iterations", "6", "--summary-json", whole])
        XCTAssertEqual(first.status, 0, first.output)

        let checkpoint = folder.appendingPathComponent("flow.safetensors").path
        let part = try ExampleExecutable.run(cnf, common + ["--iterations", "3", "--checkpoint", checkpoint,
                                                            "--checkpoint-every", "3"])
        XCTAssertEqual(part.status, 0, part.output)
        let resumedPath = folder.appendingPathComponent("resumed.json").path
        let resumed = try ExampleExecutable.run(cnf, common + ["--iterations", "6", "--checkpoint", checkpoint, "--resume",
                                                               "--summary-json", resumedPath])
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains("resumed from"), resumed.output)

        let (a, b) = (try summary(whole), try summary(resumedPath))
        XCTAssertEqual(a["test_loss"], b["test_loss"])
        XCTAssertEqual(a["end_time"], b["end_time"])
        XCTAssertEqual(b["iterations"], .number(6))

        // A checkpoint of another dataset is refused, naming what differs.
        var other = common
        other[1] = "moons"
        let refused = try ExampleExecutable.run(cnf, other + ["--iterations", "6", "--checkpoint", checkpoint, "--resume"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.output.contains("dataset"), refused.output)
    }
}
