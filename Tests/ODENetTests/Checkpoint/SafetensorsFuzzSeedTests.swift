import Foundation
import XCTest
@testable import ODENet

/// The seed corpus of the safetensors fuzz target (Fuzz/Sources/FuzzSafetensors): checkpoints of the
/// target's model, alone and with each optimiser's state, and a file of other dtypes, a zero-size tensor
/// and escaped metadata. Each seed must decode, re-encode to itself and load; `.ci/fuzz` runs this test
/// with `FUZZ_SEED_DIRECTORY` set to write them to `$FUZZ_SEED_DIRECTORY/safetensors`.
final class SafetensorsFuzzSeedTests: XCTestCase {
    /// The fuzz target's model (`makeModel()` in FuzzSafetensors.swift).
    static func makeModel() -> Sequential<Float> {
        var generator = SeededGenerator(seed: 1)
        return Sequential<Float>(Linear<Float>(2, 3, using: &generator), Linear<Float>(3, 2, using: &generator))
    }

    /// The optimisers whose states the seeds hold, as the fuzz target builds them.
    static func optimizers() -> [(name: String, optimizer: any Optimizer<Float>)] {
        [("sgd", SGD<Float>(learningRate: 0.1, momentum: 0.9)), ("adam", Adam<Float>()), ("adamw", AdamW<Float>()),
         ("rmsprop", RMSprop<Float>(learningRate: 0.01, momentum: 0.5, centered: true))]
    }

    /// A checkpoint of the model after one step of `optimizer`.
    static func checkpoint(after optimizer: any Optimizer<Float>) throws -> SafetensorsFile {
        let model = makeModel()
        let input = Tensor<Float>(shape: [1, 2], scalars: [0.5, -1])
        let (_, gradients) = try valueWithGradient(at: model) { try model(input).sum() }
        optimizer.update(model, along: gradients)
        return ModuleCheckpoint.file(of: model, optimizerState: optimizer.state(),
                                     metadata: ["epoch": "3", "rng": "1,2,3,4"])
    }

    /// The seeds: name, contents, and the optimiser whose state it holds (nil: weights only, or not a
    /// checkpoint of the model).
    static func seeds() throws -> [(name: String, file: SafetensorsFile, optimizer: String?)] {
        var seeds: [(name: String, file: SafetensorsFile, optimizer: String?)] = [
            ("weights.safetensors", ModuleCheckpoint.file(of: makeModel()), nil)
        ]
        for (name, optimizer) in optimizers() {
            seeds.append(("\(name).safetensors", try checkpoint(after: optimizer), name))
        }
        var mixed = SafetensorsFile(metadata: ["note": "a\"b\\c\n\u{01}é", "format": "pt"])
        mixed.setValues([Double(7)], shape: [], forKey: "scalar")
        mixed.setValues([Float](), shape: [0, 3], forKey: "empty")
        mixed.setValues([Float(1), -2, 0.5, 4], shape: [2, 2], forKey: "matrix")
        mixed["bytes"] = SafetensorsFile.Entry(dtype: .uint8, shape: [4], bytes: [0, 1, 254, 255])
        seeds.append(("mixed.safetensors", mixed, nil))
        return seeds
    }

    func testSeedsAreValidAndWrittenWhenAsked() throws {
        let seeds = try Self.seeds()
        for (name, file, optimizerName) in seeds {
            let bytes = file.encoded()
            let decoded = try SafetensorsFile(decoding: bytes, origin: name)
            XCTAssertEqual(decoded, file, name)
            XCTAssertEqual(decoded.encoded(), bytes, name)
            guard name != "mixed.safetensors" else { continue }
            XCTAssertNoThrow(try ModuleCheckpoint.load(into: Self.makeModel(), from: decoded), name)
            for (kind, optimizer) in Self.optimizers() where kind == optimizerName {
                XCTAssertNoThrow(try ModuleCheckpoint.load(into: Self.makeModel(), optimizer: optimizer, from: decoded), name)
            }
        }

        guard let output = ProcessInfo.processInfo.environment["FUZZ_SEED_DIRECTORY"] else { return }
        let target = output + "/safetensors"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        for (name, file, _) in seeds {
            try Data(file.encoded()).write(to: URL(fileURLWithPath: target + "/" + name))
        }
    }
}
