import Foundation
import XCTest
import TestSupport
import ODENet

/// The `mnist` example refuses a checkpoint whose resume metadata is impossible, and data folders that
/// cannot make one batch, with a message naming the value and the file — never a trap (issue 14,
/// items 5 and 11). Runs the built executable on synthetic IDX files; skips when it is absent.
final class MNISTResumeMetadataTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-metadata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// Writes uncompressed MNIST files with `train` and `test` examples (blank images, labels i % 10).
    private func writeData(train: Int, test: Int) throws -> String {
        let directory = root.appendingPathComponent("data-\(train)-\(test)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func header(_ shape: [Int]) -> [UInt8] {
            var bytes: [UInt8] = [0, 0, 8, UInt8(shape.count)]
            for size in shape {
                for shift in [24, 16, 8, 0] { bytes.append(UInt8(truncatingIfNeeded: size >> shift)) }
            }
            return bytes
        }
        for (prefix, count) in [("train", train), ("t10k", test)] {
            let images = header([count, 28, 28]) + (0..<count * 784).map { UInt8(truncatingIfNeeded: $0 % 251) }
            let labels = header([count]) + (0..<count).map { UInt8($0 % 10) }
            try Data(images).write(to: directory.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try Data(labels).write(to: directory.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
        return directory.path
    }

    /// Runs the executable (skipping the test when it is absent).
    private func run(_ arguments: [String]) throws -> ExampleExecutable.Outcome {
        guard let executable = ExampleExecutable.url("mnist", besides: MNISTResumeTests.self) else {
            throw XCTSkip("the mnist executable is not beside the test bundle")
        }
        return try ExampleExecutable.run(executable, arguments)
    }

    private func common(_ data: String) -> [String] {
        ["--model", "mlp", "--epochs", "2", "--batch-size", "64", "--test-limit", "64", "--train-eval-limit", "64",
         "--data", data]
    }

    /// Every impossible `epoch`, `position` or `rng` in a checkpoint is reported with the key, the value
    /// and the file, and the run exits with status 1 (five of these trapped before).
    func testImpossibleResumeMetadataIsReportedWithValueAndFile() throws {
        let data = try writeData(train: 256, test: 64)
        let checkpoint = root.appendingPathComponent("checkpoint").path
        let first = try run(common(data) + ["--checkpoint", checkpoint, "--stop-after", "1"])
        XCTAssertEqual(first.status, 0, first.output)
        let path = checkpoint + "/checkpoint.safetensors"
        let original = try SafetensorsFile(contentsOf: path)
        XCTAssertEqual(original.metadata["position"], "1")

        let cases: [(key: String, value: String)] = [
            ("position", "-1"), ("position", "4"), ("position", "1000"), ("position", "9223372036854775807"),
            ("epoch", "-1"), ("epoch", "3"), ("epoch", "9223372036854775807"), ("epoch", "two"),
            ("rng", "0,0,0,0"), ("rng", "1,2,3"), ("rng", "1,2,3,-4"),
        ]
        for (key, value) in cases {
            var file = original
            file.metadata[key] = value
            try file.write(to: path)
            let result = try run(common(data) + ["--checkpoint", checkpoint, "--resume"])
            XCTAssertFalse(result.signalled, "\(key) = \(value) trapped:\n\(result.output)")
            XCTAssertEqual(result.status, 1, "\(key) = \(value):\n\(result.output)")
            XCTAssertTrue(result.output.contains(path), "\(key) = \(value): the message must name the file:\n\(result.output)")
            XCTAssertTrue(result.output.contains("'\(key)'") && result.output.contains(value),
                          "\(key) = \(value): the message must name the key and the value:\n\(result.output)")
        }
        // A missing entry is named too.
        var file = original
        file.metadata["rng"] = nil
        try file.write(to: path)
        let missing = try run(common(data) + ["--checkpoint", checkpoint, "--resume"])
        XCTAssertEqual(missing.status, 1, missing.output)
        XCTAssertTrue(missing.output.contains("'rng'") && missing.output.contains(path), missing.output)

        // The untouched checkpoint still resumes.
        try original.write(to: path)
        let resumed = try run(common(data) + ["--checkpoint", checkpoint, "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains("resumed from"), resumed.output)
    }

    /// A folder whose split holds no images, or fewer than one batch, is named as such — not as a
    /// `--train-limit` problem the user never set.
    func testDataTooSmallForOneBatchSaysWhatIsWrong() throws {
        let empty = try run(common(try writeData(train: 0, test: 64)))
        XCTAssertEqual(empty.status, 1, empty.output)
        XCTAssertFalse(empty.output.contains("--train-limit"), empty.output)
        XCTAssertTrue(empty.output.contains("no images"), empty.output)

        let small = try run(common(try writeData(train: 32, test: 64)))
        XCTAssertEqual(small.status, 1, small.output)
        XCTAssertFalse(small.output.contains("--train-limit"), small.output)
        XCTAssertTrue(small.output.contains("32") && small.output.contains("--batch-size"), small.output)
    }
}
