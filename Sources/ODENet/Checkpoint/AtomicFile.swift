import Foundation

/// Writes files so that readers see either the old contents or the complete new ones, never a mix.
///
/// The package's one atomic writer: checkpoints, and the examples' summaries and figures, use it.
package enum AtomicFile {
    /// Writes `bytes` to a temporary file in the destination's directory, flushes it to disk, then
    /// renames it over `path`. On any failure the temporary file is removed and `path` is untouched.
    /// - Parameters:
    ///   - bytes: The new contents.
    ///   - path: The file to replace or create.
    ///   - creatingDirectory: Whether to create the parent directory (and its parents) when missing.
    /// - Throws: `CheckpointError.ioFailed` naming the path and the operation that failed.
    package static func write(_ bytes: [UInt8], to path: String,
                              creatingDirectory: Bool = false) throws(CheckpointError) {
        let directory = (path as NSString).deletingLastPathComponent
        if creatingDirectory, !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw .ioFailed(file: path, operation: "create directory \(directory)", reason: error.localizedDescription)
            }
        }
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
    /// - Throws: `CheckpointError.ioFailed` naming the path.
    package static func read(_ path: String) throws(CheckpointError) -> [UInt8] {
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
