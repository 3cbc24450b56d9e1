import XCTest
@testable import Autodiff

/// Forward mode (JVPs), Hessian–vector products, Jacobians (whole and per sample) and divergences, each
/// against an oracle computed from first derivatives or finite differences.
final class DerivativeOperatorTests: XCTestCase {
    /// A small two-layer network, [B, 3] → [B, 3], samples independent.
    struct Field {
        let w1 = Tensor<Double>(shape: [3, 5], scalars: (0..<15).map { sin(Double($0) * 1.3) * 0.7 })
        let b1 = Tensor<Double>(shape: [5], scalars: (0..<5).map { cos(Double($0)) * 0.2 })
        let w2 = Tensor<Double>(shape: [5, 3], scalars: (0..<15).map { cos(Double($0) * 0.9) * 0.6 })
        func callAsFunction(_ z: Tensor<Double>) -> Tensor<Double> { matmul(tanh(matmul(z, w1) + b1), w2) * z }
    }
    let z = Tensor<Double>(shape: [4, 3], scalars: (0..<12).map { sin(Double($0) * 0.7) })

    /// The Jacobian by finite differences of `f` (central, h = 1e-6), `[outputs, inputs]`.
    func finiteDifferenceJacobian(_ f: (Tensor<Double>) -> Tensor<Double>, at x: Tensor<Double>) -> [[Double]] {
        let n = x.scalarCount, h = 1e-6
        var columns: [[Double]] = []
        for j in 0..<n {
            var plus = x.scalars, minus = x.scalars
            plus[j] += h
            minus[j] -= h
            let fp = f(Tensor(shape: x.shape, scalars: plus)).scalars, fm = f(Tensor(shape: x.shape, scalars: minus)).scalars
            columns.append(zip(fp, fm).map { ($0 - $1) / (2 * h) })
        }
        return (0..<columns[0].count).map { i in columns.map { $0[i] } }
    }

    func testJVPMatchesFiniteDifferencesAndTransposesTheVJP() throws {
        let f = Field()
        let u = Tensor<Double>(shape: [4, 3], scalars: (0..<12).map { cos(Double($0) * 1.1) })
        let v = Tensor<Double>(shape: [4, 3], scalars: (0..<12).map { sin(Double($0) * 2.3) })
        let (value, tangent) = try jvp(at: z, along: u) { f($0) }
        XCTAssertEqual(value.scalars, f(z).scalars)
        let jacobianFD = finiteDifferenceJacobian({ f($0) }, at: z)
        for i in 0..<12 {
            let expected = zip(jacobianFD[i], u.scalars).reduce(0) { $0 + $1.0 * $1.1 }
            XCTAssertEqual(tangent.scalars[i], expected, accuracy: 1e-8)
        }
        // ⟨v, J u⟩ = ⟨vᵀJ, u⟩.
        let (_, vjpResult) = try vjp(at: z, cotangent: v) { f($0) }
        let left = zip(v.scalars, tangent.scalars).reduce(0) { $0 + $1.0 * $1.1 }
        let right = zip(vjpResult.scalars, u.scalars).reduce(0) { $0 + $1.0 * $1.1 }
        XCTAssertEqual(left, right, accuracy: 1e-12 * Swift.max(1, abs(left)))
    }

    func testAJVPInsideAReverseModeDerivative() throws {
        // g(x) = ⟨J_f(x)·u, w⟩ differentiated in reverse: against finite differences of g.
        let f = Field()
        let u = Tensor<Double>(shape: [4, 3], scalars: (0..<12).map { cos(Double($0) * 1.1) })
        let w = Tensor<Double>(shape: [4, 3], scalars: (0..<12).map { sin(Double($0) * 0.4) })
        let report = try checkGradients(at: [z]) { xs in (try jvp(at: xs[0], along: u) { f($0) }.tangent * w).sum() }
        XCTAssertLessThan(report.maxRelativeError, 1e-6, "\(report)")
    }

    func testHessianVectorProductOfRosenbrock() throws {
        // f = (1 − x)² + 100(y − x²)²; H = [[2 − 400y + 1200x², −400x], [−400x, 200]].
        let rosenbrock: (Tensor<Double>) -> Tensor<Double> = { p in
            let x = p.sliced(0..<1, axis: 0), y = p.sliced(1..<2, axis: 0)
            let a = 1 - x, b = y - x * x
            return (a * a + 100 * b * b).sum()
        }
        for (x, y) in [(0.5, -0.25), (1.0, 1.0), (-1.2, 1.0)] {
            let v = Tensor<Double>([0.3, -0.7])
            let hv = try hessianVectorProduct(at: Tensor([x, y]), along: v, of: rosenbrock)
            let h = [[2 - 400 * y + 1200 * x * x, -400 * x], [-400 * x, 200]]
            XCTAssertEqual(hv.scalars[0], h[0][0] * 0.3 + h[0][1] * -0.7, accuracy: 1e-10)
            XCTAssertEqual(hv.scalars[1], h[1][0] * 0.3 + h[1][1] * -0.7, accuracy: 1e-10)
        }
    }

