/// Decompression of gzip files (RFC 1952) with a pure-Swift DEFLATE decoder.
///
/// Every member's header is validated (magic, method, reserved flags, optional header CRC), and its
/// CRC-32 and ISIZE trailer are checked against the decoded bytes. Concatenated members decode to the
/// concatenation of their contents, as `gunzip` does; anything else after the last member is an error.
///
/// ```swift
/// let bytes = try Gzip.decompress(compressed)
/// ```
public enum Gzip {
    private static let headerCRCFlag: UInt8 = 1 << 1, extraFlag: UInt8 = 1 << 2
    private static let nameFlag: UInt8 = 1 << 3, commentFlag: UInt8 = 1 << 4

    /// Whether `bytes` starts with the gzip magic number `1f 8b`.
    ///
    /// - Parameter bytes: The data to test.
    /// - Returns: Whether the data starts with `1f 8b`.
    public static func hasMagic(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The output limit of `decompress` when none is given: 1 GiB (`Deflate.defaultMaximumOutputSize`).
    public static let defaultMaximumOutputSize = Deflate.defaultMaximumOutputSize

    /// Decompresses all gzip members in `bytes` and returns their concatenated contents.
    /// - Parameters:
    ///   - bytes: The gzip file.
    ///   - maximumOutputSize: The most bytes the result may have; larger output stops the decoding with
    ///     `.outputTooLarge` instead of exhausting memory (at most about this much is ever allocated).
    ///     Defaults to `defaultMaximumOutputSize` (1 GiB); pass more for larger data.
    /// - Returns: The decompressed bytes.
    /// - Throws: `GzipError` naming the byte offset of the first problem found.
    public static func decompress(_ bytes: [UInt8],
                                  maximumOutputSize: Int = defaultMaximumOutputSize) throws(GzipError) -> [UInt8] {
        let result: Result<[UInt8], GzipError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(GzipError) -> [UInt8] in try decompress(buffer, maximumOutputSize: maximumOutputSize) }
        }
        return try result.get()
    }

    /// Decompresses all gzip members in `buffer` and returns their concatenated contents.
    /// - Parameters:
    ///   - buffer: The gzip file, alive for the duration of the call.
    ///   - maximumOutputSize: The most bytes the result may have, as for `decompress(_:maximumOutputSize:)`.
    /// - Returns: The decompressed bytes.
    /// - Throws: `GzipError` naming the byte offset of the first problem found.
    public static func decompress(_ buffer: UnsafeBufferPointer<UInt8>,
                                  maximumOutputSize: Int = defaultMaximumOutputSize) throws(GzipError) -> [UInt8] {
        let output = InflateOutput(capacityHint: sizeHint(buffer), limit: max(0, maximumOutputSize))
        try inflateMembers(buffer, into: output)
        return output.makeArray()
    }

    /// Decodes every member of `buffer` into `output`, checking each member's CRC-32 and ISIZE.
    /// - Throws: `GzipError`; `.outputTooLarge` as soon as the output passes `output.limit`.
    static func inflateMembers(_ buffer: UnsafeBufferPointer<UInt8>, into output: InflateOutput) throws(GzipError) {
        let count = buffer.count
        guard count >= 2, buffer[0] == 0x1F, buffer[1] == 0x8B else {
            throw .notGzip(offset: 0, found: Array(buffer.prefix(2)))
        }
        var inflater = Inflater(input: buffer, start: 0, output: output)
        defer { inflater.deallocate() }
        var offset = 0, member = 0
        while true {
            let headerEnd = try parseHeader(buffer, at: offset, member: member)
            let start = output.count
            inflater.position = headerEnd
            inflater.bitBuffer = 0
            inflater.bitCount = 0
            try inflater.inflateStream()
            offset = inflater.position
            guard offset + 8 <= count else {
                throw .truncatedInput(part: "gzip trailer", offset: count, inputSize: count)
            }
            var crc = CRC32()
            crc.update(UnsafeBufferPointer(start: output.base + start, count: output.count - start))
            let storedCRC = readUInt32(buffer, offset)
            guard crc.value == storedCRC else {
                throw .crcMismatch(member: member, part: "data", expected: storedCRC, actual: crc.value)
            }
            let storedSize = readUInt32(buffer, offset + 4)
            let actualSize = UInt32(truncatingIfNeeded: output.count - start)
            guard storedSize == actualSize else {
                throw .lengthMismatch(member: member, expected: storedSize, actual: actualSize)
            }
            offset += 8
            member += 1
            if offset == count { break }
            // A lone 0x1F is the start of a member cut short: parseHeader reports it as truncated.
            guard buffer[offset] == 0x1F, count - offset == 1 || buffer[offset + 1] == 0x8B else {
                throw .trailingGarbage(offset: offset, count: count - offset)
            }
        }
    }

    /// Validates one member header starting at `start` and returns the offset of its DEFLATE data.
    private static func parseHeader(_ buffer: UnsafeBufferPointer<UInt8>, at start: Int,
                                    member: Int) throws(GzipError) -> Int {
        let count = buffer.count
        let truncated = GzipError.truncatedInput(part: "gzip header", offset: count, inputSize: count)
        guard start + 10 <= count else { throw truncated }
        guard buffer[start] == 0x1F, buffer[start + 1] == 0x8B else {
            throw .notGzip(offset: start, found: [buffer[start], buffer[start + 1]])
        }
        guard buffer[start + 2] == 8 else { throw .unsupportedMethod(offset: start + 2, method: buffer[start + 2]) }
        let flags = buffer[start + 3]
        guard flags & 0xE0 == 0 else { throw .reservedFlagsSet(offset: start + 3, flags: flags) }
        var offset = start + 10
        if flags & extraFlag != 0 {
            guard offset + 2 <= count else { throw truncated }
            offset += 2 + (Int(buffer[offset]) | Int(buffer[offset + 1]) << 8)
            guard offset <= count else { throw truncated }
        }
        for flag in [nameFlag, commentFlag] where flags & flag != 0 {
            while offset < count, buffer[offset] != 0 { offset += 1 }
            guard offset < count else { throw truncated }
            offset += 1
        }
        if flags & headerCRCFlag != 0 {
            guard offset + 2 <= count else { throw truncated }
            var crc = CRC32()
            crc.update(UnsafeBufferPointer(rebasing: buffer[start..<offset]))
            let stored = UInt32(buffer[offset]) | UInt32(buffer[offset + 1]) << 8
            guard stored == crc.value & 0xFFFF else {
                throw .crcMismatch(member: member, part: "header at byte \(start)", expected: stored,
                                   actual: crc.value & 0xFFFF)
            }
            offset += 2
        }
        return offset
    }

    /// The last member's ISIZE is usually the whole output size; bounded so a forged value
    /// cannot make us reserve absurd amounts of memory up front.
    private static func sizeHint(_ buffer: UnsafeBufferPointer<UInt8>) -> Int {
        guard buffer.count >= 18 else { return 0 }
        let isize = Int(readUInt32(buffer, buffer.count - 4))
        return min(isize, Deflate.largestOutput(ofInputSize: buffer.count), 1 << 30)
    }

    private static func readUInt32(_ buffer: UnsafeBufferPointer<UInt8>, _ offset: Int) -> UInt32 {
        UInt32(buffer[offset]) | UInt32(buffer[offset + 1]) << 8
            | UInt32(buffer[offset + 2]) << 16 | UInt32(buffer[offset + 3]) << 24
    }
}

