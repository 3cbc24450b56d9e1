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
        let header = try IDXHeader(parsing: bytes, file: file, expectedRank: expectedRank, elementLimit: elementLimit)
        try self.init(header: header, contents: bytes, file: file)
    }

    /// The array of `header` from the whole file `contents`, which must have exactly the size the
    /// header announces.
    init(header: IDXHeader, contents: [UInt8], file: String) throws(MNISTError) {
        guard contents.count >= header.fileSize else {
            throw .truncated(file: file, expectedBytes: header.fileSize, actualBytes: contents.count)
        }
        guard contents.count == header.fileSize else {
            throw .unexpectedTrailingBytes(file: file, expectedBytes: header.fileSize, actualBytes: contents.count)
        }
        self.init(shape: header.shape, elements: Array(contents[header.byteCount...]))
    }

    /// An array of `shape` holding `elements` (already checked to number `shape.reduce(1, *)`).
    init(shape: [Int], elements: [UInt8]) {
        self.shape = shape
        self.elements = elements
    }

    /// The 4-byte magic number of the file (0x0801 for a vector, 0x0803 for a rank-3 array of bytes).
    public var magic: UInt32 { 0x0800 | UInt32(shape.count) }
}
