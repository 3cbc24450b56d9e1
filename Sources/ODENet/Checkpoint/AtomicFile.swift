import Foundation

/// Writes files so that readers see either the old contents or the complete new ones, never a mix.
enum AtomicFile {
    /// Writes `bytes` to a temporary file in the destination's directory, flushes it to disk, then
    /// renames it over `path`. On any failure the temporary file is removed and `path` is untouched.
    static func write(_ bytes: [UInt8], to path: String) throws(CheckpointError) {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure(path, "create temporary file \(temporary)") }
        var written = 0
        let status: CheckpointError? = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let result = Foundation.write(descriptor, raw.baseAddress! + written, raw.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return failure(path, "write")
                }
                written += result
            }
            return fsync(descriptor) == 0 ? nil : failure(path, "fsync")
        }
        close(descriptor)
        if let status {
            unlink(temporary)
            throw status
        }
        guard rename(temporary, path) == 0 else {
            let error = failure(path, "rename from \(temporary)")
            unlink(temporary)
            throw error
        }
    }

    /// Reads the whole file at `path`.
    static func read(_ path: String) throws(CheckpointError) -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe))
        } catch {
            throw .ioFailed(file: path, operation: "read", reason: error.localizedDescription)
        }
    }

    private static func failure(_ path: String, _ operation: String) -> CheckpointError {
        .ioFailed(file: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}

extension SafetensorsFile {
    /// Reads and validates the safetensors file at `path` (errors name the path).
    public init(contentsOf path: String) throws(CheckpointError) {
        try self.init(decoding: try AtomicFile.read(path), origin: path)
    }

    /// Writes the encoded file to `path` atomically: a temporary file in the same directory is
    /// written and synced, then renamed into place, so a failure leaves any existing file intact.
    public func write(to path: String) throws(CheckpointError) {
        try AtomicFile.write(encoded(), to: path)
    }
}
