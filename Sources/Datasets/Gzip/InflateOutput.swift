import Foundation

/// The growable byte buffer that DEFLATE decoding writes into.
///
/// It always keeps `slack` spare bytes past what a single match can write, so the match copy may
/// move whole 8-byte words without checking the end of the buffer on every word.
final class InflateOutput {
    /// Spare room guaranteed by `reserve(_:)` beyond the requested bytes.
    static let slack = 16

    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// Number of bytes written so far.
    var count = 0

    init(capacityHint: Int) {
        capacity = max(capacityHint, 1 << 16) + Self.slack
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// Makes sure `extra` more bytes (plus the slack) fit, growing geometrically.
    func reserve(_ extra: Int) {
        let needed = count + extra + Self.slack
        guard needed > capacity else { return }
        let newCapacity = max(needed, capacity * 2)
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
