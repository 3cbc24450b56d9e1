/// The header of an IDX file of unsigned bytes: `00 00 08 NN`, then NN big-endian 32-bit dimensions.
///
/// Parsed on its own so that a reader can check the dimensions — and derive the exact size of the
/// file from them — before it reads or inflates the data.
struct IDXHeader {
    /// The longest header: 4 bytes of magic number and 255 dimensions of 4 bytes.
    static let maximumByteCount = 4 + 4 * 255

    /// Sizes of the dimensions, outermost first.
    let shape: [Int]
    /// The number of elements, `shape.reduce(1, *)`.
    let elementCount: Int

    /// Bytes of the header itself.
    var byteCount: Int { 4 + 4 * shape.count }
    /// Bytes of the whole file: header and elements.
    var fileSize: Int { byteCount + elementCount }

    /// Parses the header at the start of `bytes`, which holds the whole file or at least its first
    /// `maximumByteCount` bytes.
    /// - Parameters:
    ///   - bytes: The file's first bytes (after decompression).
    ///   - file: The file's name or path, used in error messages.
    ///   - expectedRank: The number of dimensions the file must have, or nil to accept 1 to 4.
    ///   - elementLimit: The most elements the header may announce.
    /// - Throws: `MNISTError` for a file shorter than its header, a bad magic number, an unsupported
    ///   element type, or dimensions past `elementLimit`.
    init(parsing bytes: [UInt8], file: String, expectedRank: Int?, elementLimit: Int) throws(MNISTError) {
        guard bytes.count >= 4 else {
            throw .truncated(file: file, expectedBytes: 4, actualBytes: bytes.count)
        }
        let magic = Self.bigEndianUInt32(bytes, at: 0)
        let expectedMagic = 0x0800 | UInt32(expectedRank ?? min(max(Int(bytes[3]), 1), 4))
        guard bytes[0] == 0, bytes[1] == 0 else { throw .badMagic(file: file, expected: expectedMagic, found: magic) }
        guard bytes[2] == 0x08 else { throw .unsupportedElementType(file: file, code: bytes[2]) }
        guard magic == expectedMagic else { throw .badMagic(file: file, expected: expectedMagic, found: magic) }
        let rank = Int(bytes[3])
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw .truncated(file: file, expectedBytes: headerSize, actualBytes: bytes.count)
        }
        let shape = (0..<rank).map { Int(Self.bigEndianUInt32(bytes, at: 4 + 4 * $0)) }
        var elementCount = 1
        for size in shape {
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            guard !overflow, product <= elementLimit, product <= Int.max - headerSize else {
                throw .dimensionsTooLarge(file: file, dimensions: shape, limit: elementLimit)
            }
            elementCount = product
        }
        self.shape = shape
        self.elementCount = elementCount
    }

    private static func bigEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
}
