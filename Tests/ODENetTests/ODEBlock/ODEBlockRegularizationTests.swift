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
        let block = ODEBlock(CNFTests.linearField(a, size: 2), method: .dormandPrince54, relativeTolerance: 1e-11,
                             absoluteTolerance: 1e-11, gradientMode: mode)
        block.integrationTimes = [0, 0.7]
        block.regularization = DynamicsRegularization(kineticEnergy: 0.5, jacobianFrobenius: 0.25)
        block.probeGenerator = SeededGenerator(seed: 5)
        return block
    }

    func testIntegralsMatchQuadratureAndTheOutputIsUnchanged() throws {
        let block = makeBlock()
        let z1 = try block(z0)
        let plain = ODEBlock(CNFTests.linearField(a, size: 2), method: .dormandPrince54, relativeTolerance: 1e-11,
                             absoluteTolerance: 1e-11, gradientMode: .direct)
        plain.integrationTimes = [0, 0.7]
        for (u, v) in zip(z1.scalars, try plain(z0).scalars) { XCTAssertEqual(u, v, accuracy: 1e-9) }
        XCTAssertEqual(plain.regularizationLoss.scalar, 0)

        var generator = SeededGenerator(seed: 5)
        let probe = HutchinsonNoise.gaussian.sample([3, 2], as: Double.self, using: &generator).scalars
        var kinetic = 0.0, jacobian = 0.0
        let intervals = 2000, h = 0.7 / Double(intervals)
        for row in 0..<3 {
            let x = [z0.scalars[2 * row], z0.scalars[2 * row + 1]]
            var sum = 0.0
            for k in 0...intervals {
                let e = CNFTests.matrixExponential(a.map { $0 * Double(k) * h }, size: 2)
                let z = [e[0] * x[0] + e[1] * x[1], e[2] * x[0] + e[3] * x[1]]
                let f = [a[0] * z[0] + a[1] * z[1], a[2] * z[0] + a[3] * z[1]]
                let weight = k == 0 || k == intervals ? 1.0 : (k % 2 == 1 ? 4.0 : 2.0)
                sum += weight * 0.5 * (f[0] * f[0] + f[1] * f[1]) / 2
            }
            kinetic += sum * h / 3 / 3
            let e = [probe[2 * row], probe[2 * row + 1]]
            let vjp = [e[0] * a[0] + e[1] * a[2], e[0] * a[1] + e[1] * a[3]]
            jacobian += 0.7 * (vjp[0] * vjp[0] + vjp[1] * vjp[1]) / 2 / 3
        }
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
