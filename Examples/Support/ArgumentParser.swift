import Foundation

/// A failure to parse the command line; `ArgumentParser.parseOrExit` prints it and exits with code 2.
public enum ArgumentError: Error, CustomStringConvertible, Equatable {
    /// `--help` or `-h` was given (not a failure: the caller prints usage and exits 0).
    case helpRequested
    /// An option that was not declared.
    case unknownOption(String, suggestion: String?)
    /// An option that needs a value was last on the line.
    case missingValue(option: String, placeholder: String)
    /// A value that does not parse as the option's type.
    case invalidValue(option: String, value: String, expected: String)
    /// A bare word where an option was expected (no positional arguments are declared).
    case unexpectedArgument(String)
    /// A value given to a flag (`--verbose=yes`).
    case valueForFlag(option: String, value: String)

    /// What went wrong and how to fix it.
    public var description: String {
        switch self {
        case .helpRequested: return "help requested"
        case let .unknownOption(name, suggestion):
            return "unknown option '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case let .missingValue(option, placeholder): return "option '\(option)' needs a value \(placeholder)"
        case let .invalidValue(option, value, expected): return "invalid value '\(value)' for '\(option)': expected \(expected)"
        case let .unexpectedArgument(text): return "unexpected argument '\(text)' (options start with --)"
        case let .valueForFlag(option, value): return "flag '\(option)' takes no value (got '\(value)')"
        }
    }
}

/// A small declarative command-line parser: declare typed options, then parse.
///
/// ```swift
/// var parser = ArgumentParser(program: "spirals", summary: "Fit a neural ODE to a spiral.")
/// let iterations = parser.option("--iterations", default: 2000, help: "training iterations")
/// let adjoint = parser.toggle("--adjoint", default: false, help: "use the adjoint method")
/// parser.parseOrExit()
/// print(iterations.value, adjoint.value)
/// ```
public struct ArgumentParser {
    struct Declaration {
        let names: [String]         // spellings accepted, e.g. ["--adjoint", "--no-adjoint"]
        let usageName: String       // as shown in the help, e.g. "--[no-]adjoint <int>"
        let help: String
        let defaultText: String?
        let takesValue: Bool
        let assign: (String, String?) -> ArgumentError?   // (spelling used, value) → error
    }

    /// The program name shown in usage.
    public let program: String
    /// One line describing the program.
    public let summary: String
    private(set) var declarations: [Declaration] = []

    /// Creates a parser for `program`, described by `summary` in the usage text.
    public init(program: String, summary: String) {
        self.program = program
        self.summary = summary
    }

    /// Declares `--name <value>` of any `ArgumentValue` type (Int, Double, String, or an `ArgumentChoice` enum).
    public mutating func option<Value: ArgumentValue>(_ name: String, default value: Value, help: String) -> Argument<Value> {
        let argument = Argument(value)
        declare(Declaration(names: [name], usageName: "\(name) \(Value.valuePlaceholder)", help: help,
                            defaultText: value.argumentDescription, takesValue: true) { used, text in
            guard let text, let parsed = Value(argument: text) else {
                return .invalidValue(option: used, value: text ?? "", expected: Value.valuePlaceholder)
            }
            argument.value = parsed
            argument.wasGiven = true
            return nil
        })
        return argument
    }

    /// Declares `--name <value>` with no default: `value` stays nil unless given.
    public mutating func optionalOption<Value: ArgumentValue>(_ name: String, help: String) -> Argument<Value?> {
        let argument = Argument<Value?>(nil)
        declare(Declaration(names: [name], usageName: "\(name) \(Value.valuePlaceholder)", help: help,
                            defaultText: nil, takesValue: true) { used, text in
            guard let text, let parsed = Value(argument: text) else {
                return .invalidValue(option: used, value: text ?? "", expected: Value.valuePlaceholder)
            }
            argument.value = parsed
            argument.wasGiven = true
            return nil
        })
        return argument
    }

