import Foundation
import XCTest
import Autodiff
import ODENet

/// `ModuleCheckpoint.save(model, to:)` and `load(into:from:)` infer the scalar type of a `TypedModule`
/// (a block, a layer, a vector field), so `as: Float.self` is not needed.
final class ModuleCheckpointInferenceTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "checkpoint-inference-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func makeBlock(seed: UInt64) -> ODEBlock<TimeConcatenatedLinear<Float>> {
        var g = SeededGenerator(seed: seed)
        return ODEBlock(TimeConcatenatedLinear<Float>(2, 2, activation: .tanh, using: &g), relativeTolerance: 1e-5,
                        absoluteTolerance: 1e-6)
    }

    func testBlockRoundTripWithoutNamingTheScalar() throws {
        let block = makeBlock(seed: 1)
        let input = Tensor<Float>(shape: [3, 2], scalars: [0.5, -1, 1.5, 0.25, -0.75, 2])
        let path = directory + "/block.safetensors"
        try ModuleCheckpoint.save(block, metadata: ["epoch": "4"], to: path)

        let fresh = makeBlock(seed: 2)
        XCTAssertNotEqual(fresh.parameters.map(\.value.scalars), block.parameters.map(\.value.scalars))
        let contents = try ModuleCheckpoint.load(into: fresh, from: path)
        XCTAssertEqual(fresh.parameters.map(\.value.scalars), block.parameters.map(\.value.scalars))
        XCTAssertEqual(try fresh(input).scalars, try block(input).scalars)
        XCTAssertEqual(contents.metadata, ["epoch": "4"])
        XCTAssertNil(contents.optimizerState)
        // The inferred forms write what the `as:` forms write.
        XCTAssertEqual(ModuleCheckpoint.file(of: block).keys, ModuleCheckpoint.file(of: block, as: Float.self).keys)
        XCTAssertEqual(ModuleCheckpoint.file(of: block)["dynamics._layer.weight"]?.dtype, .float32)
    }

    func testDoubleDynamicsRoundTripWithOptimizerStateInMemory() throws {
        var g = SeededGenerator(seed: 3)
        let field = TimeConcatenatedLinear<Double>(3, 3, using: &g)
        let optimizer = SGD<Double>(learningRate: 0.1, momentum: 0.9)
        let (_, gradients) = try valueWithGradient(at: field) { field(Tensor(0.5), Tensor([1, 2, 3])).sum() }
        optimizer.update(field, along: gradients)

        let file = ModuleCheckpoint.file(of: field, optimizerState: optimizer.state())
        XCTAssertEqual(file["_layer.weight"]?.dtype, .float64)
        let fresh = TimeConcatenatedLinear<Double>(3, 3, using: &g)
        let contents = try ModuleCheckpoint.load(into: fresh, from: file)
        XCTAssertEqual(fresh.parameters.map(\.value.scalars), field.parameters.map(\.value.scalars))
        let state = try XCTUnwrap(contents.optimizerState)
        XCTAssertEqual(state[scalar: "lr"], 0.1)
        XCTAssertEqual(state.tensors.map(\.name), optimizer.state().tensors.map(\.name))

        let path = directory + "/field.safetensors"
        try ModuleCheckpoint.save(field, optimizerState: optimizer.state(), to: path)
        let reloaded = TimeConcatenatedLinear<Double>(3, 3, using: &g)
        let restored = try ModuleCheckpoint.load(into: reloaded, from: path)
        XCTAssertEqual(reloaded.parameters.map(\.value.scalars), field.parameters.map(\.value.scalars))
        XCTAssertEqual(restored.optimizerState?.tensors.map(\.value.scalars),
                       optimizer.state().tensors.map(\.value.scalars))
    }

    func testInferredLoadStillValidatesAndLeavesTheModelUntouched() throws {
        let path = directory + "/small.safetensors"
        var g = SeededGenerator(seed: 17)
        try ModuleCheckpoint.save(Linear<Float>(2, 3, using: &g), to: path)
        let wider = Linear<Float>(2, 4, using: &g)
        let before = wider.parameters.map(\.value.scalars)
        XCTAssertThrowsError(try ModuleCheckpoint.load(into: wider, from: path)) { error in
            XCTAssertTrue("\(error)".contains("weight"), "\(error)")
        }
        XCTAssertEqual(wider.parameters.map(\.value.scalars), before)
    }
}
