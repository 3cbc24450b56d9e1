import XCTest
@testable import ExampleSupport

private enum Method: String, ArgumentChoice { case euler, rk4, dopri5 }

final class ArgumentParserTests: XCTestCase {
    private struct Options {
        var parser = ArgumentParser(program: "spirals", summary: "Fit a neural ODE to a spiral.")
        let iterations: Argument<Int>
        let tolerance: Argument<Double>
        let output: Argument<String>
        let method: Argument<Method>
        let adjoint: Argument<Bool>
        let verbose: Argument<Bool>

        init() {
            iterations = parser.option("--iterations", default: 2000, help: "training iterations")
            tolerance = parser.option("--tolerance", default: 1e-3, help: "solver tolerance")
            output = parser.option("--output", default: "out", help: "output directory")
            method = parser.option("--method", default: Method.dopri5, help: "ODE solver")
            adjoint = parser.toggle("--adjoint", default: true, help: "use the adjoint")
            verbose = parser.flag("--verbose", help: "print more")
        }
    }

    func testDefaultsAndParsedValues() throws {
        let defaults = Options()
        try defaults.parser.parse(["spirals"])
        XCTAssertEqual(defaults.iterations.value, 2000)
        XCTAssertEqual(defaults.method.value, .dopri5)
        XCTAssertTrue(defaults.adjoint.value)
        XCTAssertFalse(defaults.verbose.value)

        let options = Options()
        try options.parser.parse(["spirals", "--iterations", "10", "--tolerance=1e-6", "--method", "rk4",
                                  "--no-adjoint", "--verbose", "--output", "runs/a"])
        XCTAssertEqual(options.iterations.value, 10)
        XCTAssertEqual(options.tolerance.value, 1e-6)
        XCTAssertEqual(options.method.value, .rk4)
        XCTAssertFalse(options.adjoint.value)
        XCTAssertTrue(options.verbose.value)
        XCTAssertEqual(options.output.value, "runs/a")
        XCTAssertTrue(options.iterations.wasGiven)
    }

    func testBadInputGivesClearErrors() {
        let cases: [([String], ArgumentError)] = [
            (["--iteration", "5"], .unknownOption("--iteration", suggestion: "--iterations")),
            (["--iterations", "many"], .invalidValue(option: "--iterations", value: "many", expected: "<int>")),
            (["--method", "heun"], .invalidValue(option: "--method", value: "heun", expected: "<euler|rk4|dopri5>")),
            (["--tolerance"], .missingValue(option: "--tolerance", placeholder: "<number>")),
            (["stray"], .unexpectedArgument("stray")),
            (["--verbose=yes"], .valueForFlag(option: "--verbose", value: "yes")),
            (["--help"], .helpRequested),
        ]
        for (arguments, expected) in cases {
            XCTAssertThrowsError(try Options().parser.parse(["spirals"] + arguments)) {
                XCTAssertEqual($0 as? ArgumentError, expected, "\(arguments)")
            }
        }
        XCTAssertTrue(ArgumentError.unknownOption("--iteration", suggestion: "--iterations").description
            .contains("did you mean '--iterations'"))
    }

    func testUsageListsEveryOptionWithItsDefault() {
        let usage = Options().parser.usage
        XCTAssertTrue(usage.hasPrefix("spirals: Fit a neural ODE to a spiral."))
        for line in ["--iterations <int>", "(default: 2000)", "--tolerance <number>", "(default: 0.001)",
                     "--method <euler|rk4|dopri5>", "(default: dopri5)", "--[no-]adjoint", "(default: on)",
                     "--verbose", "-h, --help", "(default: \"out\")"] {
            XCTAssertTrue(usage.contains(line), "usage lacks \(line):\n\(usage)")
        }
    }
}
