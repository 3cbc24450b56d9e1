/// A user-facing failure with a message.
public struct ExampleError: Error, CustomStringConvertible {
    /// The message.
    public let description: String
    /// Wraps a message.
    public init(_ description: String) { self.description = description }
}
