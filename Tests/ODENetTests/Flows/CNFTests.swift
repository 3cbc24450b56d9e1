import XCTest
import Autodiff
import Solvers
@testable import ODENet

/// Continuous normalizing flows against closed forms (a linear field: the matrix exponential), finite
/// differences (traces and gradients in every mode) and their own inverse.
final class CNFTests: XCTestCase {
    let a: [Double] = [0.3, -0.8, 0.5, -0.2]
    let x = Tensor<Double>(shape: [3, 2], scalars: [0.5, -0.4, 1.2, 0.3, -0.7, 0.9])

    // MARK: Closed forms

    func testLinearFieldMatchesMatrixExponentialInBothDirectionsOfTime() throws {
        for (dataTime, baseTime) in [(0.0, 1.0), (10.0, 9.2)] {
            let length = baseTime - dataTime
            let block = CNFBlock(LinearFieldOracle.linearField(a, size: 2), dimensions: 2, dataTime: dataTime, baseTime: baseTime,
                                 relativeTolerance: 1e-11, absoluteTolerance: 1e-11)
            let flow = ContinuousNormalizingFlow(block, base: .isotropicGaussian(variance: 0.1))
            let result = try flow(x)
            let e = LinearFieldOracle.matrixExponential(a.map { $0 * length }, size: 2)
            let trace = (a[0] + a[3]) * length
            for row in 0..<3 {
                let xr = [x.scalars[2 * row], x.scalars[2 * row + 1]]
                let z = [e[0] * xr[0] + e[1] * xr[1], e[2] * xr[0] + e[3] * xr[1]]
                let logBase = -0.5 * (z[0] * z[0] + z[1] * z[1]) / 0.1 - log(2 * Double.pi * 0.1)
                XCTAssertEqual(result.points.scalars[2 * row], z[0], accuracy: 1e-9)
                XCTAssertEqual(result.points.scalars[2 * row + 1], z[1], accuracy: 1e-9)
                XCTAssertEqual(result.logLikelihood.scalars[row], logBase + trace, accuracy: 1e-8,
                               "data time \(dataTime), base time \(baseTime)")
            }
        }
    }

    func testRegularizersMatchTheirIntegralsForALinearField() throws {
        let seed: UInt64 = 11
        let block = CNFBlock(LinearFieldOracle.linearField(a, size: 2), dimensions: 2, dataTime: 0, baseTime: 0.7,
                             relativeTolerance: 1e-11, absoluteTolerance: 1e-11,
                             regularization: DynamicsRegularization(kineticEnergy: 0.5, jacobianFrobenius: 0.25), seed: seed)
        let result = try ContinuousNormalizingFlow(block)(x)
        // The block's probe: the first draw of its generator.
        var generator = SeededGenerator(seed: seed)
        let probe = HutchinsonNoise.gaussian.sample([3, 2], as: Double.self, using: &generator).scalars
        let (kinetic, jacobian) = LinearFieldOracle.regularizerIntegrals(a, points: x.scalars, probe: probe,
                                                                         length: 0.7)
        for row in 0..<3 {
            XCTAssertEqual(result.kineticEnergy!.scalars[row], kinetic[row], accuracy: 1e-9)
            XCTAssertEqual(result.jacobianFrobenius!.scalars[row], jacobian[row], accuracy: 1e-9)
        }
        let expectedLoss = 0.5 * kinetic.reduce(0, +) / 3 + 0.25 * jacobian.reduce(0, +) / 3
        XCTAssertEqual(result.regularizationLoss.scalar, expectedLoss, accuracy: 1e-9)
        // Evaluation passes leave the regularisers out.
        let evaluation = try ContinuousNormalizingFlow(block).logLikelihood(x).scalars
        for (a, b) in zip(evaluation, result.logLikelihood.scalars) { XCTAssertEqual(a, b, accuracy: 1e-9) }
    }

