/// Decompression in two steps for contents whose size a header states (an IDX file's dimensions): the
/// first bytes alone, then exactly the stated size, inflated straight into the array that keeps them.
/// A decompression bomb is then stopped where its own header says the data ends.
extension Gzip {
    /// The first bytes that the gzip file `buffer` inflates to, without inflating much further.
    /// - Parameters:
    ///   - buffer: The gzip file.
    ///   - count: How many leading bytes are needed.
    /// - Returns: At least `count` bytes, or all of the contents when they are shorter; `isComplete`
    ///   says the contents ended (every member then passed its CRC-32 and size checks).
    /// - Throws: `GzipError` for corrupt data found before the prefix is complete.
    static func inflatePrefix(_ buffer: UnsafeBufferPointer<UInt8>,
                              count: Int) throws(GzipError) -> (bytes: [UInt8], isComplete: Bool) {
        let output = InflateOutput(capacityHint: 0, limit: count)
        do throws(GzipError) {
            try inflateMembers(buffer, into: output)
            return (output.makeArray(), true)
        } catch .outputTooLarge {
            return (output.makeArray(), false)
        }
    }

    /// Inflates the gzip file `buffer` straight into a new array that may hold `size` bytes.
    /// - Parameters:
    ///   - buffer: The gzip file.
    ///   - size: The most bytes the contents may have.
    /// - Returns: The contents, possibly shorter than `size` (the caller judges a shortfall).
    /// - Throws: `.outputTooLarge(limit: size)` as soon as the contents pass `size`; other `GzipError`s
    ///   for corrupt data.
    static func decompress(_ buffer: UnsafeBufferPointer<UInt8>, atMost size: Int) throws(GzipError) -> [UInt8] {
        var failure: GzipError?
        let bytes = [UInt8](unsafeUninitializedCapacity: InflateOutput.capacity(forLimit: size)) { storage, initialized in
            initialized = 0
            let output = InflateOutput(borrowing: storage, limit: size)
            do throws(GzipError) {
                try inflateMembers(buffer, into: output)
                initialized = output.count
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return bytes
    }
}
