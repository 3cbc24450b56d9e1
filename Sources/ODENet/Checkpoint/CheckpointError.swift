/// A failure while reading, validating or writing a safetensors checkpoint.
///
/// Every case names the file (or "<memory>" for bytes not read from a file) and, where one is
/// involved, the tensor key and the shapes or offsets that disagree.
public enum CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file is shorter than its header says it must be.
    case truncated(file: String, expectedBytes: UInt64, actualBytes: Int)
    /// The 8-byte header length exceeds the file or the 100 MB limit (checked before allocating).
    case headerLengthAbsurd(file: String, length: UInt64, fileSize: Int, limit: Int)
    /// The header is not the JSON object the format requires.
    case invalidHeader(file: String, reason: String)
    /// A tensor names a dtype this reader does not know.
    case unknownDType(file: String, key: String, dtype: String)
    /// A tensor's data offsets are out of range, overlap, leave gaps, or disagree with shape × dtype.
    case invalidOffsets(file: String, key: String, begin: UInt64, end: UInt64, reason: String)
    /// A tensor the caller needs is not in the file.
    case missingKey(file: String, key: String, available: [String])
    /// The file holds a tensor the caller did not expect.
    case unexpectedKey(file: String, key: String)
    /// A tensor's shape differs from the one the caller needs.
    case shapeMismatch(file: String, key: String, expected: [Int], found: [Int])
    /// A tensor's dtype differs from the one the caller needs.
    case dtypeMismatch(file: String, key: String, expected: SafetensorsDType, found: SafetensorsDType)
    /// The operating system refused a read, write, sync or rename.
    case ioFailed(file: String, operation: String, reason: String)
    /// The optimiser rejected the file's optimiser state (an entry it does not write, a missing one,
    /// a buffer of the wrong shape, an impossible value).
    case invalidOptimizerState(file: String, OptimizerStateError)

    /// A one-line explanation naming the file, key and offending values.
    public var description: String {
        switch self {
        case let .truncated(file, _, 0):
            return "\(file) is empty (0 bytes); a safetensors file starts with an 8-byte header length"
        case let .truncated(file, expected, actual):
            return "\(file) is truncated: expected \(expected) bytes, found \(actual)"
        case let .headerLengthAbsurd(file, length, fileSize, limit):
            return "\(file): header length \(length) is impossible (file has \(fileSize) bytes, limit \(limit)); "
                + "not a safetensors file or corrupt"
        case let .invalidHeader(file, reason):
            return "\(file): invalid safetensors header: \(reason)"
        case let .unknownDType(file, key, dtype):
            return "\(file): tensor '\(key)' has unknown dtype '\(dtype)'"
        case let .invalidOffsets(file, key, begin, end, reason):
            return "\(file): tensor '\(key)' has data_offsets [\(begin), \(end)]: \(reason)"
        case let .missingKey(file, key, available):
            return "\(file): no tensor '\(key)' (file has: \(available.joined(separator: ", ")))"
        case let .unexpectedKey(file, key):
            return "\(file): unexpected tensor '\(key)'"
        case let .shapeMismatch(file, key, expected, found):
            return "\(file): tensor '\(key)' has shape \(found), expected \(expected)"
        case let .dtypeMismatch(file, key, expected, found):
            return "\(file): tensor '\(key)' has dtype \(found.rawValue), expected \(expected.rawValue)"
        case let .ioFailed(file, operation, reason):
            return "\(file): \(operation) failed: \(reason)"
        case let .invalidOptimizerState(file, error):
            return "\(file): \(error); neither the model nor the optimizer was changed"
        }
    }
}
