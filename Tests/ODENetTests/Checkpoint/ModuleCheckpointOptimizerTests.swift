import Foundation
import XCTest
@testable import ODENet

/// `ModuleCheckpoint.load(into:optimizer:from:)` restores a model and its optimiser together or not at
/// all (issue 14, item 7): a checkpoint with valid weights and a bad optimiser state used to leave new
/// weights with old moments when loaded with the documented two calls.
final class ModuleCheckpointOptimizerTests: XCTestCase {
    private func model(seed: UInt64) -> Sequential<Float> {
        var generator = SeededGenerator(seed: seed)
        return Sequential<Float>(Linear<Float>(3, 4, using: &generator), Lambda<Float>("tanh") { tanh($0) },
                                 Linear<Float>(4, 2, using: &generator))
    }

    private let input = Tensor<Float>(shape: [2, 3], scalars: [0.1, -0.2, 0.3, 0.4, 0.5, -0.6])

    private func values(_ model: Sequential<Float>) -> [[Float]] { model.parameters.map(\.value.scalars) }

    /// A model and an Adam optimiser after one step, and the checkpoint of both.
    private func trained() throws -> (Sequential<Float>, Adam<Float>, SafetensorsFile) {
        let trained = model(seed: 1)
        let optimizer = Adam<Float>(learningRate: 0.01)
        let (_, gradients) = try valueWithGradient(at: trained) { try trained(input).sum() }
        optimizer.update(trained, along: gradients)
        return (trained, optimizer, ModuleCheckpoint.file(of: trained, optimizerState: optimizer.state(),
                                                          metadata: ["epoch": "7"]))
    }

    func testOneCallRestoresTheModelAndTheOptimizerTogether() throws {
        let (original, optimizer, file) = try trained()
        let path = NSTemporaryDirectory() + "restore-\(UUID().uuidString).safetensors"
        defer { unlink(path) }
        try file.write(to: path)
        let restored = model(seed: 2), restoredOptimizer = Adam<Float>(learningRate: 1)
        let metadata = try ModuleCheckpoint.load(into: restored, optimizer: restoredOptimizer, from: path)
        XCTAssertEqual(metadata, ["epoch": "7"])
        XCTAssertEqual(values(restored), values(original))
        XCTAssertEqual(restoredOptimizer.learningRate, 0.01)
        // The next step is the same: moments and step counts came back with the weights.
        for (net, adam) in [(original, optimizer), (restored, restoredOptimizer)] {
            let (_, gradients) = try valueWithGradient(at: net) { try net(input).sum() }
            adam.update(net, along: gradients)
        }
        XCTAssertEqual(values(restored), values(original))
    }

    /// Loads `file` with one call into a fresh model and optimiser, expecting an error that names the
    /// file and changes neither.
    private func assertNothingRestored(from file: SafetensorsFile, line: UInt = #line,
                                       _ check: (CheckpointError) -> Bool) {
        let target = model(seed: 3), optimizer = Adam<Float>(learningRate: 0.5)
        let (_, gradients) = try! valueWithGradient(at: target) { try target(input).sum() }
        optimizer.update(target, along: gradients)
        let (weightsBefore, stateBefore) = (values(target), optimizer.state())
        do {
            try ModuleCheckpoint.load(into: target, optimizer: optimizer, from: file)
            XCTFail("the load succeeded", line: line)
        } catch {
            XCTAssertTrue(check(error), "\(error)", line: line)
            XCTAssertTrue("\(error)".contains(file.origin), "\(error)", line: line)
        }
        XCTAssertEqual(values(target), weightsBefore, "the weights changed", line: line)
        let stateAfter = optimizer.state()
        XCTAssertEqual(stateAfter.scalars.map(\.value), stateBefore.scalars.map(\.value), line: line)
        XCTAssertEqual(stateAfter.tensors.map(\.name), stateBefore.tensors.map(\.name), line: line)
        XCTAssertEqual(stateAfter.tensors.map(\.value.scalars), stateBefore.tensors.map(\.value.scalars),
                       "the optimiser's state changed", line: line)
    }