/// Decompression of raw DEFLATE streams (RFC 1951), without any container or checksum.
public enum Deflate {
    /// The output limit of `decompress` (and `Gzip.decompress`) when none is given: 1 GiB, above any
    /// data set the examples read (MNIST's training images inflate to 47 MB), far below what a
    /// decompression bomb asks for (DEFLATE expands up to 1032-fold: 1 MB of input may inflate to 1 GB).
    public static let defaultMaximumOutputSize = 1 << 30

    /// The most bytes `count` bytes of DEFLATE data can decode to: each 258-byte match costs at least
    /// 2 bits (a 1-bit length code and a 1-bit distance code), so the output is at most 1032 times the
    /// input (saturating at `Int.max`).
    static func largestOutput(ofInputSize count: Int) -> Int {
        let (product, overflow) = count.multipliedReportingOverflow(by: 1032)
        return overflow ? .max : product
    }

    /// Decodes one complete raw DEFLATE stream and returns the decoded bytes.
    /// - Parameters:
    ///   - bytes: The stream.
    ///   - maximumOutputSize: The most bytes the result may have; larger output stops the decoding with
    ///     `.outputTooLarge`. Defaults to `defaultMaximumOutputSize` (1 GiB).
    /// - Returns: The decoded bytes.
    /// - Throws: `GzipError` naming the byte offset of the first problem found; bytes after the
    ///   final block are reported as `.trailingGarbage`.
    public static func decompress(_ bytes: [UInt8],
                                  maximumOutputSize: Int = defaultMaximumOutputSize) throws(GzipError) -> [UInt8] {
        let result: Result<[UInt8], GzipError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(GzipError) -> [UInt8] in
                let hint = buffer.count <= Int.max / 4 ? buffer.count * 4 : Int.max
                let output = InflateOutput(capacityHint: hint, limit: max(0, maximumOutputSize))
                var inflater = Inflater(input: buffer, start: 0, output: output)
                defer { inflater.deallocate() }
                try inflater.inflateStream()
                guard inflater.position == buffer.count else {
                    throw .trailingGarbage(offset: inflater.position, count: buffer.count - inflater.position)
                }
                return output.makeArray()
            }
        }
        return try result.get()
    }
}