    /// Declares a flag `--name` that is false unless given.
    public mutating func flag(_ name: String, help: String) -> Argument<Bool> {
        let argument = Argument(false)
        declare(Declaration(names: [name], usageName: name, help: help, defaultText: nil, takesValue: false) { _, _ in
            argument.value = true
            argument.wasGiven = true
            return nil
        })
        return argument
    }

    /// Declares a Boolean pair `--name` / `--no-name` with a default.
    public mutating func toggle(_ name: String, default value: Bool, help: String) -> Argument<Bool> {
        precondition(name.hasPrefix("--"), "toggle names start with --, got \(name)")
        let negative = "--no-" + name.dropFirst(2)
        let argument = Argument(value)
        declare(Declaration(names: [name, negative], usageName: "--[no-]" + name.dropFirst(2), help: help,
                            defaultText: value ? "on" : "off", takesValue: false) { used, _ in
            argument.value = used == name
            argument.wasGiven = true
            return nil
        })
        return argument
    }

    private mutating func declare(_ declaration: Declaration) {
        for name in declaration.names {
            precondition(name.hasPrefix("--") && name.count > 2, "option names start with --, got '\(name)'")
            precondition(!["--help"].contains(name) && !declarations.contains { $0.names.contains(name) },
                         "option \(name) declared twice")
        }
        declarations.append(declaration)
    }

    /// Parses `arguments` (the first element is the program path and is skipped), assigning values.
    /// Accepts `--name value` and `--name=value`; later occurrences win.
    public func parse(_ arguments: [String]) throws(ArgumentError) {
        var index = 1
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "--help" || word == "-h" { throw .helpRequested }
            guard word.hasPrefix("--") else { throw .unexpectedArgument(word) }
            let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            var value = parts.count > 1 ? String(parts[1]) : nil
            guard let declaration = declarations.first(where: { $0.names.contains(name) }) else {
                throw .unknownOption(name, suggestion: suggestion(for: name))
            }
            if declaration.takesValue, value == nil {
                guard index < arguments.count else {
                    throw .missingValue(option: name, placeholder: String(declaration.usageName.split(separator: " ").last!))
                }
                value = arguments[index]
                index += 1
            } else if !declaration.takesValue, let value {
                throw .valueForFlag(option: name, value: value)
            }
            if let error = declaration.assign(name, value) { throw error }
        }
    }

    /// Parses `arguments`; prints usage and exits 0 on `--help`, prints the error and exits 2 on bad input.
    public func parseOrExit(_ arguments: [String] = CommandLine.arguments) {
        do throws(ArgumentError) {
            try parse(arguments)
        } catch .helpRequested {
            print(usage)
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("\(program): \(error)\nRun '\(program) --help' for usage.\n".utf8))
            exit(2)
        }
    }

    /// The declared name closest to `name` by edit distance, if it is close enough to be a typo.
    private func suggestion(for name: String) -> String? {
        let candidates = declarations.flatMap(\.names) + ["--help"]
        let best = candidates.map { ($0, Self.editDistance(Array($0), Array(name))) }.min { $0.1 < $1.1 }
        return best.flatMap { $0.1 <= max(2, name.count / 4) ? $0.0 : nil }
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// The help text: program, summary, and each option with its help and default.
    public var usage: String {
        let rows = declarations.map { ($0.usageName, $0.help + ($0.defaultText.map { " (default: \($0))" } ?? "")) }
            + [("-h, --help", "show this help and exit")]
        let width = min(34, rows.map(\.0.count).max() ?? 0)
        var text = "\(program): \(summary)\n\nUSAGE: \(program) [options]\n\nOPTIONS:\n"
        for (name, help) in rows {
            let padding = name.count < width ? String(repeating: " ", count: width - name.count) : "\n  " + String(repeating: " ", count: width)
            text += "  \(name)\(padding)  \(help)\n"
        }
        return text
    }
}
