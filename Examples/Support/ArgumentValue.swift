/// A type an option's value can be parsed into from command-line text.
public protocol ArgumentValue {
    /// The value for `text`, or nil when `text` is not a valid spelling.
    init?(argument text: String)
    /// How the value is shown in usage text (and for defaults).
    var argumentDescription: String { get }
    /// A placeholder for usage text, such as `<int>`.
    static var valuePlaceholder: String { get }
}

extension Int: ArgumentValue {
    /// Parses a decimal integer (underscores allowed: `60_000`).
    public init?(argument text: String) { self.init(text.replacingOccurrences(of: "_", with: "")) }
    /// The decimal spelling.
    public var argumentDescription: String { String(self) }
    /// `<int>`.
    public static var valuePlaceholder: String { "<int>" }
}

extension Double: ArgumentValue {
    /// Parses a decimal or scientific number such as `1e-3`.
    public init?(argument text: String) {
        guard let value = Double(text), value.isFinite else { return nil }
        self = value
    }
    /// The shortest spelling that reads back to the same value.
    public var argumentDescription: String { "\(self)" }
    /// `<number>`.
    public static var valuePlaceholder: String { "<number>" }
}

extension String: ArgumentValue {
    /// Any text.
    public init?(argument text: String) { self = text }
    /// The text in quotes (so an empty default is visible).
    public var argumentDescription: String { "\"\(self)\"" }
    /// `<string>`.
    public static var valuePlaceholder: String { "<string>" }
}

/// An enumeration that can be chosen on the command line by its raw value.
///
/// ```swift
/// enum Method: String, ArgumentChoice { case euler, rk4, dopri5 }
/// let method = parser.option("--method", default: Method.dopri5, help: "ODE solver")
/// ```
public protocol ArgumentChoice: ArgumentValue, CaseIterable, RawRepresentable where RawValue == String {}

extension ArgumentChoice {
    /// The case whose raw value is `text`.
    public init?(argument text: String) { self.init(rawValue: text) }
    /// The raw value.
    public var argumentDescription: String { rawValue }
    /// All raw values joined by `|`, e.g. `<euler|rk4|dopri5>`.
    public static var valuePlaceholder: String { "<" + allCases.map(\.rawValue).joined(separator: "|") + ">" }
}

/// A parsed command-line value, readable after `ArgumentParser.parse(_:)` has run.
public final class Argument<Value> {
    /// The parsed value, or the default when the option was not given.
    public internal(set) var value: Value
    /// Whether the option appeared on the command line.
    public internal(set) var wasGiven = false

    init(_ value: Value) { self.value = value }
}