    func testValidWeightsWithABadOptimizerStateRestoreNeither() throws {
        let (_, _, good) = try trained()
        func reencoded(_ file: SafetensorsFile) throws -> SafetensorsFile {
            try SafetensorsFile(decoding: file.encoded(), origin: "bad-optimizer.safetensors")
        }
        var wrongShape = good
        wrongShape.setValues([Float](repeating: 0, count: 5), shape: [5], forKey: "optimizer.state.2.exp_avg")
        assertNothingRestored(from: try reencoded(wrongShape)) {
            if case .invalidOptimizerState(_, .shapeMismatch(name: "state.2.exp_avg", _, _)) = $0 { true } else { false }
        }
        var missingRate = good
        missingRate["optimizer.param_groups.lr"] = nil
        assertNothingRestored(from: try reencoded(missingRate)) {
            if case .invalidOptimizerState(_, .missingEntry(name: "lr")) = $0 { true } else { false }
        }
        var foreignField = good
        foreignField.setValues([Float](repeating: 0, count: 12), shape: [4, 3], forKey: "optimizer.state.0.momentum_buffer")
        assertNothingRestored(from: try reencoded(foreignField)) {
            if case .invalidOptimizerState(_, .unexpectedEntry(name: "state.0.momentum_buffer")) = $0 { true } else { false }
        }
        var pastTheEnd = good
        pastTheEnd.setValues([Float(1)], shape: [], forKey: "optimizer.state.9.step")
        assertNothingRestored(from: try reencoded(pastTheEnd)) {
            if case .invalidOptimizerState(_, .unexpectedEntry(name: "state.9.step")) = $0 { true } else { false }
        }
        var fractionalStep = good
        fractionalStep.setValues([Float(1.5)], shape: [], forKey: "optimizer.state.1.step")
        assertNothingRestored(from: try reencoded(fractionalStep)) {
            if case .invalidOptimizerState(_, .invalidValue(name: "state.1.step", _)) = $0 { true } else { false }
        }
    }

    /// Hyperparameters the optimiser's initialiser refuses (Adam's β₁ = 1 divides by zero in the bias
    /// correction) are refused by a restore too: the state would not take its next step.
    func testHyperparametersTheInitializerRefusesRestoreNeither() throws {
        let (_, _, good) = try trained()
        for (key, value, name) in [("beta1", 1.0, "beta1"), ("beta2", -0.5, "beta2"), ("lr", -1, "lr"), ("eps", -1e-8, "eps")] {
            var file = good
            file.setValues([value], shape: [], forKey: "optimizer.param_groups." + key)
            assertNothingRestored(from: try SafetensorsFile(decoding: file.encoded(), origin: "bad-\(key).safetensors")) {
                if case .invalidOptimizerState(_, .invalidValue(name: name, _)) = $0 { true } else { false }
            }
        }
        let sgd = SGD<Float>(learningRate: 0.1, momentum: 0.9, nesterov: true)
        var file = ModuleCheckpoint.file(of: model(seed: 1), optimizerState: sgd.state())
        file.setValues([Double(0)], shape: [], forKey: "optimizer.param_groups.momentum")
        XCTAssertThrowsError(try ModuleCheckpoint.load(into: model(seed: 4), optimizer: SGD<Float>(learningRate: 1), from: file)) {
            guard case .invalidOptimizerState(_, .invalidValue(name: "nesterov", _)) = $0 as! CheckpointError else {
                return XCTFail("\($0)")
            }
        }
    }

    func testAFileWithoutOptimizerStateRestoresNeither() throws {
        let weightsOnly = try SafetensorsFile(decoding: ModuleCheckpoint.file(of: model(seed: 1)).encoded(),
                                              origin: "weights-only.safetensors")
        assertNothingRestored(from: weightsOnly) {
            if case .missingKey(_, "optimizer.param_groups.lr", _) = $0 { true } else { false }
        }
    }

    func testBadWeightsRestoreNeither() throws {
        var (_, _, file) = try trained()
        file.setValues([Float](repeating: 0, count: 3), shape: [3], forKey: "2.bias")
        assertNothingRestored(from: try SafetensorsFile(decoding: file.encoded(), origin: "bad-weights.safetensors")) {
            if case .shapeMismatch(_, "2.bias", [2], [3]) = $0 { true } else { false }
        }
    }
}
