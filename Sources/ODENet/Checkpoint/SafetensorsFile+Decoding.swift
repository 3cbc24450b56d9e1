/// Decoding and validation of the safetensors byte layout.
extension SafetensorsFile {
    /// Headers longer than this are rejected before any allocation (the reference reader's limit).
    public static let maximumHeaderLength = 100_000_000

    /// Decodes and fully validates a safetensors file held in memory.
    /// - Parameters:
    ///   - bytes: The whole file.
    ///   - origin: The file name used in error messages.
    /// - Throws: ``CheckpointError`` for truncation, an absurd header length, invalid JSON, unknown dtypes,
    ///   and offsets that are out of range, overlapping, leave gaps or disagree with shape × dtype size.
    public init(decoding bytes: [UInt8], origin: String = "<memory>") throws(CheckpointError) {
        guard bytes.count >= 8 else { throw .truncated(file: origin, expectedBytes: 8, actualBytes: bytes.count) }
        let headerLength = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[$1]) << (8 * UInt64($1)) }
        guard headerLength <= UInt64(Self.maximumHeaderLength) else {
            throw .headerLengthAbsurd(file: origin, length: headerLength, fileSize: bytes.count,
                                      limit: Self.maximumHeaderLength)
        }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw .truncated(file: origin, expectedBytes: 8 + headerLength, actualBytes: bytes.count)
        }
        let dataStart = 8 + Int(headerLength)
        let members = try Self.parseHeader(Array(bytes[8..<dataStart]), origin: origin)
        self.init(origin: origin)

        var spans: [(key: String, entry: (dtype: SafetensorsDType, shape: [Int]), begin: UInt64, end: UInt64)] = []
        for (key, value) in members {
            if key == "__metadata__" {
                metadata = try Self.parseMetadata(value, origin: origin)
                continue
            }
            let info = try Self.parseTensorInfo(value, key: key, origin: origin)
            spans.append((key, (info.dtype, info.shape), info.begin, info.end))
        }
        let dataSize = UInt64(bytes.count - dataStart)
        spans.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var expectedBegin: UInt64 = 0
        for span in spans {
            guard span.begin == expectedBegin else {
                let reason = span.begin < expectedBegin ? "overlaps the previous tensor (which ends at \(expectedBegin))"
                    : "leaves a gap after offset \(expectedBegin)"
                throw .invalidOffsets(file: origin, key: span.key, begin: span.begin, end: span.end, reason: reason)
            }
            expectedBegin = span.end
        }
        guard expectedBegin <= dataSize else {
            throw .truncated(file: origin, expectedBytes: TensorSize.saturatingSum(8, headerLength, expectedBegin),
                             actualBytes: bytes.count)
        }
        guard expectedBegin == dataSize else {
            throw .invalidOffsets(file: origin, key: spans.last?.key ?? "(none)", begin: spans.last?.begin ?? 0,
                                  end: expectedBegin,
                                  reason: "\(dataSize - expectedBegin) data bytes after it belong to no tensor")
        }
        for span in spans {
            let range = (dataStart + Int(span.begin))..<(dataStart + Int(span.end))
            self[span.key] = Entry(dtype: span.entry.dtype, shape: span.entry.shape, bytes: Array(bytes[range]))
        }
    }

    private static func parseHeader(_ header: [UInt8], origin: String) throws(CheckpointError)
        -> [(key: String, value: JSONValue)] {
        guard header.first == UInt8(ascii: "{") else {
            throw .invalidHeader(file: origin, reason: "header does not start with '{'")
        }
        let value: JSONValue
        do throws(JSONParseError) {
            value = try JSONValue(parsing: header)
        } catch {
            throw .invalidHeader(file: origin, reason: "\(error.reason) at header byte \(error.offset)")
        }
        guard case let .object(members) = value else {
            throw .invalidHeader(file: origin, reason: "header is not a JSON object")
        }
        var seen = Set<String>()
        for member in members where !seen.insert(member.key).inserted {
            throw .invalidHeader(file: origin, reason: "key '\(member.key)' appears twice")
        }
        return members
    }

    private static func parseMetadata(_ value: JSONValue, origin: String) throws(CheckpointError) -> [String: String] {
        guard case let .object(pairs) = value else {
            throw .invalidHeader(file: origin, reason: "__metadata__ is not an object")
        }
        var metadata: [String: String] = [:]
        for (key, value) in pairs {
            guard case let .string(text) = value else {
                throw .invalidHeader(file: origin, reason: "__metadata__ value for '\(key)' is not a string")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func parseTensorInfo(_ value: JSONValue, key: String, origin: String) throws(CheckpointError)
        -> (dtype: SafetensorsDType, shape: [Int], begin: UInt64, end: UInt64) {
        guard case let .object(fields) = value else {
            throw .invalidHeader(file: origin, reason: "entry '\(key)' is not an object")
        }
        func field(_ name: String) throws(CheckpointError) -> JSONValue {
            guard let found = fields.first(where: { $0.key == name }) else {
                throw .invalidHeader(file: origin, reason: "entry '\(key)' has no '\(name)'")
            }
            return found.value
        }
        guard case let .string(dtypeName) = try field("dtype") else {
            throw .invalidHeader(file: origin, reason: "dtype of '\(key)' is not a string")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw .unknownDType(file: origin, key: key, dtype: dtypeName)
        }
        guard case let .array(dimensions) = try field("shape"),
              let shape64 = Optional(dimensions.compactMap(\.exactUnsignedInteger)), shape64.count == dimensions.count,
              shape64.allSatisfy({ $0 <= UInt64(Int.max) }) else {
            throw .invalidHeader(file: origin, reason: "shape of '\(key)' is not an array of integers in 0..<2^53")
        }
        guard case let .array(offsets) = try field("data_offsets"), offsets.count == 2,
              let begin = offsets[0].exactUnsignedInteger, let end = offsets[1].exactUnsignedInteger else {
            throw .invalidHeader(file: origin,
                                 reason: "data_offsets of '\(key)' is not two integers in 0..<2^53")
        }
        guard begin <= end else {
            throw .invalidOffsets(file: origin, key: key, begin: begin, end: end, reason: "begin is after end")
        }
        let shape = shape64.map { Int($0) }
        // Overflow-checked over the nonzero dimensions too: a zero-size tensor must not hide a shape
        // whose other dimensions multiply past Int.max.
        guard let size = TensorSize.byteCount(shape: shape, elementSize: dtype.byteCount) else {
            throw .invalidOffsets(file: origin, key: key, begin: begin, end: end,
                                  reason: "shape \(shape) of \(dtypeName) has more than \(Int.max) bytes")
        }
        guard end - begin == UInt64(size) else {
            throw .invalidOffsets(file: origin, key: key, begin: begin, end: end,
                                  reason: "shape \(shape) of \(dtypeName) needs \(size) bytes, offsets span \(end - begin)")
        }
        return (dtype, shape, begin, end)
    }
}
