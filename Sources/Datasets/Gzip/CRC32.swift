/// The CRC-32 checksum used by gzip, zip and PNG (reflected polynomial 0xEDB88320).
///
/// Uses the slicing-by-8 method: eight 256-entry tables let the loop fold eight input bytes per
/// iteration, which is several times faster than the classic byte-at-a-time table.
public struct CRC32: Sendable {
    /// The checksum of all bytes fed so far.
    public private(set) var value: UInt32 = 0

    /// Creates a checksum of no bytes (value 0).
    public init() {}

    /// Returns the CRC-32 of `bytes`.
    ///
    /// - Parameter bytes: The data.
    /// - Returns: The CRC-32 (IEEE 802.3 polynomial, as gzip uses).
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32()
        bytes.withUnsafeBufferPointer { crc.update($0) }
        return crc.value
    }

    /// Feeds `bytes` into the checksum.
    ///
    /// - Parameter bytes: The next bytes of the data.
    public mutating func update(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        value = CRC32Tables.shared.withUnsafeBufferPointer { table in
            Self.fold(~value, base, bytes.count, table.baseAddress!)
        }
    }

    @inline(__always)
    private static func fold(_ start: UInt32, _ p: UnsafePointer<UInt8>, _ count: Int,
                             _ t: UnsafePointer<UInt32>) -> UInt32 {
        var crc = start
        var i = 0
        while i + 8 <= count {
            let raw = UnsafeRawPointer(p + i)
            let lo = UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)) ^ crc
            let hi = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            crc = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
            i += 8
        }
        while i < count {
            crc = t[Int((crc ^ UInt32(p[i])) & 0xFF)] ^ (crc >> 8)
            i += 1
        }
        return ~crc
    }
}

/// The eight slicing tables, built once (table k maps a byte to its CRC after k more zero bytes).
private enum CRC32Tables {
    static let shared: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            table[n] = c
        }
        for k in 1..<8 {
            for n in 0..<256 {
                let previous = table[(k - 1) * 256 + n]
                table[k * 256 + n] = table[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return table
    }()
}
