/// Huffman-coded blocks: the dynamic table header and the literal/match decoding loop.
extension Inflater {
    /// Order in which a dynamic header lists the code-length code lengths (RFC 1951 §3.2.7).
    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// Reads a dynamic block header and builds its literal/length and distance tables.
    mutating func readDynamicTables() throws(GzipError) {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeLengthCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else {
            throw .invalidHuffmanCode(offset: bytePosition,
                                      detail: "\(literalCount) literal/length and \(distanceCount) distance codes")
        }
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for index in 0..<codeLengthCount {
            codeLengthLengths[Self.codeLengthOrder[index]] = UInt8(try bits(3))
        }
        try build(codeLengthTable, codeLengthLengths, .codeLength)

        let total = literalCount + distanceCount
        var lengths = [UInt8](repeating: 0, count: total)
        var index = 0
        while index < total {
            try refill()
            let entry = codeLengthTable.entries[Int(bitBuffer & 0x7F)]
            guard entry >> 24 == HuffmanTable.kindValue else {
                throw .invalidHuffmanCode(offset: bytePosition, detail: "unused code in the code-length code")
            }
            let length = Int(entry >> 16 & 0xF)
            bitBuffer >>= UInt64(length)
            bitCount -= length
            let symbol = UInt8(entry & 0xFF)
            var repeated: UInt8 = 0
            var repeatCount = 1
            switch symbol {
            case 0..<16: repeated = symbol
            case 16:
                guard index > 0 else {
                    throw .invalidHuffmanCode(offset: bytePosition, detail: "length repeat with no previous length")
                }
                repeated = lengths[index - 1]
                repeatCount = 3 + (try bits(2))
            case 17: repeatCount = 3 + (try bits(3))
            default: repeatCount = 11 + (try bits(7))
            }
            guard index + repeatCount <= total else {
                throw .invalidHuffmanCode(offset: bytePosition, detail: "code lengths run past \(total) symbols")
            }
            for _ in 0..<repeatCount { lengths[index] = repeated; index += 1 }
        }
        guard lengths[256] != 0 else {
            throw .invalidHuffmanCode(offset: bytePosition, detail: "no code for end-of-block")
        }
        try build(literalTable, Array(lengths[0..<literalCount]), .literalLength)
        try build(distanceTable, Array(lengths[literalCount...]), .distance)
        tablesHoldFixedCodes = false
    }

    private func build(_ table: HuffmanTable, _ lengths: [UInt8],
                       _ alphabet: HuffmanTable.Alphabet) throws(GzipError) {
        if let problem = lengths.withUnsafeBufferPointer({ table.build(lengths: $0, alphabet: alphabet) }) {
            throw .invalidHuffmanCode(offset: bytePosition, detail: problem)
        }
    }

