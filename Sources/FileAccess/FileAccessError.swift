/// Why a file could not be opened, read or synced.
package enum FileAccessError: Error, Equatable, Sendable {
    /// The path names a directory where a file is expected.
    case isDirectory
    /// A system call failed; `reason` is the operating system's message (`strerror`).
    case failed(operation: String, reason: String)

    /// A phrase for an error message: "it is a directory, not a file" or "open failed: No such file or directory".
    package var reason: String {
        switch self {
        case .isDirectory: "it is a directory, not a file"
        case let .failed(operation, reason): "\(operation) failed: \(reason)"
        }
    }
}