    /// STEER: training passes end at a base time drawn uniformly from (t_base − b, t_base + b); evaluation
    /// passes at t_base. With f(z) = a·z the end time of a pass is log(z/x)/a.
    func testEndTimeJitterDrawsTheBaseTimeUniformlyOnTrainingPassesOnly() throws {
        let a = 0.6, length = 1.5, b = 0.4
        let block = CNFBlock(LinearFieldOracle.linearField([a, 0, 0, a], size: 2), dimensions: 2, dataTime: 0, baseTime: length,
                             relativeTolerance: 1e-10, absoluteTolerance: 1e-10, seed: 3)
        block.endTimeJitter = b
        let flow = ContinuousNormalizingFlow(block)
        let point = Tensor<Double>(shape: [1, 2], scalars: [0.7, -0.2])
        var ends: [Double] = []
        for _ in 0..<200 {
            let z = try flow(point).points.scalars[0]
            ends.append(log(z / 0.7) / a)
        }
        XCTAssertGreaterThan(ends.min()!, length - b)
        XCTAssertLessThan(ends.max()!, length + b)
        XCTAssertLessThan(ends.min()!, length - 0.8 * b, "the draws should cover the interval")
        XCTAssertGreaterThan(ends.max()!, length + 0.8 * b)
        let mean = ends.reduce(0, +) / Double(ends.count)
        XCTAssertEqual(mean, length, accuracy: 4 * 2 * b / 12.0.squareRoot() / Double(ends.count).squareRoot())
        // Evaluation: exactly t_base.
        let evaluated = try flow.inverse(try flow.base.sample(1, dimensions: 2, as: Double.self,
                                                              using: &block.probeGenerator)).points
        let back = try withoutRecording(Double.self) { try flow.logLikelihood(evaluated) }
        let exact = flow.base.logDensity(evaluated * Tensor(exp(a * length))).scalars[0] + 2 * a * length
        XCTAssertEqual(back.scalars[0], exact, accuracy: 1e-8)
    }

    // MARK: Traces

    func testExactTraceColumnMatchesFiniteDifferenceJacobianTrace() throws {
        let field = SmallMLPDynamics<Double>(timeDependent: true)
        let dynamics = FlowDynamics(field: field, trace: .exact, regularization: .none, dataTime: 0.2, fixedLength: 0.9,
                                    endTimeRoot: nil, sign: 1, dimensions: 2, batch: 3, noise: nil)
        let state = concatenated([x.reshaped([6]), Tensor<Double>.zeros([3])], axis: 0)
        let s = 0.4, t = Tensor(0.2 + s * 0.9)
        let out = try dynamics(Tensor(s), state)
        let h = 1e-6
        for row in 0..<3 {
            var trace = 0.0
            for i in 0..<2 {
                var plus = x.scalars, minus = x.scalars
                plus[2 * row + i] += h
                minus[2 * row + i] -= h
                let fp = try field(t, Tensor(shape: [3, 2], scalars: plus)).scalars[2 * row + i]
                let fm = try field(t, Tensor(shape: [3, 2], scalars: minus)).scalars[2 * row + i]
                trace += (fp - fm) / (2 * h)
            }
            XCTAssertEqual(out.scalars[6 + row], 0.9 * trace, accuracy: 1e-8)
        }
    }

    func testHutchinsonLogLikelihoodIsUnbiased() throws {
        let field = SmallMLPDynamics<Double>(seed: 3)
        let exact = try ContinuousNormalizingFlow(CNFBlock(field, dimensions: 2, relativeTolerance: 1e-9,
                                                           absoluteTolerance: 1e-9)).logLikelihood(x).scalars
        for noise in HutchinsonNoise.allCases {
            let block = CNFBlock(field, dimensions: 2, trace: .hutchinson(noise), relativeTolerance: 1e-9,
                                 absoluteTolerance: 1e-9, seed: 5)
            let flow = ContinuousNormalizingFlow(block)
            let draws = 300
            var sums = [Double](repeating: 0, count: 3), squares = sums
            for _ in 0..<draws {
                let estimate = try flow.logLikelihood(x).scalars
                for row in 0..<3 {
                    sums[row] += estimate[row]
                    squares[row] += estimate[row] * estimate[row]
                }
            }
            for row in 0..<3 {
                let mean = sums[row] / Double(draws)
                let variance = squares[row] / Double(draws) - mean * mean
                XCTAssertGreaterThan(variance, 1e-8, "\(noise): the estimate should vary between probes")
                XCTAssertEqual(mean, exact[row], accuracy: 4 * (variance / Double(draws)).squareRoot() + 1e-6,
                               "\(noise), row \(row)")
            }
        }
    }

    // MARK: Inverse

