import Foundation
import XCTest
import ODENet
import TestSupport

/// The `mnist` example's checkpoints resume exactly: a run stopped mid-epoch (`--stop-after`) and
/// continued with `--resume` ends with the same weights and optimiser state, bit for bit, as a run that
/// was never interrupted. Runs the built `mnist` executable on the first 1,024 training images; skips
/// when the MNIST files (../shared/data/mnist) or the executable are absent.
final class MNISTResumeTests: XCTestCase {
    func run(_ executable: URL, _ arguments: [String]) throws -> String {
        let outcome = try ExampleExecutable.run(executable, arguments)
        XCTAssertEqual(outcome.status, 0, "mnist \(arguments.joined(separator: " ")) failed:\n\(outcome.output)")
        return outcome.output
    }

    func testRunStoppedMidEpochAndResumedEndsBitIdenticalToAnUninterruptedRun() throws {
        let needed = ["data/mnist/train-images-idx3-ubyte.gz"]
        guard SharedFolder.contains(needed) else {
            throw XCTSkip("the MNIST files: " + SharedFolder.absenceMessage(needed))
        }
        let data = SharedFolder.path("data/mnist")
        guard let executable = ExampleExecutable.url("mnist", besides: MNISTResumeTests.self) else { throw XCTSkip("the mnist executable is not beside the test bundle") }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let common = ["--model", "mlp", "--epochs", "2", "--train-limit", "1024", "--batch-size", "64",
                      "--test-limit", "200", "--train-eval-limit", "200", "--data", data]
        let straight = root.appendingPathComponent("straight").path, interrupted = root.appendingPathComponent("interrupted").path
        _ = try run(executable, common + ["--checkpoint", straight])
        // 16 batches per epoch: stop after 21 (epoch 2, batch 5), then continue.
        let stopped = try run(executable, common + ["--checkpoint", interrupted, "--stop-after", "21"])
        XCTAssertTrue(stopped.contains("stopped after 21 batches"), stopped)
        XCTAssertFalse(stopped.contains("epoch 2/2 |"), "the first part must not finish training:\n\(stopped)")
        let resumed = try run(executable, common + ["--checkpoint", interrupted, "--resume"])
        XCTAssertTrue(resumed.contains("resumed from"), resumed)

        let a = try SafetensorsFile(contentsOf: straight + "/checkpoint.safetensors")
        let b = try SafetensorsFile(contentsOf: interrupted + "/checkpoint.safetensors")
        XCTAssertEqual(a.metadata["epoch"], "2")
        XCTAssertEqual(b.metadata["epoch"], "2")
        XCTAssertEqual(a.keys, b.keys)
        XCTAssertGreaterThan(a.keys.count, 4, "weights and optimiser state")
        for key in a.keys {
            let (x, y) = (try a.entry(forKey: key).bytes, try b.entry(forKey: key).bytes)
            let differing = zip(x, y).filter { $0 != $1 }.count + abs(x.count - y.count)
            XCTAssertEqual(differing, 0, "\(key): \(differing) of \(x.count) bytes differ after the resume")
        }
    }
}
