import Foundation
import ODENet

/// Runs an example's body: an error it throws is printed as "program: error" on standard error and the process
/// exits with status 1.
///
/// - Parameters:
///   - program: The executable's name, for the error line.
///   - body: The example.
@MainActor
public func runExample(_ program: String, _ body: @MainActor () throws -> Void) {
    do {
        try body()
    } catch {
        FileHandle.standardError.write(Data("\(program): \(error)\n".utf8))
        exit(1)
    }
}

extension JSONValue {
    /// Writes this summary to `path` and prints where.
    ///
    /// - Parameter path: The file (its folder is created).
    /// - Throws: What writing the file throws.
    public func writeSummary(to path: String) throws {
        try write(to: path)
        print("summary: \(path)")
    }
}
