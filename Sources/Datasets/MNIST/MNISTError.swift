/// A failure while locating, reading or validating MNIST or other IDX files.
///
/// Every case names the file involved, so a message can be acted upon without a debugger.
public enum MNISTError: Error, CustomStringConvertible, Equatable, Sendable {
    /// None of the accepted spellings of a file exists in the directory.
    case missingFile(directory: String, triedNames: [String])
    /// The file exists but could not be read.
    case unreadable(file: String, reason: String)
    /// The file has a `.gz` name or gzip magic but does not decompress.
    case decompressionFailed(file: String, GzipError)
    /// The 4-byte IDX magic number is not the expected one.
    case badMagic(file: String, expected: UInt32, found: UInt32)
    /// The IDX element type code is not 0x08 (unsigned byte), the only type MNIST uses.
    case unsupportedElementType(file: String, code: UInt8)
    /// The dimensions in the header are not the ones this data set must have.
    case wrongDimensions(file: String, expected: String, found: [Int])
    /// The header claims more data than any real file of this kind holds; rejected before allocating.
    case dimensionsTooLarge(file: String, dimensions: [Int], limit: Int)
    /// The file ends before the data the header announces (in bytes, after decompression).
    case truncated(file: String, expectedBytes: Int, actualBytes: Int)
    /// The file holds more bytes than its header announces.
    case unexpectedTrailingBytes(file: String, expectedBytes: Int, actualBytes: Int)
    /// The images and labels files disagree on the number of examples.
    case countMismatch(imagesFile: String, images: Int, labelsFile: String, labels: Int)
    /// A label is not a digit 0...9.
    case labelOutOfRange(file: String, index: Int, value: UInt8)
    /// The images file announces zero examples: no data set to train or test on.
    case noExamples(file: String)
    /// A compressed file inflates to more than the size its header announces; inflation stopped there.
    case moreDataThanAnnounced(file: String, expectedBytes: Int)
    /// A compressed file's header announces more bytes than its compressed size can inflate to (DEFLATE
    /// expands at most 1032-fold), so the file is cut short or its header is corrupt; nothing was inflated.
    case cannotHoldAnnouncedSize(file: String, expectedBytes: Int, compressedBytes: Int)

    /// A one-line explanation naming the file and the offending values.
    public var description: String {
        switch self {
        case let .missingFile(directory, triedNames):
            return "MNIST file not found in \(directory) (tried \(triedNames.joined(separator: ", "))). "
                + "Download the four files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
                + "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz from a mirror of "
                + "http://yann.lecun.com/exdb/mnist/ (for example the one torchvision downloads from, "
                + "https://ossci-datasets.s3.amazonaws.com/mnist/) into that directory"
        case let .unreadable(file, reason):
            return "cannot read \(file): \(reason)"
        case let .decompressionFailed(file, error):
            return "cannot decompress \(file): \(error)"
        case let .badMagic(file, expected, found):
            return "\(file) is not the expected IDX file: magic number \(found) (0x\(String(found, radix: 16))), "
                + "expected \(expected) (0x\(String(expected, radix: 16)))"
        case let .unsupportedElementType(file, code):
            return "\(file) uses IDX element type 0x\(String(code, radix: 16)); only 0x8 (unsigned byte) is supported"
        case let .wrongDimensions(file, expected, found):
            return "\(file) has dimensions \(found), expected \(expected)"
        case let .dimensionsTooLarge(file, dimensions, limit):
            return "\(file) header claims dimensions \(dimensions), beyond the limit of \(limit); the header is corrupt"
        case let .truncated(file, _, 0):
            return "\(file) is empty (0 bytes)"
        case let .truncated(file, expectedBytes, actualBytes):
            return "\(file) is truncated: header announces \(expectedBytes) bytes, file holds \(actualBytes)"
        case let .unexpectedTrailingBytes(file, expectedBytes, actualBytes):
            return "\(file) has \(actualBytes - expectedBytes) bytes after the \(expectedBytes) its header announces"
        case let .countMismatch(imagesFile, images, labelsFile, labels):
            return "\(imagesFile) holds \(images) images but \(labelsFile) holds \(labels) labels"
        case let .labelOutOfRange(file, index, value):
            return "\(file): label \(index) is \(value), outside 0...9"
        case let .noExamples(file):
            return "\(file) holds no images: its header announces a count of 0"
        case let .moreDataThanAnnounced(file, expectedBytes):
            return "\(file) inflates to more than the \(expectedBytes) bytes its header announces; "
                + "inflation stopped there (the header is corrupt, or the file is a decompression bomb)"
        case let .cannotHoldAnnouncedSize(file, expectedBytes, compressedBytes):
            return "\(file): its header announces \(expectedBytes) bytes, more than \(compressedBytes) compressed "
                + "bytes can inflate to (at most 1032 times as many); the file is truncated or its header is corrupt"
        }
    }
}
