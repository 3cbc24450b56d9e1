#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes the entries of a directory durable: after a file is renamed into a directory, the rename
/// survives a power loss only once the directory itself is synced (POSIX leaves it to the directory's
/// `fsync`; Linux and the BSDs honour it).
package enum DirectorySync {
    /// Flushes the directory `path` to disk. File systems that cannot sync a directory (EINVAL,
    /// ENOTSUP) are not an error: they give no stronger promise to ask for.
    /// - Parameter path: The directory to sync.
    /// - Throws: `.failed` when the directory cannot be opened or the sync fails otherwise.
    package static func sync(_ path: String) throws(FileAccessError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .lastError("open directory") }
        defer { close(descriptor) }
        if fsync(descriptor) != 0, errno != EINVAL, errno != ENOTSUP, errno != EOPNOTSUPP {
            throw .lastError("fsync directory")
        }
    }
}
