import XCTest
import Autodiff
import Solvers
@testable import ODENet

/// RNODE's regularisers on an `ODEBlock`: the integrals against quadrature of the exact solution of a linear
/// field, the block's output unchanged by them, and the gradient of the regularised loss against finite
/// differences.
final class ODEBlockRegularizationTests: XCTestCase {
    let a: [Double] = [0.3, -0.8, 0.5, -0.2]
    let z0 = Tensor<Double>(shape: [3, 2], scalars: [0.5, -0.4, 1.2, 0.3, -0.7, 0.9])

    func makeBlock(_ mode: GradientMode = .direct) -> ODEBlock<DynamicsFunction<Double>> {
        let block = ODEBlock(LinearFieldOracle.linearField(a, size: 2), method: .dormandPrince54, relativeTolerance: 1e-11,
                             absoluteTolerance: 1e-11, gradientMode: mode)
        block.integrationTimes = [0, 0.7]
        block.regularization = DynamicsRegularization(kineticEnergy: 0.5, jacobianFrobenius: 0.25)
        block.probeGenerator = SeededGenerator(seed: 5)
        return block
    }

    func testIntegralsMatchQuadratureAndTheOutputIsUnchanged() throws {
        let block = makeBlock()
        let z1 = try block(z0)
        let plain = ODEBlock(LinearFieldOracle.linearField(a, size: 2), method: .dormandPrince54, relativeTolerance: 1e-11,
                             absoluteTolerance: 1e-11, gradientMode: .direct)
        plain.integrationTimes = [0, 0.7]
        for (u, v) in zip(z1.scalars, try plain(z0).scalars) { XCTAssertEqual(u, v, accuracy: 1e-9) }
        XCTAssertEqual(plain.regularizationLoss.scalar, 0)

        var generator = SeededGenerator(seed: 5)
        let probe = HutchinsonNoise.gaussian.sample([3, 2], as: Double.self, using: &generator).scalars
        let integrals = LinearFieldOracle.regularizerIntegrals(a, points: z0.scalars, probe: probe, length: 0.7)
        let kinetic = integrals.kineticEnergy.reduce(0, +) / 3, jacobian = integrals.jacobianFrobenius.reduce(0, +) / 3
        XCTAssertEqual(block.regularizationLoss.scalar, 0.5 * kinetic + 0.25 * jacobian, accuracy: 1e-9)
    }

    /// d(‖z(T)‖² + regularisation)/dA against central differences, the probe held fixed.
    func testRegularizedLossGradientMatchesFiniteDifferences() throws {
        for mode in [GradientMode.direct, .adjoint(AdjointOptions(relativeTolerance: 1e-11, absoluteTolerance: 1e-11))] {
            let block = makeBlock(mode)
            let parameters = block.parameters(of: Double.self)
            XCTAssertEqual(parameters.count, 1)
            let original = parameters[0].value
            defer { parameters[0].value = original }
            var failure: Error?
            let report = try checkGradients(at: [original], stepSize: 1e-5) { xs in
                parameters[0].value = xs[0]
                block.probeGenerator = SeededGenerator(seed: 5)
                do {
                    let z1 = try block(self.z0)
                    return (z1 * z1).sum() + block.regularizationLoss
                } catch {
                    failure = error
                    return Tensor(0)
                }
            }
            if let failure { throw failure }
            XCTAssertLessThanOrEqual(report.maxScaledError, 1e-6, "\(mode): \(report)")
            XCTAssertEqual(report.checkedDirections, 4)
        }
    }
}
