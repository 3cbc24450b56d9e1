/// A DEFLATE (RFC 1951) decoder over an input buffer that stays alive while it runs.
///
/// Bits are read least-significant first through a 64-bit buffer refilled eight bytes at a time.
/// Near the end of the input, refills pad with zero bytes; consuming any padding bit is reported as
/// truncated input rather than as whatever the zeros happen to decode to.
struct Inflater {
    let input: UnsafePointer<UInt8>
    let inputCount: Int
    /// Next input byte to load into the bit buffer (may pass `inputCount` by zero padding).
    var position: Int
    var bitBuffer: UInt64 = 0
    var bitCount = 0
    let output: InflateOutput
    let literalTable = HuffmanTable(rootBits: 10, maxSymbols: 288)
    let distanceTable = HuffmanTable(rootBits: 8, maxSymbols: 32)
    let codeLengthTable = HuffmanTable(rootBits: 7, maxSymbols: 19)
    /// Which code the literal and distance tables currently hold (rebuild fixed codes only when needed).
    var tablesHoldFixedCodes = false
    /// Name of the container part for truncation messages.
    let part: String

    init(input: UnsafeBufferPointer<UInt8>, start: Int, output: InflateOutput, part: String = "deflate stream") {
        self.input = input.baseAddress ?? UnsafePointer(bitPattern: 1)!
        inputCount = input.count
        position = start
        self.output = output
        self.part = part
    }

    /// Frees the decoding tables.
    func deallocate() {
        literalTable.deallocate()
        distanceTable.deallocate()
        codeLengthTable.deallocate()
    }

    /// Whether bits beyond the end of the input have been consumed.
    var hasOverrun: Bool { position * 8 - bitCount > inputCount * 8 }

    /// Approximate input offset of the next unread bit, for error messages.
    var bytePosition: Int { min(inputCount, position - bitCount / 8) }

    var truncation: GzipError { .truncatedInput(part: part, offset: inputCount, inputSize: inputCount) }

    /// Tops the bit buffer up to at least 56 bits.
    @inline(__always)
    mutating func refill() throws(GzipError) {
        if position + 8 <= inputCount {
            let word = UnsafeRawPointer(input + position).loadUnaligned(as: UInt64.self)
            bitBuffer |= UInt64(littleEndian: word) << UInt64(bitCount)
            position += (63 - bitCount) >> 3
            bitCount |= 56
        } else {
            try refillNearEnd()
        }
    }

    @inline(never)
    mutating func refillNearEnd() throws(GzipError) {
        if hasOverrun { throw truncation }
        while bitCount <= 56 {
            let byte = position < inputCount ? input[position] : 0
            bitBuffer |= UInt64(byte) << UInt64(bitCount)
            position += 1
            bitCount += 8
        }
    }

    /// Reads `count` (≤ 32) bits as an integer, first bit in the least significant place.
    mutating func bits(_ count: Int) throws(GzipError) -> Int {
        if bitCount < count { try refill() }
        let value = Int(bitBuffer & ((1 << UInt64(count)) - 1))
        bitBuffer >>= UInt64(count)
        bitCount -= count
        return value
    }

    /// Drops bits up to the next byte boundary and hands whole buffered bytes back to the input.
    mutating func alignToByte() throws(GzipError) {
        if hasOverrun { throw truncation }
        position -= bitCount >> 3
        bitBuffer = 0
        bitCount = 0
    }

    /// Decodes one complete DEFLATE stream; afterwards `position` is the byte after its last block.
    mutating func inflateStream() throws(GzipError) {
        do throws(GzipError) {
            var isFinal = false
            while !isFinal {
                let header = try bits(3)
                isFinal = header & 1 == 1
                switch header >> 1 {
                case 0: try copyStoredBlock()
                case 1:
                    if !tablesHoldFixedCodes { buildFixedTables() }
                    try decodeCompressedBlock()
                case 2:
                    try readDynamicTables()
                    try decodeCompressedBlock()
                default:
                    throw GzipError.invalidBlockType(offset: bytePosition, type: 3)
                }
            }
            try alignToByte()
            guard output.count <= output.limit else { throw GzipError.outputTooLarge(limit: output.limit) }
        } catch {
            throw hasOverrun || position > inputCount ? truncation : error
        }
    }

    private mutating func copyStoredBlock() throws(GzipError) {
        try alignToByte()
        guard position + 4 <= inputCount else { throw truncation }
        let length = UInt16(input[position]) | UInt16(input[position + 1]) << 8
        let complement = UInt16(input[position + 2]) | UInt16(input[position + 3]) << 8
        guard length == ~complement else {
            throw .invalidStoredLength(offset: position, length: length, complement: complement)
        }
        position += 4
        guard position + Int(length) <= inputCount else { throw truncation }
        // Past the limit, copy what fits first: a caller that reads a prefix gets every byte up to it.
        let room = max(0, output.limit - output.count)
        let copied = min(Int(length), room)
        output.reserve(copied)
        (output.base + output.count).update(from: input + position, count: copied)
        output.count += copied
        guard copied == Int(length) else { throw .outputTooLarge(limit: output.limit) }
        position += Int(length)
    }

    private mutating func buildFixedTables() {
        var lengths = [UInt8](repeating: 8, count: 288)
        for symbol in 144..<256 { lengths[symbol] = 9 }
        for symbol in 256..<280 { lengths[symbol] = 7 }
        let distances = [UInt8](repeating: 5, count: 32)
        let literalProblem = lengths.withUnsafeBufferPointer { literalTable.build(lengths: $0, alphabet: .literalLength) }
        let distanceProblem = distances.withUnsafeBufferPointer { distanceTable.build(lengths: $0, alphabet: .distance) }
        precondition(literalProblem == nil && distanceProblem == nil, "fixed Huffman codes are complete")
        tablesHoldFixedCodes = true
    }
}
