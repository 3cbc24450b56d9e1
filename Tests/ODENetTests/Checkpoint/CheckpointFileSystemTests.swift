import Foundation
import XCTest
@testable import ODENet

/// What a checkpoint leaves on disk and what its errors say about the file system (issue 14, items 8
/// and 11): temporaries of writers that died are removed by the next save of the same checkpoint and
/// by nothing else; a directory or an empty file is named as such.
final class CheckpointFileSystemTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "checkpoint-fs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func model(seed: UInt64 = 1) -> Linear<Float> {
        var generator = SeededGenerator(seed: seed)
        return Linear<Float>(3, 2, using: &generator)
    }

    /// Starts `/bin/sleep`, a writer that is still alive; the caller terminates it.
    private func livingProcess() throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["60"]
        try process.run()
        return process
    }

    /// The pid of a process that has exited and been reaped.
    private func deadPid() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    private func names() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: directory))
    }

    /// Issue 14, item 8: a kill during the fsync left full-size `.<name>.tmp-<pid>-<n>` files that
    /// nothing removed. The next save of that checkpoint removes those whose writer is gone; a load
    /// removes nothing; living writers', other checkpoints' and foreign files stay.
    func testNextSaveRemovesTemporariesOfDeadWritersOnly() throws {
        let path = directory + "/model.safetensors"
        try ModuleCheckpoint.save(model(), to: path)
        let living = try livingProcess()
        defer { if living.isRunning { living.terminate() } }
        let dead = try deadPid()
        let stale = ".model.safetensors.tmp-\(dead)-12345"
        let alive = ".model.safetensors.tmp-\(living.processIdentifier)-777"
        let own = ".model.safetensors.tmp-\(getpid())-42"
        let otherCheckpoint = ".other.safetensors.tmp-\(dead)-9"
        let foreign = [".model.safetensors.tmp-\(dead)", ".model.safetensors.tmp-x\(dead)-1", "model.safetensors.tmp-\(dead)-1",
                       ".model.safetensors.tmp-\(dead)-1-2"]
        let planted = [stale, alive, own, otherCheckpoint] + foreign
        for name in planted {
            try Data(repeating: 7, count: 4096).write(to: URL(fileURLWithPath: directory + "/" + name))
        }

        _ = try ModuleCheckpoint.load(into: model(seed: 2), from: path)
        XCTAssertEqual(try names(), Set(planted + ["model.safetensors"]), "a load must never delete")

        try ModuleCheckpoint.save(model(seed: 3), to: path)
        XCTAssertEqual(try names(), Set(planted + ["model.safetensors"]).subtracting([stale]))

        living.terminate()
        living.waitUntilExit()
        try ModuleCheckpoint.save(model(seed: 4), to: path)
        XCTAssertEqual(try names(), Set(planted + ["model.safetensors"]).subtracting([stale, alive]))
        let restored = model(seed: 5)
        try ModuleCheckpoint.load(into: restored, from: path)
        XCTAssertEqual(restored.parameters.map(\.value.scalars), model(seed: 4).parameters.map(\.value.scalars))
    }

    /// Issue 14, item 11: loading from a directory says it is a directory (it was "NSCocoaErrorDomain
    /// error 256"), and the model is untouched.
    func testLoadingADirectorySaysItIsADirectory() throws {
        let path = directory + "/model.safetensors"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let target = model()
        let before = target.parameters.map(\.value.scalars)
        XCTAssertThrowsError(try ModuleCheckpoint.load(into: target, from: path)) { error in
            XCTAssertTrue("\(error)".contains(path) && "\(error)".contains("is a directory"), "\(error)")
        }
        XCTAssertEqual(target.parameters.map(\.value.scalars), before)
        XCTAssertThrowsError(try SafetensorsFile(contentsOf: directory)) { error in
            XCTAssertTrue("\(error)".contains("is a directory"), "\(error)")
        }
    }

    /// Issue 14, item 11: an empty file says it is empty.
    func testLoadingAnEmptyFileSaysItIsEmpty() throws {
        let path = directory + "/empty.safetensors"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()))
        XCTAssertThrowsError(try ModuleCheckpoint.load(into: model(), from: path)) { error in
            XCTAssertTrue("\(error)".contains(path) && "\(error)".contains("is empty"), "\(error)")
        }
    }

    /// A missing file is reported with the operating system's reason.
    func testLoadingAMissingFileNamesItAndTheReason() {
        let path = directory + "/absent.safetensors"
        XCTAssertThrowsError(try ModuleCheckpoint.load(into: model(), from: path)) { error in
            XCTAssertTrue("\(error)".contains(path) && "\(error)".contains("No such file"), "\(error)")
        }
    }
}
