import XCTest
import Autodiff
import Solvers
@testable import ODENet

/// Direct and checkpointed gradients are gradients of the discrete solution: exact (to rounding) for a
/// fixed-step method, equal to each other, and close to the adjoint's at the solve tolerance.
final class DiscreteGradientTests: XCTestCase {
    let z0 = Tensor<Double>(shape: [2, 2], scalars: [0.7, -0.4, 0.3, 0.5])
    let times: [Double] = [0, 0.35, 0.9, 1.6]

    func loss(_ path: Tensor<Double>) -> Tensor<Double> { (path * path * path).sum() }

    func gradients(_ block: ODEBlock<SmallMLPDynamics<Double>>, at z0: Tensor<Double>) throws -> [Tensor<Double>] {
        let parameters = block.dynamics.parameters(of: Double.self)
        let originals = parameters.map(\.value)
        defer { for (p, v) in zip(parameters, originals) { p.value = v } }
        return try Autodiff.valueWithGradient(at: [z0] + originals) { (xs: [Tensor<Double>]) -> Tensor<Double> in
            for (p, x) in zip(parameters, xs[1...]) { p.value = x }
            return loss(try block.trajectory(from: xs[0], at: times))
        }.gradients
    }

    func finiteDifferenceReport(mode: GradientMode, method: ButcherTableau) throws -> GradientCheckReport {
        let block = ODEBlock(SmallMLPDynamics<Double>(timeDependent: true), method: ExplicitRungeKutta(method),
                             stepSize: 0.1, gradientMode: mode)
        let parameters = block.dynamics.parameters(of: Double.self)
        let originals = parameters.map(\.value)
        defer { for (p, v) in zip(parameters, originals) { p.value = v } }
        return try checkGradients(at: [z0] + originals, stepSize: 1e-5, elementwiseLimit: 0) { xs in
            for (p, x) in zip(parameters, xs[1...]) { p.value = x }
            return loss(try! block.trajectory(from: xs[0], at: times))
        }
    }

    func testDirectGradientOfFixedStepSolveMatchesFiniteDifferences() throws {
        for method in [ButcherTableau.rk4, .midpoint, .dormandPrince54] {
            let report = try finiteDifferenceReport(mode: .direct, method: method)
            XCTAssertLessThanOrEqual(report.maxRelativeError, 1e-7, "\(method.name): \(report)")
        }
    }

    func testCheckpointedGradientOfFixedStepSolveMatchesFiniteDifferences() throws {
        for method in [ButcherTableau.rk38, .heun, .tsitouras54] {
            let report = try finiteDifferenceReport(mode: .checkpointed, method: method)
            XCTAssertLessThanOrEqual(report.maxRelativeError, 1e-7, "\(method.name): \(report)")
        }
    }

    func testCheckpointedEqualsDirectToRoundingWithAdaptiveSteps() throws {
        for method in [ButcherTableau.dormandPrince54, .dormandPrince853, .bogackiShampine32] {
            let direct = ODEBlock(SmallMLPDynamics<Double>(), method: EmbeddedRungeKutta(method), relativeTolerance: 1e-6,
                                  absoluteTolerance: 1e-8, gradientMode: .direct)
            let checkpointed = ODEBlock(direct.dynamics, method: EmbeddedRungeKutta(method), relativeTolerance: 1e-6,
                                        absoluteTolerance: 1e-8, gradientMode: .checkpointed)
            let a = try gradients(direct, at: z0), b = try gradients(checkpointed, at: z0)
            XCTAssertEqual(direct.statistics.forwardSteps, checkpointed.statistics.forwardSteps)
            XCTAssertGreaterThan(checkpointed.statistics.backwardEvaluations, 0)
            for (x, y) in zip(a, b) {
                XCTAssertTrue(x.isApproximatelyEqual(to: y, absoluteTolerance: 1e-13, relativeTolerance: 1e-11),
                              "\(method.name): direct \(x) vs checkpointed \(y)")
            }
        }
    }

    func testAdjointAgreesWithDirectToTheSolveTolerance() throws {
        let dynamics = SmallMLPDynamics<Double>(timeDependent: true)
        let adjoint = ODEBlock(dynamics, relativeTolerance: 1e-9, absoluteTolerance: 1e-9, gradientMode: .adjoint())
        let direct = ODEBlock(dynamics, relativeTolerance: 1e-9, absoluteTolerance: 1e-9, gradientMode: .direct)
        let a = try gradients(adjoint, at: z0), b = try gradients(direct, at: z0)
        let scale = b.map { $0.scalars.map(abs).max()! }.max()!
        for (x, y) in zip(a, b) {
            XCTAssertTrue(x.isApproximatelyEqual(to: y, absoluteTolerance: 1e-6 * scale, relativeTolerance: 1e-6),
                          "adjoint \(x) vs direct \(y)")
        }
    }

    func testSeminormAdjointTakesNoMoreBackwardStepsAndAgrees() throws {
        let dynamics = SmallMLPDynamics<Double>()
        let full = ODEBlock(dynamics, relativeTolerance: 1e-6, absoluteTolerance: 1e-8, gradientMode: .adjoint())
        let semi = ODEBlock(dynamics, relativeTolerance: 1e-6, absoluteTolerance: 1e-8,
                            gradientMode: .adjoint(AdjointOptions(usesSeminorm: true)))
        let a = try gradients(full, at: z0), b = try gradients(semi, at: z0)
        XCTAssertLessThanOrEqual(semi.statistics.backwardEvaluations, full.statistics.backwardEvaluations)
        let scale = a.map { $0.scalars.map(abs).max()! }.max()!
        for (x, y) in zip(a, b) {
            XCTAssertTrue(x.isApproximatelyEqual(to: y, absoluteTolerance: 1e-4 * scale, relativeTolerance: 1e-4))
        }
    }
}
