#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for reading, with the checks every reader of an untrusted file needs first: a
/// directory is refused by name, and the size of a regular file is known before anything is allocated.
/// The descriptor is closed when the value is released.
package final class ReadableFile {
    /// The path the file was opened with.
    package let path: String
    /// The size in bytes when the file was opened, for a regular file; nil for pipes and devices.
    package let size: Int?
    private let descriptor: Int32

    /// Opens `path` for reading.
    /// - Parameter path: The file to open.
    /// - Throws: `.isDirectory` for a directory; `.failed` with the system's reason otherwise.
    package init(path: String) throws(FileAccessError) {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .lastError("open") }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let error = FileAccessError.lastError("stat")
            close(descriptor)
            throw error
        }
        let type = status.st_mode & S_IFMT
        guard type != S_IFDIR else {
            close(descriptor)
            throw .isDirectory
        }
        size = type == S_IFREG ? Int(status.st_size) : nil
    }

    deinit { close(descriptor) }

    /// Reads until `buffer` is full or the file ends, from the current position or, when `offset` is
    /// given, from that offset of a regular file (the current position then stays where it was).
    /// - Parameters:
    ///   - buffer: Where the bytes go.
    ///   - offset: The byte to start at, or nil for the current position.
    /// - Returns: The number of bytes read; less than `buffer.count` only at the end of the file.
    /// - Throws: `.failed` when the system refuses the read.
    package func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int? = nil) throws(FileAccessError) -> Int {
        var filled = 0
        while filled < buffer.count {
            let destination = buffer.baseAddress! + filled, wanted = buffer.count - filled
            let result = offset.map { pread(descriptor, destination, wanted, off_t($0 + filled)) }
                ?? systemRead(descriptor, destination, wanted)
            if result < 0 {
                if errno == EINTR { continue }
                throw .lastError("read")
            }
            if result == 0 { break }
            filled += result
        }
        return filled
    }

    /// Reads `count` bytes into a new array, or fewer at the end of the file, from the current position
    /// or from `offset` of a regular file.
    /// - Parameters:
    ///   - count: The most bytes to read.
    ///   - offset: The byte to start at, or nil for the current position.
    /// - Returns: The bytes, read straight into the array's storage.
    /// - Throws: `.failed` when the system refuses the read.
    package func read(count: Int, at offset: Int? = nil) throws(FileAccessError) -> [UInt8] {
        var failure: FileAccessError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(FileAccessError) {
                initialized = try read(into: UnsafeMutableRawBufferPointer(buffer), at: offset)
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Reads everything from the current position to the end of the file.
    /// - Returns: The bytes; a regular file that does not grow meanwhile is read in one piece.
    /// - Throws: `.failed` when the system refuses the read.
    package func readToEnd() throws(FileAccessError) -> [UInt8] {
        // One byte more than the size, to see the end of the file in the same read.
        var requested = (size ?? 0) + 1
        var bytes = try read(count: requested)
        var received = bytes.count
        while received == requested {  // the file is longer than its size said (or is a pipe)
            requested = max(bytes.count, 1 << 16)
            let more = try read(count: requested)
            bytes += more
            received = more.count
        }
        return bytes
    }
}

/// The C library's `read`, which the method of the same name hides inside `ReadableFile`.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

extension FileAccessError {
    /// The failure of `operation`, with the message of the current `errno`.
    static func lastError(_ operation: String) -> FileAccessError {
        .failed(operation: operation, reason: String(cString: strerror(errno)))
    }
}
