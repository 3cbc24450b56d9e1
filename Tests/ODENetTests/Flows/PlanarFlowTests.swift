import XCTest
import Autodiff
@testable import ODENet

/// The planar flow against the change of variables of its own map (finite-difference Jacobians), its inverse,
/// the normalisation of its density, and finite-difference gradients.
final class PlanarFlowTests: XCTestCase {
    /// A 6-layer flow in Double whose layer 2 has wᵀu = −20 (the reparametrisation must keep it invertible).
    func makeFlow() -> PlanarFlow<Double> {
        var generator = SeededGenerator(seed: 21)
        let flow = PlanarFlow<Double>(dimensions: 2, layers: 6, using: &generator)
        flow.u.value = flow.u.value * 3
        var u = flow.u.value.scalars
        let w = flow.w.value.scalars
        let scale = -20 / (w[4] * w[4] + w[5] * w[5])
        (u[4], u[5]) = (scale * w[4], scale * w[5])
        flow.u.value = Tensor(shape: [6, 2], scalars: u)
        return flow
    }

    let x = Tensor<Double>(shape: [4, 2], scalars: [0.3, -0.5, 1.2, 0.8, -1.4, 0.1, 0.0, 2.0])

    func testLogLikelihoodIsTheChangeOfVariablesOfItsMap() {
        let flow = makeFlow()
        let result = flow(x)
        let step = 1e-6
        for row in 0..<4 {
            func mapped(_ dx: Double, _ dy: Double) -> [Double] {
                let p = Tensor<Double>(shape: [1, 2], scalars: [x.scalars[2 * row] + dx, x.scalars[2 * row + 1] + dy])
                return flow(p).points.scalars
            }
            let (px, mx, py, my) = (mapped(step, 0), mapped(-step, 0), mapped(0, step), mapped(0, -step))
            let j = [(px[0] - mx[0]) / (2 * step), (py[0] - my[0]) / (2 * step),
                     (px[1] - mx[1]) / (2 * step), (py[1] - my[1]) / (2 * step)]
            let determinant = j[0] * j[3] - j[1] * j[2]
            XCTAssertGreaterThan(determinant, 0)
            let z = Array(result.points.scalars[(2 * row)..<(2 * row + 2)])
            let expected = -log(2 * Double.pi) - 0.5 * (z[0] * z[0] + z[1] * z[1]) + log(determinant)
            XCTAssertEqual(result.logLikelihood.scalars[row], expected, accuracy: 1e-7, "row \(row)")
        }
    }

    func testInverseRecoversThePointsAndTheirLogDensity() {
        let flow = makeFlow()
        let forward = flow(x)
        let back = flow.inverse(forward.points)
        for (a, b) in zip(back.points.scalars, x.scalars) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        for (a, b) in zip(back.logLikelihood.scalars, forward.logLikelihood.scalars) { XCTAssertEqual(a, b, accuracy: 1e-12) }

        var generator = SeededGenerator(seed: 4)
        let samples = flow.sample(50, using: &generator)
        for (a, b) in zip(flow.logLikelihood(samples.points).scalars, samples.logLikelihood.scalars) {
            XCTAssertEqual(a, b, accuracy: 1e-10)
        }
    }

    /// The layer root α + m·tanh(α + c) = y for slopes near the −1 limit and large, offsets on both sides.
    func testLayerRootSolvesItsEquationAcrossSlopes() {
        for m in [-0.999999, -0.5, 0, 0.3, 5, 200] {
            for c in [-3.0, 0, 2.5] {
                for target in [-40.0, -1, 0, 0.7, 12] {
                    let alpha = PlanarFlow<Double>.solveLayerRoot(target: target, slope: m, offset: c)
                    XCTAssertEqual(alpha + m * tanh(alpha + c), target, accuracy: 1e-12 * max(1, abs(target), abs(m)),
                                   "m \(m), c \(c), target \(target)")
                }
            }
        }
    }

    /// ∫ p = 1: the density on a grid over [−20, 20]² sums to one (the layers move points by at most Σ‖û‖, and
    /// the base's mass beyond is negligible; the rectangle rule on a smooth, fast-decaying density converges fast).
    func testDensityIntegratesToOne() {
        let flow = makeFlow()
        let resolution = 601, extent = 20.0
        let logDensity = flow.logDensityGrid(x: -extent...extent, y: -extent...extent, resolution: resolution)
        let h = 2 * extent / Double(resolution - 1)
        let mass = logDensity.scalars.reduce(0) { $0 + exp($1) } * h * h
        XCTAssertEqual(mass, 1, accuracy: 1e-6)
    }

    func testGradientsMatchFiniteDifferences() throws {
        let flow = makeFlow()
        let parameters = [flow.u, flow.w, flow.b]
        let originals = parameters.map(\.value)
        defer { for (p, v) in zip(parameters, originals) { p.value = v } }
        let report = try checkGradients(at: originals + [x]) { xs in
            for (p, v) in zip(parameters, xs) { p.value = v }
            return flow.logLikelihood(xs[3])
        }
        XCTAssertLessThanOrEqual(report.maxScaledError, 1e-6, "\(report)")
        XCTAssertEqual(report.checkedDirections, 6 * 2 * 2 + 6 + 8)
    }
}
