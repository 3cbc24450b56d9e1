/// The byte buffer that DEFLATE decoding writes into, with the most bytes it may hold.
///
/// It always keeps `slack` spare bytes past what a single match can write, so the match copy may
/// move whole 8-byte words without checking the end of the buffer on every word. Its capacity never
/// exceeds `limit + margin`: the decoder checks the limit at least once per `2 × 258` bytes written,
/// so a decompression bomb costs at most the limit, however far it would inflate.
///
/// The storage is either owned and grown geometrically (`init(capacityHint:limit:)`), or a caller's
/// buffer of fixed size (`init(borrowing:limit:)`), so that bytes whose exact count is known up front
/// are inflated straight into the array that keeps them.
final class InflateOutput {
    /// Spare room guaranteed by `reserve(_:)` beyond the requested bytes.
    static let slack = 16
    /// Room past `limit` that decoding may use before it checks the limit: two literals, or a literal
    /// and a 258-byte match, plus the slack.
    static let margin = 2 * 258 + slack

    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// The most bytes the output may hold; decoding past it stops with `GzipError.outputTooLarge`.
    let limit: Int
    private let ownsStorage: Bool
    /// Number of bytes written so far.
    var count = 0

    /// Owned storage for up to `limit` bytes, starting at `capacityHint` (at least 64 KiB, at most
    /// `limit + margin`).
    init(capacityHint: Int, limit: Int) {
        precondition(limit >= 0, "negative output limit \(limit)")
        self.limit = limit
        capacity = min(max(capacityHint, 1 << 16), Int.max - Self.slack) + Self.slack
        capacity = min(capacity, Self.capacity(forLimit: limit))
        base = .allocate(capacity: capacity)
        ownsStorage = true
    }

    /// Writes into `buffer`, which must hold `limit + margin` bytes and outlive decoding.
    init(borrowing buffer: UnsafeMutableBufferPointer<UInt8>, limit: Int) {
        precondition(limit >= 0 && buffer.count >= Self.capacity(forLimit: limit),
                     "a buffer of \(buffer.count) bytes for an output limit of \(limit)")
        self.limit = limit
        base = buffer.baseAddress!
        capacity = buffer.count
        ownsStorage = false
    }

    deinit { if ownsStorage { base.deallocate() } }

    /// The capacity an output of at most `limit` bytes may need: `limit + margin`, saturating.
    static func capacity(forLimit limit: Int) -> Int {
        limit > Int.max - margin ? Int.max : limit + margin
    }

    /// Makes sure `extra` more bytes (plus the slack) fit, growing geometrically up to `limit + margin`.
    /// Callers check the limit first, so a request never needs more.
    func reserve(_ extra: Int) {
        let needed = count + extra + Self.slack
        guard needed > capacity else { return }
        precondition(ownsStorage && needed <= Self.capacity(forLimit: limit),
                     "output of \(capacity) bytes asked for \(needed) (limit \(limit))")
        let doubled = capacity <= Int.max / 2 ? capacity * 2 : Int.max
        let newCapacity = min(max(needed, doubled), Self.capacity(forLimit: limit))
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    /// Copies the bytes written so far into an array.
    func makeArray() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { buffer.baseAddress!.update(from: base, count: count) }
            initialized = count
        }
    }
}
