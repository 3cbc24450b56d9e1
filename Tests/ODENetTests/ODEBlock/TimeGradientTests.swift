import XCTest
import Autodiff
import Solvers
@testable import ODENet

/// ∂L/∂t for every output time in every gradient mode, against central differences of the solve and
/// against each other, on a time-dependent field (so that f's explicit t matters).
final class TimeGradientTests: XCTestCase {
    let z0 = Tensor<Double>(shape: [3, 2], scalars: [0.8, -0.3, 0.2, 0.6, -0.5, 0.1])
    let times: [Double] = [0.1, 0.45, 0.8, 1.3]
    let stepping = Stepping.adaptive(.dormandPrince54,
                                     controller: StepSizeController(relativeTolerance: 1e-12, absoluteTolerance: 1e-12))

    /// L = Σ_k Σ w_k ⊙ z(t_k) with fixed weights w.
    func loss(_ path: Tensor<Double>) -> Tensor<Double> {
        let weights = Tensor<Double>(shape: path.shape, scalars: (0..<path.scalarCount).map { sin(1.3 * Double($0) + 0.4) })
        return (path * weights).sum()
    }

    func testEveryModeDifferentiatesTheOutputTimes() throws {
        let field = SmallMLPDynamics<Double>(timeDependent: true)
        let step = 1e-5
        var differences: [Double] = []
        for k in times.indices {
            var up = times, down = times
            up[k] += step
            down[k] -= step
            let lossUp = try loss(solve(field, from: z0, at: Tensor(up), stepping: stepping)).scalar
            let lossDown = try loss(solve(field, from: z0, at: Tensor(down), stepping: stepping)).scalar
            differences.append((lossUp - lossDown) / (2 * step))
        }
        var byMode: [[Double]] = []
        for mode in [GradientMode.direct, .checkpointed,
                     .adjoint(AdjointOptions(relativeTolerance: 1e-12, absoluteTolerance: 1e-12))] {
            let statistics = ODEStatisticsRecorder()
            let gradients = try valueWithGradient(at: [z0, Tensor(times)]) { xs in
                self.loss(try solve(field, from: xs[0], at: xs[1], stepping: self.stepping, gradient: mode,
                                    statistics: statistics))
            }.gradients
            let dt = gradients[1].scalars
            for k in times.indices {
                XCTAssertEqual(dt[k], differences[k], accuracy: 1e-6 * max(1, abs(differences[k])), "\(mode), time \(k)")
            }
            XCTAssertTrue(dt.allSatisfy { $0 != 0 }, "\(mode): a time gradient is exactly zero")
            if case .adjoint = mode {} else {
                // One evaluation per output time and one at t₀, on top of the mode's own backward pass.
                XCTAssertGreaterThanOrEqual(statistics.statistics.backwardEvaluations, times.count + 1, "\(mode)")
            }
            byMode.append(dt)
        }
        for k in times.indices {
            XCTAssertEqual(byMode[0][k], byMode[1][k], accuracy: 1e-12, "direct and checkpointed, time \(k)")
        }
    }

    /// Times differentiated with the initial state held constant: the start's time gradient alone.
    func testTimeGradientsWithAConstantInitialState() throws {
        let field = SmallMLPDynamics<Double>(timeDependent: true)
        for mode in [GradientMode.direct, .checkpointed] {
            let direct = try valueWithGradient(at: [Tensor(times)]) { xs in
                self.loss(try solve(field, from: self.z0, at: xs[0], stepping: self.stepping, gradient: mode))
            }.gradients[0].scalars
            let adjoint = try valueWithGradient(at: [Tensor(times)]) { xs in
                self.loss(try solve(field, from: self.z0, at: xs[0], stepping: self.stepping,
                                    gradient: .adjoint(AdjointOptions(relativeTolerance: 1e-12, absoluteTolerance: 1e-12))))
            }.gradients[0].scalars
            for (a, b) in zip(direct, adjoint) { XCTAssertEqual(a, b, accuracy: 1e-7 * max(1, abs(b)), "\(mode)") }
        }
    }
}
