import Foundation
import XCTest
import ODENet
import TestSupport

/// `mnist --figure3` from a checkpoint of a short MLP ODE-Net run: seven tolerances, forward evaluations that
/// do not fall as the tolerance tightens, a numerical error that falls by orders of magnitude, backward counts
/// for both backward-solving modes, the per-epoch NFE of training, and the SVG.
final class MNISTFigure3Tests: XCTestCase {
    func testFigure3SweepFromACheckpoint() throws {
        let needed = ["data/mnist/train-images-idx3-ubyte.gz", "data/mnist/t10k-images-idx3-ubyte.gz"]
        guard SharedFolder.contains(needed) else { throw XCTSkip("the MNIST files: " + SharedFolder.absenceMessage(needed)) }
        guard let executable = ExampleExecutable.url("mnist", besides: MNISTFigure3Tests.self) else {
            throw XCTSkip("the mnist executable is not beside the test bundle")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-figure3-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = SharedFolder.path("data/mnist")
        let training = try ExampleExecutable.run(executable, [
            "--model", "mlp", "--epochs", "2", "--train-limit", "2560", "--no-augment", "--test-limit", "200",
            "--train-eval-limit", "200", "--data", data, "--checkpoint", folder.path])
        XCTAssertEqual(training.status, 0, training.output)
        let summaryPath = folder.appendingPathComponent("figure3.json").path
        let sweep = try ExampleExecutable.run(executable, [
            "--figure3", folder.appendingPathComponent("checkpoint.safetensors").path, "--test-limit", "200",
            "--data", data, "--figures", folder.path, "--summary-json", summaryPath])
        XCTAssertEqual(sweep.status, 0, sweep.output)
        let summary = try JSONValue(parsing: String(contentsOfFile: summaryPath, encoding: .utf8))
        let rows = try XCTUnwrap(summary["figure3"]?["sweep"]?.arrayValue)
        XCTAssertEqual(rows.count, 7)
        let nfe = try rows.map { try XCTUnwrap($0["nfe_forward"]?.doubleValue) }
        let errors = try rows.map { try XCTUnwrap($0["error"]?.doubleValue) }
        XCTAssertEqual(nfe, nfe.sorted(), "forward NFE never falls as the tolerance tightens: \(nfe)")
        XCTAssertLessThan(errors.last!, errors.first! / 100, "\(errors)")
        for row in rows {
            XCTAssertGreaterThan(try XCTUnwrap(row["nfe_backward"]?["adjoint"]?.doubleValue), 0)
            XCTAssertGreaterThan(try XCTUnwrap(row["nfe_backward"]?["checkpointed"]?.doubleValue), 0)
        }
        XCTAssertNotNil(summary["figure3"]?["r_squared"]?.doubleValue)
        XCTAssertEqual(summary["figure3"]?["nfe_per_epoch"]?.arrayValue?.count, 2)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("figure3.svg").path))
    }
}
