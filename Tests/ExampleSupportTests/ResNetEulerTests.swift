import Foundation
import XCTest
import ExampleSupport
import ODENet
import TestSupport

/// A weight-shared ResNet is Euler's method: the ResNet built from layers and an `ODEBlock` taking Euler steps
/// of 1/L give the same outputs and gradients to rounding, and the ResNet's output converges to the ODE's
/// solution at first order as L grows. The `resnet-euler` example reports both.
final class ResNetEulerTests: XCTestCase {
    func field(seed: UInt64) -> (ResidualField, Tensor<Double>, Tensor<Double>) {
        var generator = SeededGenerator(seed: seed)
        let field = ResidualField(width: 16, using: &generator)
        let points = Tensor<Double>.randomNormal([32, 2], using: &generator)
        let weights = Tensor<Double>.randomNormal([32, 2], using: &generator)
        return (field, points, weights)
    }

    func testTheResNetAndTheEulerBlockAgreeToRounding() throws {
        let (field, points, weights) = field(seed: 3)
        let parameters = field.parameters(of: Double.self)
        let saved = parameters.map(\.value)
        for L in [1, 3, 8] {
            let block = eulerBlock(field, blocks: L)
            func gradients(_ hidden: @escaping () throws -> Tensor<Double>) throws -> [Tensor<Double>] {
                defer { for (p, v) in zip(parameters, saved) { p.value = v } }
                return try valueWithGradient(at: saved + [points]) { xs in
                    for (p, v) in zip(parameters, xs) { p.value = v }
                    return (try hidden() * weights).sum()
                }.gradients
            }
            let resnet = residualNetwork(field, points, blocks: L).output
            XCTAssertLessThanOrEqual(maximumRelativeDifference([resnet], [try block(points)]), 1e-12, "L = \(L)")
            let a = try gradients { residualNetwork(field, points, blocks: L).output }
            let b = try gradients { try block(points) }
            XCTAssertLessThanOrEqual(maximumRelativeDifference(a, b), 1e-12, "L = \(L)")
            XCTAssertGreaterThan(a.map { $0.scalars.map(abs).max()! }.max()!, 0)
        }
        // Not equal to another method: RK4 with the same steps differs at the level of Euler's error.
        let rk4 = ODEBlock(field, method: .rk4, stepSize: 1.0 / 8, gradientMode: .direct)
        XCTAssertGreaterThan(maximumRelativeDifference([residualNetwork(field, points, blocks: 8).output],
                                                       [try rk4(points)]), 1e-6)
    }

    func testTheResNetConvergesToTheODEAtFirstOrder() throws {
        let (field, points, _) = field(seed: 5)
        let exact = ODEBlock(field, method: .dormandPrince54, relativeTolerance: 1e-12, absoluteTolerance: 1e-12)
        let limit = try exact(points)
        let depths = [16, 32, 64, 128, 256]
        let errors = depths.map { L in
            zip(residualNetwork(field, points, blocks: L).output.scalars, limit.scalars).map { abs($0 - $1) }.max()!
        }
        XCTAssertEqual(logLogSlope(depths, errors), -1, accuracy: 0.05)
        // The fit itself: an exact power law gives its exponent.
        XCTAssertEqual(logLogSlope([2, 4, 8], [3.0 / 4, 3.0 / 16, 3.0 / 64]), -2, accuracy: 1e-12)
    }

    func testTheExampleReportsEqualityAndFirstOrder() throws {
        guard let url = ExampleExecutable.url("resnet-euler", besides: ResNetEulerTests.self) else {
            throw XCTSkip("the resnet-euler executable is not beside the test bundle (build all products first)")
        }
        let help = try ExampleExecutable.run(url, ["--help"])
        XCTAssertEqual(help.status, 0, help.output)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("resnet-euler-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("summary.json").path
        let outcome = try ExampleExecutable.run(url, ["--iterations", "40", "--output", folder.path, "--summary-json", path])
        XCTAssertEqual(outcome.status, 0, outcome.output)
        let summary = try JSONValue(parsing: String(contentsOfFile: path, encoding: .utf8))
        XCTAssertLessThanOrEqual(try XCTUnwrap(summary["max_relative_difference_outputs"]?.doubleValue), 1e-12)
        XCTAssertLessThanOrEqual(try XCTUnwrap(summary["max_relative_difference_gradients"]?.doubleValue), 1e-12)
        XCTAssertEqual(try XCTUnwrap(summary["convergence_slope"]?.doubleValue), -1, accuracy: 0.1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("resnet-euler.svg").path))
    }
}