    func testJacobianByRowsAndByColumnsMatchFiniteDifferences() throws {
        let f = Field()
        let fd = finiteDifferenceJacobian({ f($0) }, at: z)
        // Square: by rows.
        let j = try jacobian(at: z) { f($0) }
        XCTAssertEqual(j.shape, [4, 3, 4, 3])
        // More outputs than inputs: by columns.
        let x = Tensor<Double>([0.3, -0.8])
        let wide: (Tensor<Double>) -> Tensor<Double> = { x in tanh(matmul(x.reshaped([1, 2]), Field().w1.sliced(0..<2, axis: 0))) }
        let jw = try jacobian(at: x, of: wide)
        XCTAssertEqual(jw.shape, [1, 5, 2])
        let fdw = finiteDifferenceJacobian(wide, at: x)
        for i in 0..<5 { for k in 0..<2 { XCTAssertEqual(jw.scalars[i * 2 + k], fdw[i][k], accuracy: 1e-8) } }
        for i in 0..<12 { for k in 0..<12 { XCTAssertEqual(j.scalars[i * 12 + k], fd[i][k], accuracy: 1e-8) } }
    }

    func testBatchedJacobianHoldsTheDiagonalBlocks() throws {
        let f = Field()
        let fd = finiteDifferenceJacobian({ f($0) }, at: z)
        let blocks = try batchedJacobian(at: z) { f($0) }
        XCTAssertEqual(blocks.shape, [4, 3, 3])
        for b in 0..<4 { for i in 0..<3 { for k in 0..<3 {
            XCTAssertEqual(blocks.scalars[(b * 3 + i) * 3 + k], fd[b * 3 + i][b * 3 + k], accuracy: 1e-8)
        } } }
    }

    func testExactDivergenceIsTheTraceOfTheFiniteDifferenceJacobian() throws {
        let f = Field()
        let fd = finiteDifferenceJacobian({ f($0) }, at: z)
        let (value, divergence) = try valueWithDivergence(at: z) { f($0) }
        XCTAssertEqual(value.scalars, f(z).scalars)
        for b in 0..<4 {
            let trace = (0..<3).reduce(0) { $0 + fd[b * 3 + $1][b * 3 + $1] }
            XCTAssertEqual(divergence.scalars[b], trace, accuracy: 1e-8)
        }
    }

    /// The exact divergence with a probe's vector–Jacobian product from the same evaluation: εᵀJ against
    /// the finite-difference Jacobian, the divergence as without a probe.
    func testExactDivergenceWithAProbeAlsoReturnsItsVectorJacobianProduct() throws {
        let f = Field()
        let fd = finiteDifferenceJacobian({ f($0) }, at: z)
        var generator = SeededGenerator(seed: 3)
        let epsilon: Tensor<Double> = HutchinsonNoise.gaussian.sample(z.shape, using: &generator)
        let (value, divergence, product) = try valueWithDivergence(at: z, noise: epsilon) { f($0) }
        XCTAssertEqual(value.scalars, f(z).scalars)
        XCTAssertEqual(divergence.scalars, try valueWithDivergence(at: z) { f($0) }.divergence.scalars)
        for column in 0..<12 {
            let expected = (0..<12).reduce(0) { $0 + epsilon.scalars[$1] * fd[$1][column] }
            XCTAssertEqual(product.scalars[column], expected, accuracy: 1e-8)
        }
    }

    func testHutchinsonsEstimatorIsUnbiased() throws {
        let f = Field()
        let (_, exact) = try valueWithDivergence(at: z) { f($0) }
        for noise in HutchinsonNoise.allCases {
            var generator = SeededGenerator(seed: 7)
            let draws = 10_000
            var sum = [Double](repeating: 0, count: 4), sumOfSquares = [Double](repeating: 0, count: 4)
            for _ in 0..<draws {
                let epsilon: Tensor<Double> = noise.sample(z.shape, using: &generator)
                let (_, estimate, product) = try valueWithDivergenceEstimate(at: z, noise: epsilon) { f($0) }
                XCTAssertEqual(product.shape, z.shape)
                for b in 0..<4 { sum[b] += estimate.scalars[b]; sumOfSquares[b] += estimate.scalars[b] * estimate.scalars[b] }
            }
            for b in 0..<4 {
                let mean = sum[b] / Double(draws)
                let variance = (sumOfSquares[b] / Double(draws) - mean * mean) * Double(draws) / Double(draws - 1)
                let standardError = (variance / Double(draws)).squareRoot()
                XCTAssertLessThan(abs(mean - exact.scalars[b]), 4 * standardError,
                                  "\(noise) sample \(b): mean \(mean), exact \(exact.scalars[b]), se \(standardError)")
            }
        }
    }

    func testTheDivergenceIsDifferentiableWithRespectToTheFieldsParameters() throws {
        let f = Field()
        let report = try checkGradients(at: [f.w1, f.w2]) { ws in
            let (_, divergence) = try valueWithDivergence(at: z) { z in matmul(tanh(matmul(z, ws[0]) + f.b1), ws[1]) * z }
            return divergence.squared().sum()
        }
        XCTAssertLessThan(report.maxRelativeError, 1e-6, "\(report)")
        var generator = SeededGenerator(seed: 11)
        let epsilon: Tensor<Double> = HutchinsonNoise.rademacher.sample(z.shape, using: &generator)
        let estimated = try checkGradients(at: [f.w1, f.w2]) { ws in
            let (_, divergence, product) = try valueWithDivergenceEstimate(at: z, noise: epsilon) { z in
                matmul(tanh(matmul(z, ws[0]) + f.b1), ws[1]) * z
            }
            return divergence.sum() + product.squared().sum()
        }
        XCTAssertLessThan(estimated.maxRelativeError, 1e-6, "\(estimated)")
    }
}
