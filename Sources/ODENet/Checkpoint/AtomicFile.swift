import Foundation
import FileAccess

/// Writes files so that readers see either the old contents or the complete new ones, never a mix.
///
/// The package's one atomic writer: checkpoints, and the examples' summaries and figures, use it.
/// A write goes to `.<name>.tmp-<pid>-<random>` beside the destination, is synced, renamed over the
/// destination, and the directory is synced so that the rename survives a power loss. A writer killed
/// before its rename leaves its temporary behind; the next write of the same file removes those of
/// writers that no longer exist (`removeAbandonedTemporaries`).
package enum AtomicFile {
    /// Writes `bytes` to a temporary file in the destination's directory, flushes it to disk, renames
    /// it over `path` and syncs the directory. On any failure the temporary file is removed and `path`
    /// is untouched. Temporaries of earlier writes of `path` whose writer has exited are removed first.
    /// - Parameters:
    ///   - bytes: The new contents.
    ///   - path: The file to replace or create.
    ///   - creatingDirectory: Whether to create the parent directory (and its parents) when missing.
    /// - Throws: `CheckpointError.ioFailed` naming the path and the operation that failed.
    package static func write(_ bytes: [UInt8], to path: String,
                              creatingDirectory: Bool = false) throws(CheckpointError) {
        let parent = (path as NSString).deletingLastPathComponent
        if creatingDirectory, !parent.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw .ioFailed(file: path, operation: "create directory \(parent)", reason: error.localizedDescription)
            }
        }
        let directory = parent.isEmpty ? "." : parent
        let prefix = temporaryPrefix(of: path)
        removeAbandonedTemporaries(withPrefix: prefix, in: directory)
        let temporary = directory + "/" + prefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
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
        do throws(FileAccessError) {
            try DirectorySync.sync(directory)
        } catch {
            throw .ioFailed(file: path, operation: "sync of directory \(directory) after the rename", reason: error.reason)
        }
    }

    /// Reads the whole file at `path`.
    /// - Throws: `CheckpointError.ioFailed` naming the path and what is wrong (missing, a directory, …).
    package static func read(_ path: String) throws(CheckpointError) -> [UInt8] {
        do throws(FileAccessError) {
            return try ReadableFile(path: path).readToEnd()
        } catch {
            throw .ioFailed(file: path, operation: "read", reason: error.reason)
        }
    }

    /// The name of `path`'s temporaries up to the writer's pid: `.<name>.tmp-`.
    static func temporaryPrefix(of path: String) -> String {
        ".\((path as NSString).lastPathComponent).tmp-"
    }

    /// Removes the files `<prefix><pid>-<digits>` in `directory` whose writer `pid` is no longer a
    /// running process: temporaries left by a writer killed before its rename. A living writer's file,
    /// any other name, and this process's own files are kept. Failures are ignored: a temporary that
    /// cannot be removed now is tried again on the next write.
    ///
    /// Only a write calls this, never a read: a load must not change a directory it only reads (another
    /// process may own it and be writing there).
    static func removeAbandonedTemporaries(withPrefix prefix: String, in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix) {
            let parts = name.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
                  let pid = pid_t(parts[0]), pid > 0, !isRunning(pid) else { continue }
            unlink(directory + "/" + name)
        }
    }

    /// Whether a process `pid` exists (signal 0 checks without sending; EPERM means it exists but
    /// belongs to another user). This process counts as running.
    private static func isRunning(_ pid: pid_t) -> Bool {
        pid == getpid() || kill(pid, 0) == 0 || errno == EPERM
    }

    private static func failure(_ path: String, _ operation: String) -> CheckpointError {
        .ioFailed(file: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}
