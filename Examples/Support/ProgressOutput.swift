import Foundation

/// Where progress text goes and how: rewriting one line on a terminal, or plain lines otherwise.
///
/// On a terminal each update overwrites the previous one with a carriage return. Elsewhere (log
/// files, CI) updates become plain lines, at most one per `plainInterval` seconds, so logs stay short.
public struct ProgressOutput {
    /// Whether updates rewrite one line in place.
    public let isTerminal: Bool
    /// Minimum seconds between lines when not on a terminal.
    public let plainInterval: Double
    /// Minimum seconds between redraws on a terminal.
    public let terminalInterval: Double
    let write: (String) -> Void
    let clock: () -> Double

    /// Progress on standard error, detecting whether it is a terminal.
    public static var standardError: ProgressOutput {
        ProgressOutput(isTerminal: isatty(STDERR_FILENO) == 1) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// Progress sent to `write`, timed by `clock` (seconds); both are injectable for tests.
    public init(isTerminal: Bool, plainInterval: Double = 5, terminalInterval: Double = 0.1,
                clock: @escaping () -> Double = { Date().timeIntervalSinceReferenceDate },
                write: @escaping (String) -> Void) {
        self.isTerminal = isTerminal
        self.plainInterval = plainInterval
        self.terminalInterval = terminalInterval
        self.clock = clock
        self.write = write
    }

    /// Formats seconds as `m:ss` or `h:mm:ss`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        let twoDigits = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))" : "\(minutes):\(twoDigits(secs))"
    }

    /// Formats a field value with about four significant digits (`0.01234`, `1.235e-05`, `26`).
    public static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e9 { return String(Int(value)) }
        return String(format: "%.4g", value)
    }

    /// Renders `name value` pairs separated by two spaces.
    static func fields(_ fields: KeyValuePairs<String, Double>) -> String {
        fields.map { "\($0.key) \(number($0.value))" }.joined(separator: "  ")
    }
}

/// Throttling and line handling shared by the progress displays.
final class ProgressPrinter {
    let output: ProgressOutput
    let start: Double
    private var lastPrint = -Double.infinity
    private var lastWidth = 0

    init(output: ProgressOutput) {
        self.output = output
        start = output.clock()
    }

    var elapsed: Double { output.clock() - start }

    /// Prints `line` if enough time has passed (or `force`), replacing the previous line on a terminal.
    func show(_ line: String, force: Bool = false) {
        let now = output.clock()
        let interval = output.isTerminal ? output.terminalInterval : output.plainInterval
        guard force || now - lastPrint >= interval else { return }
        lastPrint = now
        if output.isTerminal {
            let padding = String(repeating: " ", count: max(0, lastWidth - line.count))
            output.write("\r" + line + padding)
            lastWidth = line.count
        } else {
            output.write(line + "\n")
        }
    }

    /// Ends the terminal line so later output starts on a fresh line.
    func finishLine() {
        if output.isTerminal, lastWidth > 0 { output.write("\n") }
        lastWidth = 0
    }
}
