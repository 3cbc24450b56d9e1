import ODENet
import FuzzSupport

// The safetensors reader and `ModuleCheckpoint.load` on arbitrary file contents (seeds:
// `FuzzSeedCorpusTests` in ODENetTests, checkpoints of the same model as `makeModel()` here).
//
// Properties checked besides "no trap, no memory error": a decoded file re-encodes to bytes that decode
// to an equal file; a load that succeeds gives the model the file's values; an optimiser state that
// loads takes the next update without stopping the program.

/// The model the seeds are checkpoints of: keys 0.weight [3, 2], 0.bias [3], 1.weight [2, 3], 1.bias [2].
func makeModel() -> Sequential<Float> {
    var generator = SeededGenerator(seed: 1)
    return Sequential<Float>(Linear<Float>(2, 3, using: &generator), Linear<Float>(3, 2, using: &generator))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = inputBytes(start, count)
    // Through the file system, as users call it.
    _ = try? ModuleCheckpoint.load(into: makeModel(), from: scratchFile("input.safetensors", bytes))
    guard let file = try? SafetensorsFile(decoding: bytes, origin: "input") else { return 0 }
    let again = try? SafetensorsFile(decoding: file.encoded())
    check(again == file, "the re-encoded file differs (keys \(file.keys))")
    for key in file.keys {
        _ = try? file.values(forKey: key, as: Float.self)
        _ = try? file.values(forKey: key, as: Double.self)
    }
    let model = makeModel()
    if (try? ModuleCheckpoint.load(into: model, from: file)) != nil {
        for (name, parameter) in model.namedParameters {  // bit patterns: NaN is a value like any other here
            let stored = (try? file.values(forKey: name, as: Float.self))?.map(\.bitPattern)
            check(stored == parameter.value.scalars.map(\.bitPattern), "\(name) not assigned")
        }
    }
    let optimizers: [any Optimizer<Float>] = [SGD<Float>(learningRate: 0.1, momentum: 0.9), Adam<Float>(), AdamW<Float>(),
                                              RMSprop<Float>(learningRate: 0.01, momentum: 0.5, centered: true)]
    for optimizer in optimizers {
        let restored = makeModel()
        guard (try? ModuleCheckpoint.load(into: restored, optimizer: optimizer, from: file)) != nil else { continue }
        optimizer.update(restored, along: restored.parameters.map { Tensor<Float>.zeros($0.shape) })
    }
    return 0
}

@_cdecl("FuzzSafetensors_main")
public func fuzzSafetensorsMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, testOneInput)
}