    func testSamplingThenEvaluatingGivesBackTheSampleDensity() throws {
        let blocks = [SmallMLPDynamics<Double>(seed: 1), SmallMLPDynamics<Double>(seed: 2)].map {
            CNFBlock($0, dimensions: 2, dataTime: 0, baseTime: 0.8, relativeTolerance: 1e-10, absoluteTolerance: 1e-10)
        }
        let flow = ContinuousNormalizingFlow(blocks, base: .diagonalGaussian(variances: [0.5, 2]))
        var generator = SeededGenerator(seed: 9)
        let samples = try flow.sample(20, using: &generator)
        let evaluated = try flow(samples.points)
        for (a, b) in zip(samples.logLikelihood.scalars, evaluated.logLikelihood.scalars) {
            XCTAssertEqual(a, b, accuracy: 1e-7)
        }
        // And the base points are the drawn ones.
        var again = SeededGenerator(seed: 9)
        let z = flow.base.sample(20, dimensions: 2, as: Double.self, using: &again)
        for (a, b) in zip(evaluated.points.scalars, z.scalars) { XCTAssertEqual(a, b, accuracy: 1e-7) }
    }

    // MARK: Gradients

    /// d(−mean log p)/d(data, parameters, sqrt_end_time) against central differences.
    func checkGradients(mode: GradientMode, trace: TraceEstimator, file: StaticString = #filePath,
                        line: UInt = #line) throws {
        let block = CNFBlock(SmallMLPDynamics<Double>(timeDependent: true), dimensions: 2, dataTime: 0.1, baseTime: 1.2,
                             trainsEndTime: true, trace: trace, relativeTolerance: 1e-10, absoluteTolerance: 1e-10,
                             gradientMode: mode, seed: 4)
        let flow = ContinuousNormalizingFlow(block)
        let parameters = flow.parameters(of: Double.self)
        XCTAssertEqual(parameters.count, 6, file: file, line: line)   // w1, b1, w2, b2, time weight, sqrt_end_time
        let originals = parameters.map(\.value)
        defer { for (p, v) in zip(parameters, originals) { p.value = v } }
        var failure: Error?
        let report = try Autodiff.checkGradients(at: [x] + originals, stepSize: 1e-4, elementwiseLimit: 0,
                                                 randomDirections: 4) { xs in
            for (p, v) in zip(parameters, xs[1...]) { p.value = v }
            // The same probe for every evaluation: reseed before each pass.
            block.probeGenerator = SeededGenerator(seed: 4)
            do {
                return try flow(xs[0]).negativeLogLikelihood
            } catch {
                failure = error
                return Tensor(0)
            }
        }
        if let failure { throw failure }
        XCTAssertLessThanOrEqual(report.maxScaledError, 1e-5, "\(mode), \(trace): \(report)", file: file, line: line)
        XCTAssertGreaterThanOrEqual(report.checkedDirections, 4 * 7, file: file, line: line)
    }

    func testGradientsMatchFiniteDifferencesDirect() throws { try checkGradients(mode: .direct, trace: .exact) }
    func testGradientsMatchFiniteDifferencesCheckpointed() throws { try checkGradients(mode: .checkpointed, trace: .exact) }
    func testGradientsMatchFiniteDifferencesAdjoint() throws {
        try checkGradients(mode: .adjoint(AdjointOptions(relativeTolerance: 1e-10, absoluteTolerance: 1e-10)), trace: .exact)
    }
    func testGradientsMatchFiniteDifferencesAdjointHutchinson() throws {
        try checkGradients(mode: .adjoint(AdjointOptions(relativeTolerance: 1e-10, absoluteTolerance: 1e-10)),
                           trace: .hutchinson(.rademacher))
    }

    func testAdjointAndDirectGradientsAgreeForTheSameProbe() throws {
        func gradients(_ mode: GradientMode) throws -> [Tensor<Double>] {
            let block = CNFBlock(SmallMLPDynamics<Double>(seed: 8), dimensions: 2, trace: .hutchinson(.gaussian),
                                 relativeTolerance: 1e-10, absoluteTolerance: 1e-10, gradientMode: mode, seed: 21)
            let flow = ContinuousNormalizingFlow(block)
            let parameters = flow.parameters(of: Double.self)
            return try valueWithGradient(at: parameters.map(\.value)) { values in
                for (p, v) in zip(parameters, values) { p.value = v }
                return try flow(x).negativeLogLikelihood
            }.gradients
        }
        let direct = try gradients(.direct)
        let adjoint = try gradients(.adjoint(AdjointOptions(relativeTolerance: 1e-10, absoluteTolerance: 1e-10)))
        for (d, a) in zip(direct, adjoint) {
            let scale = max(1e-3, d.scalars.map(abs).max()!)
            for (u, v) in zip(d.scalars, a.scalars) { XCTAssertEqual(u, v, accuracy: 1e-6 * scale) }
        }
    }
}