    /// Decodes literals and matches with the current tables until the end-of-block symbol.
    ///
    /// The loop keeps the bit buffer, input and output cursors in locals so they stay in registers
    /// (stores through the output pointer could otherwise alias `self`). A refill leaves at least 56
    /// bits: enough for two literal codes (≤ 15 bits each), or for a length code; a match refills
    /// again before its extra bits and distance (at most 5 + 15 + 13 bits).
    mutating func decodeCompressedBlock() throws(GzipError) {
        let literals = literalTable.entries, distances = distanceTable.entries
        let literalRoot = UInt64(literalTable.rootBits), distanceRoot = UInt64(distanceTable.rootBits)
        let literalMask: UInt64 = (1 << literalRoot) - 1, distanceMask: UInt64 = (1 << distanceRoot) - 1
        let input = self.input, inputCount = self.inputCount
        var out = output.base
        var outCount = output.count
        var outLimit = output.capacity - 2 * 258 - InflateOutput.slack
        var buffer = bitBuffer, count = bitCount, position = self.position
        defer {
            output.count = outCount
            (bitBuffer, bitCount, self.position) = (buffer, count, position)
        }

        @inline(__always) func refill() throws(GzipError) {
            if position + 8 <= inputCount {
                let word = UnsafeRawPointer(input + position).loadUnaligned(as: UInt64.self)
                buffer |= UInt64(littleEndian: word) << UInt64(count)
                position += (63 - count) >> 3
                count |= 56
            } else {
                (bitBuffer, bitCount, self.position) = (buffer, count, position)
                try refillNearEnd()
                (buffer, count, position) = (bitBuffer, bitCount, self.position)
            }
        }

        @inline(__always) func decodeLiteralOrLength() -> UInt32 {
            var entry = literals[Int(buffer & literalMask)]
            if entry >> 24 == HuffmanTable.kindSubtable {
                let width = UInt64(entry >> 16 & 0xF)
                entry = literals[Int(entry & 0xFFFF) + Int((buffer >> literalRoot) & ((1 << width) - 1))]
            }
            let codeLength = UInt64(entry >> 16 & 0xF)
            buffer >>= codeLength
            count -= Int(codeLength)
            return entry
        }

        while true {
            if outCount > outLimit {
                guard outCount <= output.limit else { throw .outputTooLarge(limit: output.limit) }
                output.count = outCount
                output.reserve(2 * 258)
                out = output.base
                outLimit = output.capacity - 2 * 258 - InflateOutput.slack
            }
            try refill()
            var entry = decodeLiteralOrLength()
            if entry >> 24 == HuffmanTable.kindLiteral {
                out[outCount] = UInt8(truncatingIfNeeded: entry)
                outCount += 1
                entry = decodeLiteralOrLength()
                if entry >> 24 == HuffmanTable.kindLiteral {
                    out[outCount] = UInt8(truncatingIfNeeded: entry)
                    outCount += 1
                    continue
                }
            }
            guard entry >> 24 == HuffmanTable.kindLength else {
                if entry >> 24 == HuffmanTable.kindEndOfBlock { return }
                (bitBuffer, bitCount, self.position) = (buffer, count, position)
                throw .invalidHuffmanCode(offset: bytePosition, detail: "unused literal/length code")
            }
            try refill()
            let lengthExtra = UInt64(entry >> 20 & 0xF)
            let length = Int(entry & 0xFFFF) + Int(buffer & ((1 << lengthExtra) - 1))
            buffer >>= lengthExtra

            var distanceEntry = distances[Int(buffer & distanceMask)]
            if distanceEntry >> 24 == HuffmanTable.kindSubtable {
                let width = UInt64(distanceEntry >> 16 & 0xF)
                distanceEntry = distances[Int(distanceEntry & 0xFFFF) + Int((buffer >> distanceRoot) & ((1 << width) - 1))]
            }
            guard distanceEntry >> 24 == HuffmanTable.kindValue else {
                (bitBuffer, bitCount, self.position) = (buffer, count, position)
                throw .invalidHuffmanCode(offset: bytePosition, detail: "unused distance code")
            }
            let distanceLength = UInt64(distanceEntry >> 16 & 0xF)
            buffer >>= distanceLength
            let distanceExtra = UInt64(distanceEntry >> 20 & 0xF)
            let distance = Int(distanceEntry & 0xFFFF) + Int(buffer & ((1 << distanceExtra) - 1))
            buffer >>= distanceExtra
            count -= Int(lengthExtra + distanceLength + distanceExtra)
            guard distance <= outCount else {
                (bitBuffer, bitCount, self.position) = (buffer, count, position)
                throw .distanceTooFarBack(offset: bytePosition, distance: distance, available: outCount)
            }
            Self.copyMatch(to: out + outCount, distance: distance, length: length)
            outCount += length
        }
    }

    /// Copies `length` bytes from `distance` bytes back; may write up to 7 bytes past the end.
    @inline(__always)
    private static func copyMatch(to destination: UnsafeMutablePointer<UInt8>, distance: Int, length: Int) {
        let source = destination - distance
        if distance >= 8 {
            var offset = 0
            repeat {
                let word = UnsafeRawPointer(source + offset).loadUnaligned(as: UInt64.self)
                UnsafeMutableRawPointer(destination + offset).storeBytes(of: word, as: UInt64.self)
                offset += 8
            } while offset < length
        } else if distance == 1 {
            destination.update(repeating: source.pointee, count: length)
        } else {
            for offset in 0..<length { destination[offset] = source[offset] }
        }
    }
}
