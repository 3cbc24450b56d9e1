import Foundation

/// The built `mnist` executable, run by the tests as a user would run it.
enum MNISTExecutable {
    /// The executable beside the test bundle (both are products of the same build), or nil.
    static var url: URL? {
        let candidates = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          Bundle(for: MNISTResumeTests.self).bundleURL.deletingLastPathComponent()]
        return candidates.map { $0.appendingPathComponent("mnist") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// How a run ended: its exit status, whether a signal stopped it (a trap), and its output.
    struct Outcome {
        /// The exit status, or the signal's number when `signalled`.
        let status: Int32
        /// Whether the program was stopped by a signal (a trap) rather than exiting.
        let signalled: Bool
        /// Standard output and standard error, interleaved.
        let output: String
    }

    /// Runs `executable` with `arguments` (the Swift backtracer off, so a trap ends the run at once).
    static func run(_ executable: URL, _ arguments: [String]) throws -> Outcome {
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
