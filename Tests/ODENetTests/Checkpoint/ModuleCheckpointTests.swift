import XCTest
import Foundation
import Autodiff
@testable import ODENet

/// Saving and loading a module's parameters with optimiser state and metadata; every failure must
/// leave the model untouched and name the file and key.
final class ModuleCheckpointTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "module-checkpoint-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A small conv ODE-Net-like model with GroupNorm, ConcatConv2d and Linear parameters.
    func makeModel(seed: UInt64) -> Sequential<Float> {
        var g = SeededGenerator(seed: seed)
        let block = ODEBlock(ConvCheckpointField(channels: 4, using: &g), relativeTolerance: 1e-4,
                             absoluteTolerance: 1e-4)
        return Sequential<Float>(Conv2d<Float>(1, 4, kernelSize: 3, using: &g), block,
                                 Lambda<Float>("Pool") { globalAveragePool2d($0, keepDims: false) },
                                 Linear<Float>(4, 3, using: &g))
    }

    let input: Tensor<Float> = {
        var g = SeededGenerator(seed: 99)
        return Tensor<Float>.randomUniform([2, 1, 7, 7], using: &g)
    }()

    func values(of model: Sequential<Float>) -> [[Float]] { model.parameters(of: Float.self).map(\.value.scalars) }

    func testRoundTripIntoAFreshModelGivesIdenticalOutputsAndState() throws {
        let model = makeModel(seed: 1)
        let optimizer = SGD<Float>(learningRate: 0.05, momentum: 0.9)
        let (_, gradients) = try valueWithGradient(at: model) { try model(input).sum() }
        optimizer.update(model, along: gradients)
        let path = directory + "/model.safetensors"
        try ModuleCheckpoint.save(model, as: Float.self, optimizerState: optimizer.state(),
                                  metadata: ["epoch": "3", "rng": "1,2,3,4"], to: path)

        let fresh = makeModel(seed: 2)
        XCTAssertNotEqual(values(of: fresh), values(of: model))
        let contents = try ModuleCheckpoint.load(into: fresh, from: path, as: Float.self)
        XCTAssertEqual(values(of: fresh), values(of: model))
        XCTAssertEqual(try fresh(input).scalars, try model(input).scalars)
        XCTAssertEqual(contents.metadata, ["epoch": "3", "rng": "1,2,3,4"])
        let state = try XCTUnwrap(contents.optimizerState)
        XCTAssertEqual(state[scalar: "lr"], 0.05)
        XCTAssertEqual(state[scalar: "momentum"], 0.9)
        XCTAssertEqual(state.tensors.map(\.name), optimizer.state().tensors.map(\.name))

        // The restored optimiser takes the same next step as the original.
        let restored = SGD<Float>(learningRate: 1)
        try restored.loadState(state, for: fresh.parameters())
        let (_, g1) = try valueWithGradient(at: model) { try model(input).sum() }
        let (_, g2) = try valueWithGradient(at: fresh) { try fresh(input).sum() }
        optimizer.update(model, along: g1)
        restored.update(fresh, along: g2)
        XCTAssertEqual(values(of: fresh), values(of: model))
    }

    func testParameterKeysAreDottedNamesAndOptimizerEntriesArePrefixed() {
        let model = makeModel(seed: 1)
        let optimizer = SGD<Float>(learningRate: 0.1, momentum: 0.9)
        let file = ModuleCheckpoint.file(of: model, as: Float.self, optimizerState: optimizer.state())
        XCTAssertTrue(file.keys.contains("1.dynamics.conv1._layer.weight"))
        XCTAssertTrue(file.keys.contains("optimizer.param_groups.lr"))
        XCTAssertEqual(file["optimizer.param_groups.lr"]?.dtype, .float64)
        XCTAssertEqual(file["0.weight"]?.shape, [4, 1, 3, 3])
    }

    /// Loads `file` into a fresh model, expecting `check` to accept the error and the model untouched.
    func expectFailure(_ file: SafetensorsFile, _ check: (CheckpointError) -> Bool,
                       line: UInt = #line) {
        let model = makeModel(seed: 5)
        let before = values(of: model)
        do {
            try ModuleCheckpoint.load(into: model, from: file, as: Float.self)
            XCTFail("load succeeded", line: line)
        } catch {
            XCTAssertTrue(check(error), "unexpected error \(error)", line: line)
        }
        XCTAssertEqual(values(of: model), before, "model changed by a failed load", line: line)
    }

    func testMissingKeyLeavesModelUntouched() {
        var file = ModuleCheckpoint.file(of: makeModel(seed: 1), as: Float.self)
        file["1.dynamics.norm.bias"] = nil
        expectFailure(file) {
            guard case .missingKey(_, let key, _) = $0 else { return false }
            return key == "1.dynamics.norm.bias" && "\($0)".contains("1.dynamics.norm.bias")
        }
    }

    func testUnexpectedKeyLeavesModelUntouched() {
        var file = ModuleCheckpoint.file(of: makeModel(seed: 1), as: Float.self)
        file.setValues([Float(1)], shape: [1], forKey: "7.extra")
        expectFailure(file) {
            guard case .unexpectedKey(_, let key) = $0 else { return false }
            return key == "7.extra"
        }
        var optimizerTypo = ModuleCheckpoint.file(of: makeModel(seed: 1), as: Float.self)
        optimizerTypo.setValues([Float(1)], shape: [1], forKey: "optimizer.stat.0.momentum_buffer")
        expectFailure(optimizerTypo) {
            guard case .unexpectedKey = $0 else { return false }
            return true
        }
    }

    func testShapeMismatchLeavesModelUntouchedAndNamesShapes() {
        var file = ModuleCheckpoint.file(of: makeModel(seed: 1), as: Float.self)
        // A later key than the first few, so earlier ones would have been assigned by a careless loader.
        file.setValues([Float](repeating: 0, count: 8), shape: [2, 4], forKey: "3.weight")
        expectFailure(file) {
            guard case let .shapeMismatch(_, key, expected, found) = $0 else { return false }
            return key == "3.weight" && expected == [3, 4] && found == [2, 4]
        }
    }

    func testDTypeMismatchLeavesModelUntouched() {
        var file = ModuleCheckpoint.file(of: makeModel(seed: 1), as: Float.self)
        file.setValues([Double](repeating: 0, count: 3), shape: [3], forKey: "3.bias")
        expectFailure(file) {
            guard case let .dtypeMismatch(_, key, expected, found) = $0 else { return false }
            return key == "3.bias" && expected == .float32 && found == .float64
        }
    }

    func testTruncatedFileLeavesModelUntouchedAndNamesTheFile() throws {
        let path = directory + "/truncated.safetensors"
        try ModuleCheckpoint.save(makeModel(seed: 1), as: Float.self, to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: path))
        let model = makeModel(seed: 5)
        let before = values(of: model)
        XCTAssertThrowsError(try ModuleCheckpoint.load(into: model, from: path, as: Float.self)) { error in
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
        XCTAssertEqual(values(of: model), before)
    }

    func testSaveReplacesAnExistingFileAtomically() throws {
        let path = directory + "/model.safetensors"
        try ModuleCheckpoint.save(makeModel(seed: 1), as: Float.self, metadata: ["epoch": "1"], to: path)
        try ModuleCheckpoint.save(makeModel(seed: 2), as: Float.self, metadata: ["epoch": "2"], to: path)
        let fresh = makeModel(seed: 9)
        let contents = try ModuleCheckpoint.load(into: fresh, from: path, as: Float.self)
        XCTAssertEqual(contents.metadata["epoch"], "2")
        XCTAssertEqual(values(of: fresh), values(of: makeModel(seed: 2)))
        XCTAssertNil(contents.optimizerState)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [])
    }
}
