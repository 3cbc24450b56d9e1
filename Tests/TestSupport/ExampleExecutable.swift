import Foundation

/// A built example executable (`mnist`, `cnf`, …), run by the tests as a user would run it.
public enum ExampleExecutable {
    /// The executable `name` beside the test bundle (both are products of the same build), or nil.
    ///
    /// - Parameters:
    ///   - name: The product name.
    ///   - anchor: A class of the test bundle (its bundle's folder is searched too).
    /// - Returns: The executable's URL, or nil when it is not there.
    public static func url(_ name: String, besides anchor: AnyClass) -> URL? {
        let candidates = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          Bundle(for: anchor).bundleURL.deletingLastPathComponent()]
        return candidates.map { $0.appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// How a run ended: its exit status, whether a signal stopped it (a trap), and its output.
    public struct Outcome {
        /// The exit status, or the signal's number when `signalled`.
        public let status: Int32
        /// Whether the program was stopped by a signal (a trap) rather than exiting.
        public let signalled: Bool
        /// Standard output and standard error, interleaved.
        public let output: String
    }

    /// Runs `executable` with `arguments` (the Swift backtracer off, so a trap ends the run at once).
    ///
    /// - Parameters:
    ///   - executable: The program.
    ///   - arguments: Its arguments.
    /// - Returns: How it ended.
    /// - Throws: When the program cannot be started.
    public static func run(_ executable: URL, _ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                       output: text)
    }
}
