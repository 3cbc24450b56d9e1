import Foundation

/// The plain inputs behind `GzipFixtures`, recomputed with the recipes of make_gzip_fixtures.py.
enum FixtureInputs {
    private static let words = ["ode", "adjoint", "solver", "tensor", "spiral", "gradient", "mnist"]

    /// `lines` lines of the form "i i*i%1000 word\n".
    static func text(lines: Int) -> [UInt8] {
        var result: [UInt8] = []
        for i in 0..<lines { result += Array("\(i) \(i * i % 1000) \(words[i % 7])\n".utf8) }
        return result
    }

    /// `count` pseudo-random bytes from a 31-bit linear congruential generator.
    static func random(count: Int, seed: UInt64) -> [UInt8] {
        var x = seed
        return (0..<count).map { _ in
            x = (x &* 1_103_515_245 &+ 12345) % (1 << 31)
            return UInt8((x >> 16) & 0xFF)
        }
    }

    /// Decodes one of the base64 fixture strings.
    static func decode(_ base64: String) -> [UInt8] {
        guard let data = Data(base64Encoded: base64, options: .ignoreUnknownCharacters) else {
            preconditionFailure("fixture is not valid base64")
        }
        return [UInt8](data)
    }
}

/// Writes bits least-significant first, as DEFLATE reads them, to craft streams in tests.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var used = 0

    /// Appends `count` bits of `value`, lowest bit first (header fields and extra bits).
    mutating func write(_ value: Int, bits count: Int) {
        for bit in 0..<count { append(value >> bit & 1) }
    }

    /// Appends a Huffman code of `count` bits, most significant bit first.
    mutating func writeCode(_ code: Int, bits count: Int) {
        for bit in (0..<count).reversed() { append(code >> bit & 1) }
    }

    /// Bits written so far.
    var bitLength: Int { used }

    /// Appends whole bytes; the writer must be at a byte boundary.
    mutating func appendAligned(_ byte: UInt8, count: Int) {
        precondition(used % 8 == 0, "appendAligned at bit \(used)")
        bytes += repeatElement(byte, count: count)
        used += 8 * count
    }

    private mutating func append(_ bit: Int) {
        if used % 8 == 0 { bytes.append(0) }
        bytes[bytes.count - 1] |= UInt8(bit) << (used % 8)
        used += 1
    }
}

/// Helpers to wrap raw DEFLATE data into gzip members in tests.
enum GzipBuilder {
    /// A minimal 10-byte member header with the given flags (payload fields must follow).
    static func header(flags: UInt8 = 0) -> [UInt8] { [0x1F, 0x8B, 8, flags, 0, 0, 0, 0, 0, 3] }

    /// The 8-byte trailer for `plain`: CRC-32 (computed bit by bit here) and size, little-endian.
    static func trailer(for plain: [UInt8]) -> [UInt8] {
        littleEndian(bitwiseCRC32(plain)) + littleEndian(UInt32(truncatingIfNeeded: plain.count))
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(value >> (8 * $0) & 0xFF) } }

    /// Reference CRC-32, one bit at a time, straight from the polynomial definition.
    static func bitwiseCRC32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// The raw DEFLATE payload of a member without optional header fields.
    static func deflatePayload(ofMember member: [UInt8]) -> [UInt8] { Array(member[10..<(member.count - 8)]) }
}
