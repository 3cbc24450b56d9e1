/// Why JSON text could not be parsed, with the byte offset of the problem.
package struct JSONParseError: Error, CustomStringConvertible, Equatable {
    /// Byte offset into the input where the problem was found.
    package let offset: Int
    /// What was expected or found.
    package let reason: String
    /// The file the text came from, when known.
    package var file: String?

    /// "file: reason at byte N".
    package var description: String { "\(file.map { "\($0): " } ?? "")invalid JSON: \(reason) at byte \(offset)" }
}
