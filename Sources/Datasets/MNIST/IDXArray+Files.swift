import FileAccess

/// Reading IDX files from disk, gzip-compressed or not, with memory bounded by what the header
/// announces: the header is read (or inflated) first, its dimensions checked, the exact size of the
/// file derived from them, and only then is the data read — or inflated, stopping as soon as it would
/// pass that size, straight into the array that keeps it.
extension IDXArray {
    /// Reads an IDX file of unsigned bytes, gzip-compressed (gzip magic number or a `.gz` name) or not.
    ///
    /// A compressed file is never inflated past the size its header announces, so a small file that
    /// would inflate to gigabytes costs no more than its header's claim, and that claim is checked
    /// against `elementLimit` and against the most its compressed size can hold before anything large
    /// is allocated.
    ///
    /// - Parameters:
    ///   - path: The file to read.
    ///   - expectedRank: The number of dimensions the file must have, or nil to accept 1 to 4.
    ///   - elementLimit: The most elements the header may announce.
    /// - Throws: `MNISTError` naming `path`: unreadable (missing, a directory), empty, not decompressible,
    ///   a bad header, or data shorter or longer than the header announces.
    public init(contentsOf path: String, expectedRank: Int? = nil,
                elementLimit: Int = IDXArray.defaultElementLimit) throws(MNISTError) {
        try self.init(contentsOf: path, expectedRank: expectedRank, elementLimit: elementLimit) { _ throws(MNISTError) in }
    }

    /// Reads an IDX file as `init(contentsOf:expectedRank:elementLimit:)` does, calling `checkShape`
    /// with the dimensions as soon as the header is known — before the data is read or inflated.
    init(contentsOf path: String, expectedRank: Int?, elementLimit: Int,
         checkShape: ([Int]) throws(MNISTError) -> Void) throws(MNISTError) {
        /// Runs a file operation, reporting its failure as the file being unreadable.
        func access<T>(_ operation: () throws(FileAccessError) -> T) throws(MNISTError) -> T {
            do { return try operation() } catch { throw .unreadable(file: path, reason: error.reason) }
        }
        let file = try access { () throws(FileAccessError) in try ReadableFile(path: path) }
        guard let size = file.size else {  // a pipe or a device: no size to check against
            let bytes = try access { () throws(FileAccessError) in try file.readToEnd() }
            try self.init(contents: bytes, path: path, expectedRank: expectedRank, elementLimit: elementLimit,
                          checkShape: checkShape)
            return
        }
        let prefix = try access { () throws(FileAccessError) in
            try file.read(count: min(size, IDXHeader.maximumByteCount), at: 0)
        }
        if Gzip.hasMagic(prefix) || path.hasSuffix(".gz") {
            guard size > 0 else { throw .truncated(file: path, expectedBytes: 18, actualBytes: 0) }
            let compressed = try access { () throws(FileAccessError) in try file.read(count: size, at: 0) }
            try self.init(compressed: compressed, path: path, expectedRank: expectedRank, elementLimit: elementLimit,
                          checkShape: checkShape)
            return
        }
        let header = try IDXHeader(parsing: prefix, file: path, expectedRank: expectedRank, elementLimit: elementLimit)
        try checkShape(header.shape)
        guard size >= header.fileSize else {
            throw .truncated(file: path, expectedBytes: header.fileSize, actualBytes: size)
        }
        guard size == header.fileSize else {
            throw .unexpectedTrailingBytes(file: path, expectedBytes: header.fileSize, actualBytes: size)
        }
        let elements = try access { () throws(FileAccessError) in
            try file.read(count: header.elementCount, at: header.byteCount)
        }
        guard elements.count == header.elementCount else {  // the file shrank while being read
            throw .truncated(file: path, expectedBytes: header.fileSize, actualBytes: header.byteCount + elements.count)
        }
        self.init(shape: header.shape, elements: elements)
    }

    /// The array in `contents`, the whole file, decompressing it first when it is gzip data.
    private init(contents: [UInt8], path: String, expectedRank: Int?, elementLimit: Int,
                 checkShape: ([Int]) throws(MNISTError) -> Void) throws(MNISTError) {
        if Gzip.hasMagic(contents) || path.hasSuffix(".gz") {
            guard !contents.isEmpty else { throw .truncated(file: path, expectedBytes: 18, actualBytes: 0) }
            try self.init(compressed: contents, path: path, expectedRank: expectedRank, elementLimit: elementLimit,
                          checkShape: checkShape)
        } else {
            let header = try IDXHeader(parsing: contents, file: path, expectedRank: expectedRank, elementLimit: elementLimit)
            try checkShape(header.shape)
            try self.init(header: header, contents: contents, file: path)
        }
    }

    /// The array in the gzip file `compressed`: its header inflated first, then exactly the size the
    /// header announces, straight into the array that becomes `elements`.
    private init(compressed: [UInt8], path: String, expectedRank: Int?, elementLimit: Int,
                 checkShape: ([Int]) throws(MNISTError) -> Void) throws(MNISTError) {
        let result: Result<IDXArray, MNISTError> = compressed.withUnsafeBufferPointer { buffer in
            Result { () throws(MNISTError) -> IDXArray in
                let prefix: (bytes: [UInt8], isComplete: Bool)
                do throws(GzipError) {
                    prefix = try Gzip.inflatePrefix(buffer, count: IDXHeader.maximumByteCount)
                } catch {
                    throw .decompressionFailed(file: path, error)
                }
                let header = try IDXHeader(parsing: prefix.bytes, file: path, expectedRank: expectedRank,
                                           elementLimit: elementLimit)
                try checkShape(header.shape)
                if prefix.isComplete { return try IDXArray(header: header, contents: prefix.bytes, file: path) }
                guard header.fileSize <= Deflate.largestOutput(ofInputSize: buffer.count) else {
                    throw .cannotHoldAnnouncedSize(file: path, expectedBytes: header.fileSize, compressedBytes: buffer.count)
                }
                var bytes: [UInt8]
                do throws(GzipError) {
                    bytes = try Gzip.decompress(buffer, atMost: header.fileSize)
                } catch .outputTooLarge {
                    throw .moreDataThanAnnounced(file: path, expectedBytes: header.fileSize)
                } catch {
                    throw .decompressionFailed(file: path, error)
                }
                guard bytes.count == header.fileSize else {
                    throw .truncated(file: path, expectedBytes: header.fileSize, actualBytes: bytes.count)
                }
                bytes.removeFirst(header.byteCount)  // in place: the array is not copied
                return IDXArray(shape: header.shape, elements: bytes)
            }
        }
        self = try result.get()
    }
}
