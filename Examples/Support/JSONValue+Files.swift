import Foundation
import ODENet

extension JSONValue {
    /// Reads and parses the JSON file at `path`.
    /// - Throws: Foundation's error when the file cannot be read, `JSONParseError` naming the file when
    ///   its text is not JSON.
    package init(contentsOf path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        do throws(JSONParseError) {
            try self.init(parsing: [UInt8](data))
        } catch {
            var named = error
            named.file = path
            throw named
        }
    }

    /// Writes the JSON text (pretty unless `pretty` is false) plus a newline to `path` atomically,
    /// creating the parent directory if needed.
    /// - Throws: Foundation's error when the directory cannot be created, `CheckpointError.ioFailed`
    ///   naming the operation that failed otherwise; an existing file at `path` is then left as it was.
    package func write(to path: String, pretty: Bool = true) throws {
        try AtomicFile.write(Array((serialized(pretty: pretty) + "\n").utf8), to: path, creatingDirectory: true)
    }
}
