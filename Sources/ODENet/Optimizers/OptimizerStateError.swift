/// Why an optimiser state could not be loaded.
public enum OptimizerStateError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A required entry is absent.
    case missingEntry(name: String)
    /// An entry is not one this optimiser writes, or names a parameter position past the end.
    case unexpectedEntry(name: String)
    /// A buffer's shape differs from that of the parameter at its position.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// An entry has an impossible value (a negative or fractional step count, a non-finite rate).
    case invalidValue(name: String, reason: String)

    /// A message naming the entry and, for shapes, both shapes.
    public var description: String {
        switch self {
        case .missingEntry(let name): "optimizer state: missing entry '\(name)'"
        case .unexpectedEntry(let name): "optimizer state: unexpected entry '\(name)'"
        case .shapeMismatch(let name, let expected, let found):
            "optimizer state: '\(name)' has shape \(found) but the parameter has shape \(expected)"
        case .invalidValue(let name, let reason): "optimizer state: '\(name)' is invalid: \(reason)"
        }
    }
}
