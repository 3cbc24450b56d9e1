/// An array of unsigned bytes stored in the IDX format of the MNIST distribution.
///
/// An IDX file starts with a big-endian magic number `00 00 TT NN` (TT = element type, 0x08 for
/// unsigned bytes; NN = number of dimensions), then NN big-endian 32-bit dimension sizes, then the
/// elements in row-major order.
public struct IDXArray: Equatable, Sendable {
    /// Sizes of the dimensions, outermost first (for MNIST images: count, rows, columns).
    public let shape: [Int]
    /// The elements in row-major order; `shape.reduce(1, *)` of them.
    public let elements: [UInt8]

    /// The largest element count accepted by default (2^31): far above any real IDX data set, low
    /// enough that a corrupt header cannot request an absurd allocation.
    public static let defaultElementLimit = 1 << 31

    /// Parses an IDX file of unsigned bytes.
    /// - Parameters:
    ///   - bytes: The whole (decompressed) file.
    ///   - file: The file's name or path, used in error messages.
    ///   - expectedRank: The number of dimensions the file must have, or nil to accept 1 to 4.
    ///   - elementLimit: The most elements the header may announce; checked before anything is copied.
    /// - Throws: ``MNISTError`` for a bad magic number, an unsupported element type, an absurd header,
    ///   truncated data or trailing bytes.
    public init(parsing bytes: [UInt8], file: String, expectedRank: Int? = nil,
                elementLimit: Int = IDXArray.defaultElementLimit) throws(MNISTError) {
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
            guard !overflow, product <= elementLimit else {
                throw .dimensionsTooLarge(file: file, dimensions: shape, limit: elementLimit)
            }
            elementCount = product
        }
        let expectedBytes = headerSize + elementCount
        guard bytes.count >= expectedBytes else {
            throw .truncated(file: file, expectedBytes: expectedBytes, actualBytes: bytes.count)
        }
        guard bytes.count == expectedBytes else {
            throw .unexpectedTrailingBytes(file: file, expectedBytes: expectedBytes, actualBytes: bytes.count)
        }
        self.shape = shape
        elements = Array(bytes[headerSize...])
    }

    /// The 4-byte magic number of the file (0x0801 for a vector, 0x0803 for a rank-3 array of bytes).
    public var magic: UInt32 { 0x0800 | UInt32(shape.count) }

    private static func bigEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
}
