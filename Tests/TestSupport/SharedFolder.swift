import Foundation

/// The read-only `shared` folder beside the package checkout (`../shared`): the real MNIST files and
/// the peers' inputs and results. The library never reads it; tests that use it skip without it.
///
/// Its place is derived from this file's path (`<package>/Tests/TestSupport/SharedFolder.swift`), so
/// no test names a machine path.
public enum SharedFolder {
    /// The package root: the folder that holds `Package.swift`.
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared`, relative to the package root (it may not exist).
    public static let root = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

    /// The path of `relativePath` inside the shared folder.
    /// - Parameter relativePath: A path inside the shared folder, such as `data/mnist`.
    /// - Returns: The absolute path, whether or not anything exists there.
    public static func path(_ relativePath: String) -> String {
        root.appendingPathComponent(relativePath).path
    }

    /// Whether the shared folder holds every one of `relativePaths`.
    /// - Parameter relativePaths: Paths inside the shared folder that a test needs.
    /// - Returns: True when all of them exist.
    public static func contains(_ relativePaths: [String]) -> Bool {
        relativePaths.allSatisfy { FileManager.default.fileExists(atPath: path($0)) }
    }

    /// The message of a test that skips because `relativePaths` are absent: what is missing and where
    /// the shared folder was looked for.
    /// - Parameter relativePaths: The paths inside the shared folder that were needed.
    /// - Returns: A sentence naming the missing paths and the expected shared folder.
    public static func absenceMessage(_ relativePaths: [String]) -> String {
        let missing = relativePaths.filter { !FileManager.default.fileExists(atPath: path($0)) }
        return "\(missing.joined(separator: ", ")) not found in the shared folder beside the package "
            + "(\(root.path))"
    }
}
