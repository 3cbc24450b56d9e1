// `release-checks`: fails one check of each kind a user can trip, so that CI can confirm (from the
// release build) that every message is printed. `precondition` drops its message at -O; the package's
// `require(_:_:)` keeps it. Run by `.ci/check-release-messages`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Autodiff
import ODENet
import Solvers

/// One check a user can fail: the argument that selects it, what it does, and the text its message
/// must contain (the script greps standard error for it).
struct ReleaseCheck: Sendable {
    /// The command-line argument that runs this check.
    let name: String
    /// What the check does, for `--help`.
    let summary: String
    /// A fragment of the message the failing check must print.
    let expectedMessage: String
    /// Fails the check (never returns normally).
    let run: @Sendable () -> Void
}

/// The command-line entry point.
@main
enum ReleaseChecks {
    /// The checks, one per kind: an op's shapes, a method that does not fit, a layer's argument.
    static let checks: [ReleaseCheck] = [
        ReleaseCheck(name: "matmul-shapes", summary: "matmul of [2, 3] by [4, 5]",
                     expectedMessage: "matmul: shapes [2, 3] and [4, 5] have mismatched inner dimensions") {
            let product = matmul(Tensor<Float>.zeros([2, 3]), Tensor<Float>.zeros([4, 5]))
            print("unexpected: matmul returned shape \(product.shape)")
        },
        ReleaseCheck(name: "adaptive-method", summary: "EmbeddedRungeKutta(.rk4), a method with no error estimate",
                     expectedMessage: "has no embedded error estimate") {
            let method = EmbeddedRungeKutta(.rk4)
            print("unexpected: built \(method)")
        },
        ReleaseCheck(name: "layer-argument", summary: "Linear<Float>(0, 3), a layer with no inputs",
                     expectedMessage: "Linear: dimensions 0 → 3 must be positive") {
            var generator = SeededGenerator(seed: 0)
            let layer = Linear<Float>(0, 3, using: &generator)
            print("unexpected: built \(layer)")
        },
    ]

    /// Runs the check named by the one argument, or prints the usage.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["--list"] {
            for check in checks { print("\(check.name)\t\(check.expectedMessage)") }
            return
        }
        guard arguments.count == 1, let check = checks.first(where: { $0.name == arguments[0] }) else {
            printUsage()
            exit(arguments == ["--help"] || arguments == ["-h"] ? 0 : 2)
        }
        check.run()
        // Reached only if the check let the bad input through.
        print("release-checks: \(check.name) did not stop the program")
        exit(3)
    }

    /// Prints what the program does and the names of the checks.
    static func printUsage() {
        print("""
            usage: release-checks <check> | --list | --help

            Fails one user-facing check and stops the program; its message must appear on standard error
            in release builds too. `--list` prints each check's name and the message it must print
            (tab-separated), which is what .ci/check-release-messages reads.

            checks:
            """)
        for check in checks { print("  \(check.name.padding(18))\(check.summary)") }
    }
}

extension String {
    /// The string padded with spaces to at least `width` characters.
    fileprivate func padding(_ width: Int) -> String {
        self + String(repeating: " ", count: Swift.max(0, width - count))
    }
}
