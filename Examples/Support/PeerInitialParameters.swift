import Foundation
import ODENet

/// Reads the peers' W4 initial parameters: `<stem>.bin` (raw little-endian float32 in PyTorch
/// `state_dict` order) described by `<stem>.json` (`tensors`: name, shape, offset_floats, count), as an
/// in-memory safetensors file to load with `ModuleCheckpoint.load(into:from:)` (which validates every
/// name and shape). `path` may name either file or the common stem.
public func readPeerInitialParameters(_ path: String) throws -> SafetensorsFile {
    var stem = path
    for suffix in [".bin", ".json"] where stem.hasSuffix(suffix) { stem.removeLast(suffix.count) }
    let manifest = try JSONValue(contentsOf: stem + ".json")
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: stem + ".bin")))
    guard let tensors = manifest["tensors"]?.arrayValue else {
        throw CheckpointError.invalidHeader(file: stem + ".json", reason: "no 'tensors' array")
    }
    var file = SafetensorsFile(origin: stem + ".bin")
    for tensor in tensors {
        guard let name = tensor["name"]?.stringValue, let shape = tensor["shape"]?.arrayValue?.compactMap(\.intValue),
              let offset = tensor["offset_floats"]?.intValue, let count = tensor["count"]?.intValue,
              shape.reduce(1, *) == count else {
            throw CheckpointError.invalidHeader(file: stem + ".json", reason: "malformed entry \(tensor)")
        }
        guard (offset + count) * 4 <= bytes.count else {
            throw CheckpointError.truncated(file: stem + ".bin", expectedBytes: UInt64((offset + count) * 4),
                                            actualBytes: bytes.count)
        }
        file[name] = SafetensorsFile.Entry(dtype: .float32, shape: shape, bytes: Array(bytes[(offset * 4)..<((offset + count) * 4)]))
    }
    return file
}
