import XCTest
import Autodiff
import Solvers
@testable import ODENet

/// W2: the gradients of the L1 loss of a batch-20 ode_demo solve against the float64 reference, with
/// Dormand–Prince at rtol 1e-7, atol 1e-9, the full error norm, adjoint tolerances equal to the forward ones.
final class W2ReferenceTests: XCTestCase {
    func relativeL2Error<S: TensorScalar>(_ gradients: [Tensor<S>], workload: W2Workload) -> Double {
        let names = ["l1.weight", "l1.bias", "l2.weight", "l2.bias", "y0"]
        var difference = 0.0, norm = 0.0
        for (name, gradient) in zip(names, gradients) {
            let expected = W2Workload.flatten(workload.referenceGradients[name]!)
            XCTAssertEqual(gradient.scalarCount, expected.count, name)
            for (a, b) in zip(gradient.scalars, expected) {
                difference += (Double(a) - b) * (Double(a) - b)
                norm += b * b
            }
        }
        return (difference / norm).squareRoot()
    }

    func check<S: TensorScalar>(_ type: S.Type, mode: GradientMode, tolerance: Double,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let workload = try W2Workload()
        let dynamics = SmallMLPDynamics<S>(
            w1: workload.tensor("l1.weight", as: S.self), b1: workload.tensor("l1.bias", as: S.self),
            w2: workload.tensor("l2.weight", as: S.self), b2: workload.tensor("l2.bias", as: S.self))
        let block = ODEBlock(dynamics, method: .dormandPrince54, relativeTolerance: 1e-7, absoluteTolerance: 1e-9,
                             gradientMode: mode)
        let y0 = workload.tensor("y0", as: S.self)
        let target = workload.tensor("target", as: S.self)
        let parameters = dynamics.parameters(of: S.self)
        let (loss, gradients) = try Autodiff.valueWithGradient(at: parameters.map(\.value) + [y0]) { (xs: [Tensor<S>]) -> Tensor<S> in
            for (p, x) in zip(parameters, xs) { p.value = x }
            return l1Loss(predictions: try block.trajectory(from: xs[4], at: workload.times), targets: target)
        }
        XCTAssertEqual(Double(loss.scalar), workload.referenceLoss, accuracy: S.self == Double.self ? 1e-9 : 1e-6,
                       file: file, line: line)
        let error = relativeL2Error(gradients, workload: workload)
        XCTAssertLessThanOrEqual(error, tolerance, "relative L2 gradient error \(error), \(block.statistics)",
                                 file: file, line: line)
    }

    func testAdjointGradientsMatchReferenceInDouble() throws { try check(Double.self, mode: .adjoint(), tolerance: 1e-7) }
    func testAdjointGradientsMatchReferenceInFloat() throws { try check(Float.self, mode: .adjoint(), tolerance: 1e-6) }
    func testDirectGradientsMatchReferenceInDouble() throws { try check(Double.self, mode: .direct, tolerance: 1e-7) }
    func testCheckpointedGradientsMatchReferenceInDouble() throws {
        try check(Double.self, mode: .checkpointed, tolerance: 1e-7)
    }
}
