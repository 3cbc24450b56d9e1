/// A two-level lookup table that decodes one canonical Huffman code of DEFLATE (RFC 1951 §3.2.2).
///
/// DEFLATE packs Huffman codes starting from their most significant bit into a stream read from the
/// least significant bit, so the table is indexed by the next `rootBits` stream bits, i.e. by the
/// bit-reversed code. Codes longer than `rootBits` continue in a subtable. Each 32-bit entry packs:
/// bits 0–15 the value (literal byte, length or distance base, or subtable offset), bits 16–19 the code
/// length to consume (for a subtable link: the subtable's index width), bits 20–23 the count of extra
/// bits that follow the code, and bits 24–26 the entry kind.
struct HuffmanTable {
    /// Which DEFLATE alphabet a table decodes, which decides what its entries hold.
    enum Alphabet {
        /// Literal bytes, end of block, and match lengths (symbols 0–287).
        case literalLength
        /// Match distances (symbols 0–31).
        case distance
        /// The code-length alphabet of a dynamic block header (symbols 0–18).
        case codeLength
    }

    static let kindInvalid: UInt32 = 0
    static let kindLiteral: UInt32 = 1
    static let kindLength: UInt32 = 2
    static let kindEndOfBlock: UInt32 = 3
    static let kindSubtable: UInt32 = 4
    static let kindValue: UInt32 = 5
    /// The entry of a bit pattern no code of the table starts with: kind invalid, nothing to consume.
    static let invalidEntry: UInt32 = kindInvalid << 24

    /// Base match length and extra-bit count for length symbols 257–285.
    static let lengthCodes: [(base: UInt32, extra: UInt32)] = {
        var codes: [(base: UInt32, extra: UInt32)] = []
        var base: UInt32 = 3
        for index in 0..<28 {
            let extra = UInt32(index < 8 ? 0 : (index - 4) / 4)
            codes.append((base, extra))
            base += 1 << extra
        }
        codes.append((258, 0))
        return codes
    }()

    /// Base distance and extra-bit count for distance symbols 0–29.
    static let distanceCodes: [(base: UInt32, extra: UInt32)] = {
        var codes: [(base: UInt32, extra: UInt32)] = []
        var base: UInt32 = 1
        for index in 0..<30 {
            let extra = UInt32(index < 4 ? 0 : (index - 2) / 2)
            codes.append((base, extra))
            base += 1 << extra
        }
        return codes
    }()

    /// Number of stream bits that index the root table.
    let rootBits: Int
    /// Root table followed by subtables; `capacity` entries are allocated.
    let entries: UnsafeMutablePointer<UInt32>
    private let capacity: Int

    /// Allocates room for a code over at most `maxSymbols` symbols with codes up to 15 bits.
    init(rootBits: Int, maxSymbols: Int) {
        self.rootBits = rootBits
        capacity = (1 << rootBits) + maxSymbols << max(0, 15 - rootBits)
        entries = .allocate(capacity: capacity)
        entries.initialize(repeating: Self.invalidEntry, count: capacity)
    }

    /// Frees the entries; the table must not be used afterwards.
    func deallocate() { entries.deallocate() }

    /// Fills the table from per-symbol code lengths (0 = unused symbol).
    ///
    /// Rejects over-subscribed codes. Incomplete codes are accepted (RFC 1951 allows a single distance
    /// code); their unused bit patterns stay invalid entries and fail when a stream uses them.
    /// - Returns: nil on success, otherwise why the lengths do not describe a prefix code.
    func build(lengths: UnsafeBufferPointer<UInt8>, alphabet: Alphabet) -> String? {
        var counts = [Int](repeating: 0, count: 16)
        for length in lengths { counts[Int(length)] += 1 }
        counts[0] = 0
        var left = 1
        for length in 1...15 {
            left = (left << 1) - counts[length]
            if left < 0 { return "over-subscribed code lengths for the \(alphabet) alphabet" }
        }
        var offsets = [Int](repeating: 0, count: 17)
        for length in 1...15 { offsets[length + 1] = offsets[length] + counts[length] }
        var sorted = [Int](repeating: 0, count: offsets[16])
        for (symbol, length) in lengths.enumerated() where length != 0 {
            sorted[offsets[Int(length)]] = symbol
            offsets[Int(length)] += 1
        }

        let rootSize = 1 << rootBits
        let rootMask = rootSize - 1
        entries.update(repeating: Self.invalidEntry, count: rootSize)
        var remaining = counts
        var code = 0, codeLength = 0
        var nextFree = rootSize, subtableStart = 0, subtableBits = 0, currentPrefix = -1
        for symbol in sorted {
            let length = Int(lengths[symbol])
            if length > codeLength { code <<= length - codeLength; codeLength = length }
            let reversed = Self.reverse(code, bits: length)
            let entry = Self.entry(symbol: symbol, length: length, alphabet: alphabet)
            if length <= rootBits {
                var index = reversed
                while index < rootSize { entries[index] = entry; index += 1 << length }
            } else {
                let prefix = reversed & rootMask
                if prefix != currentPrefix {
                    subtableBits = Self.subtableBits(forLength: length, rootBits: rootBits, remaining: remaining)
                    subtableStart = nextFree
                    nextFree += 1 << subtableBits
                    precondition(nextFree <= capacity, "Huffman subtables exceed their bound")
                    entries.advanced(by: subtableStart).update(repeating: Self.invalidEntry, count: 1 << subtableBits)
                    entries[prefix] = Self.kindSubtable << 24 | UInt32(subtableBits) << 16 | UInt32(subtableStart)
                    currentPrefix = prefix
                }
                var index = reversed >> rootBits
                while index < 1 << subtableBits {
                    entries[subtableStart + index] = entry
                    index += 1 << (length - rootBits)
                }
            }
            remaining[length] -= 1
            code += 1
        }
        return nil
    }

    /// Width of a subtable that starts with a code of `length` bits: grow it while the codes still to
    /// be placed would fill it (the same accounting zlib's `inflate_table` documents).
    private static func subtableBits(forLength length: Int, rootBits: Int, remaining: [Int]) -> Int {
        var bits = length - rootBits
        var left = 1 << bits
        while bits + rootBits < 15 {
            left -= remaining[bits + rootBits]
            if left <= 0 { break }
            bits += 1
            left <<= 1
        }
        return bits
    }

    private static func reverse(_ code: Int, bits: Int) -> Int {
        var result = 0, value = code
        for _ in 0..<bits { result = result << 1 | value & 1; value >>= 1 }
        return result
    }

    private static func entry(symbol: Int, length: Int, alphabet: Alphabet) -> UInt32 {
        let lengthField = UInt32(length) << 16
        switch alphabet {
        case .codeLength:
            return kindValue << 24 | lengthField | UInt32(symbol)
        case .distance:
            guard symbol < 30 else { return lengthField }  // symbols 30, 31 never occur in valid data
            let code = distanceCodes[symbol]
            return kindValue << 24 | code.extra << 20 | lengthField | code.base
        case .literalLength:
            if symbol < 256 { return kindLiteral << 24 | lengthField | UInt32(symbol) }
            if symbol == 256 { return kindEndOfBlock << 24 | lengthField }
            guard symbol < 286 else { return lengthField }  // symbols 286, 287 never occur
            let code = lengthCodes[symbol - 257]
            return kindLength << 24 | code.extra << 20 | lengthField | code.base
        }
    }
}
