import XCTest
import Autodiff
import Solvers
@testable import ODENet

/// The adjoint's gradients against central finite differences of the forward solve, in Double at
/// tight tolerances (rtol = atol = 1e-10), along seeded random directions.
final class AdjointGradientTests: XCTestCase {
    let z0 = Tensor<Double>(shape: [3, 2], scalars: [0.8, -0.3, 0.2, 0.6, -0.5, 0.1])

    func makeBlock(timeDependent: Bool = false, mode: GradientMode = .adjoint()) -> ODEBlock<SmallMLPDynamics<Double>> {
        ODEBlock(SmallMLPDynamics<Double>(timeDependent: timeDependent), method: .dormandPrince54,
                 relativeTolerance: 1e-10, absoluteTolerance: 1e-10, gradientMode: mode)
    }

    /// Checks d loss / d (z0, times, parameters) of `loss(trajectory)` against finite differences.
    func checkAgainstFiniteDifferences(timeDependent: Bool, times: [Double],
                                       loss: @escaping (Tensor<Double>) -> Tensor<Double>,
                                       file: StaticString = #filePath, line: UInt = #line) throws {
        let block = makeBlock(timeDependent: timeDependent)
        let parameters = block.dynamics.parameters(of: Double.self)
        let originals = parameters.map(\.value)
        defer { for (p, v) in zip(parameters, originals) { p.value = v } }
        let inputs = [z0, Tensor(times)] + originals
        var failure: Error?
        let report = try checkGradients(at: inputs, stepSize: 1e-4, elementwiseLimit: 0, randomDirections: 5) { xs in
            for (p, x) in zip(parameters, xs[2...]) { p.value = x }
            do {
                return loss(try block.trajectory(from: xs[0], at: xs[1]))
            } catch {
                failure = error
                return Tensor(0)
            }
        }
        if let failure { throw failure }
        _ = try valueWithGradient(at: z0) { z in loss(try block.trajectory(from: z, at: times)) }
        let statistics = block.statistics
        // Relative to the gradient's scale: a direction along which the derivative is nearly zero
        // would otherwise compare two numbers dominated by the solver's 1e-10 noise.
        XCTAssertLessThanOrEqual(report.maxScaledError, 1e-5, "\(report)", file: file, line: line)
        XCTAssertGreaterThan(report.checkedDirections, 5 * (inputs.count - 1), file: file, line: line)
        XCTAssertGreaterThan(statistics.backwardEvaluations, 0, file: file, line: line)
        XCTAssertEqual(statistics.adjointDrift.count, times.count - 1, file: file, line: line)
        XCTAssertLessThan(statistics.maximumAdjointDrift, 10, "\(statistics)", file: file, line: line)
    }

    func testAdjointGradientMatchesFiniteDifferencesForLossAtFinalTime() throws {
        try checkAgainstFiniteDifferences(timeDependent: false, times: [0, 1.3]) { path in
            (path.sliced(1..<2, axis: 0) * path.sliced(1..<2, axis: 0)).sum()
        }
    }

    func testAdjointGradientMatchesFiniteDifferencesForLossOverSeveralTimes() throws {
        try checkAgainstFiniteDifferences(timeDependent: false, times: [0, 0.4, 0.45, 1.1, 2]) { path in
            (sin(path) * path).sum()
        }
    }

    func testAdjointGradientMatchesFiniteDifferencesForTimeDependentDynamics() throws {
        try checkAgainstFiniteDifferences(timeDependent: true, times: [0.2, 0.9, 1.7]) { path in
            (path * path * path).sum()
        }
    }

    func testAdjointGradientMatchesFiniteDifferencesBackwardsInTime() throws {
        try checkAgainstFiniteDifferences(timeDependent: true, times: [1.5, 0.7, -0.2]) { path in
            (path * path).sum()
        }
    }
}
