/// A failure while decompressing gzip (RFC 1952) or raw DEFLATE (RFC 1951) data.
///
/// Every case says where in the input the problem was found, so a message such as
/// "truncated input in deflate stream at byte 1024 of 2048" points straight at the damage.
public enum GzipError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The input does not start with the gzip magic bytes `1f 8b`.
    case notGzip(offset: Int, found: [UInt8])
    /// The member header names a compression method other than 8 (DEFLATE).
    case unsupportedMethod(offset: Int, method: UInt8)
    /// The member header sets flag bits that RFC 1952 reserves (they must be zero).
    case reservedFlagsSet(offset: Int, flags: UInt8)
    /// The input ends before the named part (header, deflate stream, trailer) is complete.
    case truncatedInput(part: String, offset: Int, inputSize: Int)
    /// A DEFLATE block header uses the reserved block type 3.
    case invalidBlockType(offset: Int, type: Int)
    /// A stored block's length and its one's complement do not agree.
    case invalidStoredLength(offset: Int, length: UInt16, complement: UInt16)
    /// A Huffman code description or an encoded symbol is invalid (`detail` says which).
    case invalidHuffmanCode(offset: Int, detail: String)
    /// A back-reference points before the start of the output.
    case distanceTooFarBack(offset: Int, distance: Int, available: Int)
    /// A CRC-32 check failed (`part` is "data" or "header").
    case crcMismatch(member: Int, part: String, expected: UInt32, actual: UInt32)
    /// The ISIZE trailer does not match the number of bytes produced (modulo 2^32).
    case lengthMismatch(member: Int, expected: UInt32, actual: UInt32)
    /// Bytes follow the last member that are not another gzip member.
    case trailingGarbage(offset: Int, count: Int)
    /// The decoded data would exceed the caller's size limit (protection against decompression bombs).
    case outputTooLarge(limit: Int)

    /// A one-line explanation naming the position and the offending values.
    public var description: String {
        switch self {
        case let .notGzip(offset, found):
            let hex = found.map { String($0, radix: 16) }.joined(separator: " ")
            return "not gzip data: expected magic bytes 1f 8b at byte \(offset), found [\(hex)]"
        case let .unsupportedMethod(offset, method):
            return "unsupported gzip compression method \(method) at byte \(offset) (only 8, DEFLATE, exists)"
        case let .reservedFlagsSet(offset, flags):
            return "gzip header at byte \(offset) sets reserved flag bits (FLG = 0x\(String(flags, radix: 16)))"
        case let .truncatedInput(part, offset, inputSize):
            return "truncated input in \(part) at byte \(offset) of \(inputSize)"
        case let .invalidBlockType(offset, type):
            return "invalid DEFLATE block type \(type) at byte \(offset)"
        case let .invalidStoredLength(offset, length, complement):
            return "stored block at byte \(offset): LEN \(length) does not match NLEN \(complement)"
        case let .invalidHuffmanCode(offset, detail):
            return "invalid Huffman code near byte \(offset): \(detail)"
        case let .distanceTooFarBack(offset, distance, available):
            return "back-reference near byte \(offset) has distance \(distance) but only \(available) bytes were output"
        case let .crcMismatch(member, part, expected, actual):
            return "CRC-32 mismatch in \(part) of gzip member \(member): stored 0x\(hex32(expected)), "
                + "computed 0x\(hex32(actual))"
        case let .lengthMismatch(member, expected, actual):
            return "length mismatch in gzip member \(member): ISIZE says \(expected), decoded \(actual) (mod 2^32)"
        case let .trailingGarbage(offset, count):
            return "\(count) bytes of trailing garbage after the last gzip member, at byte \(offset)"
        case let .outputTooLarge(limit):
            return "decompressed data exceeds the limit of \(limit) bytes"
        }
    }
}

private func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}
