/// Gzip members that inflate to far more than they occupy, for the decompression-bomb tests.
///
/// The member holds two DEFLATE blocks: fixed-Huffman literals for `prefix` and a few zero bytes,
/// then one dynamic block whose only codes are the 258-byte match at distance 1 (1 bit), the single
/// distance code (1 bit) and end-of-block. Each match costs 2 bits, so the stream reaches DEFLATE's
/// ratio limit of about 1032 : 1 — a 1 MB file that inflates to 1 GiB of zeros after the prefix.
enum GzipBomb {
    /// A gzip member whose contents are `prefix` followed by zero bytes, `totalSize` bytes in all.
    ///
    /// The trailer's ISIZE is right; its CRC-32 is computed only when `withCRC` (the contents are then
    /// hashed, so keep `totalSize` small); otherwise it is zero, which no reader may reach.
    static func member(prefix: [UInt8], totalSize: Int, withCRC: Bool = false) -> [UInt8] {
        precondition(totalSize > prefix.count)
        let zeros = totalSize - prefix.count
        // At least one literal zero (the byte the matches repeat); the rest is whole 258-byte matches.
        let literalZeros = zeros % 258 == 0 ? 258 : zeros % 258
        let matches = (zeros - literalZeros) / 258
        var writer = BitWriter()
        writer.write(0, bits: 1)  // not the final block
        writer.write(1, bits: 2)  // fixed Huffman codes
        for byte in prefix + [UInt8](repeating: 0, count: literalZeros) { writeFixedLiteral(byte, to: &writer) }
        writer.writeCode(0, bits: 7)  // end of block (symbol 256)

        writer.write(1, bits: 1)  // final block
        writer.write(2, bits: 2)  // dynamic Huffman codes
        writer.write(286 - 257, bits: 5)  // literal/length codes up to 285 (match length 258)
        writer.write(0, bits: 5)  // one distance code
        // The code-length code: symbols 0 and 1 get 1-bit codes. Listing 18 or 19 of its lengths
        // changes the header by 3 bits; pick the count that lets the 2-bit matches reach a byte boundary.
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        let headerBits = writer.bitLength + 4 + 287
        let listed = (headerBits + 3 * 18) % 2 == 0 ? 18 : 19
        writer.write(listed - 4, bits: 4)
        for symbol in order.prefix(listed) { writer.write(symbol <= 1 ? 1 : 0, bits: 3) }
        // Lengths of the 286 literal/length codes and the one distance code: 1 bit for 256, 285, distance 0.
        for symbol in 0..<287 { writer.writeCode(symbol == 256 || symbol == 285 || symbol == 286 ? 1 : 0, bits: 1) }
        // Matches: length symbol 285 is code 1, distance symbol 0 (distance 1) is code 0.
        var written = 0
        while written < matches, writer.bitLength % 8 != 0 {
            writer.writeCode(1, bits: 1)
            writer.writeCode(0, bits: 1)
            written += 1
        }
        let wholeBytes = (matches - written) / 4  // four matches per byte: bits 1,0,1,0,… = 0x55
        writer.appendAligned(0x55, count: wholeBytes)
        written += 4 * wholeBytes
        for _ in written..<matches {
            writer.writeCode(1, bits: 1)
            writer.writeCode(0, bits: 1)
        }
        writer.writeCode(0, bits: 1)  // end of block (symbol 256)

        let crc = withCRC ? GzipBuilder.bitwiseCRC32(prefix + [UInt8](repeating: 0, count: zeros)) : 0
        return GzipBuilder.header() + writer.bytes + GzipBuilder.littleEndian(crc)
            + GzipBuilder.littleEndian(UInt32(truncatingIfNeeded: totalSize))
    }

    /// The header of an IDX file of unsigned bytes with the given dimensions.
    static func idxHeader(_ shape: [Int]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 8, UInt8(shape.count)]
        for size in shape { bytes += (0..<4).map { UInt8(UInt32(size) >> (24 - 8 * $0) & 0xFF) } }
        return bytes
    }

    /// A literal in the fixed Huffman code (RFC 1951 §3.2.6): 8 bits for 0–143, 9 bits for 144–255.
    private static func writeFixedLiteral(_ byte: UInt8, to writer: inout BitWriter) {
        if byte < 144 {
            writer.writeCode(0x30 + Int(byte), bits: 8)
        } else {
            writer.writeCode(0x190 + Int(byte) - 144, bits: 9)
        }
    }
}
