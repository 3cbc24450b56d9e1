import XCTest
import Solvers

final class StepSizeControllerTests: XCTestCase {
    let controller = StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-9)

    func testRejectsWhenTheErrorRatioExceedsOneAndShrinksByTheIFormula() {
        var memory = ControllerMemory()
        let d = controller.decide(errorRatio: 32, stepSize: 0.1, errorEstimateOrder: 4, memory: &memory)
        XCTAssertFalse(d.isAccepted)
        XCTAssertEqual(d.nextStepSize, 0.1 * max(0.2, 0.9 * pow(32, -1.0 / 5)), accuracy: 1e-15)
    }

    func testAnAcceptedStepMayShrinkUnlessTheTorchdiffeqRuleIsOnAndGrowsAtMostTheMaximumFactor() {
        var memory = ControllerMemory()
        let almost = controller.decide(errorRatio: 0.99, stepSize: 0.1, errorEstimateOrder: 4, memory: &memory)
        XCTAssertTrue(almost.isAccepted)
        XCTAssertEqual(almost.nextStepSize, 0.1 * 0.9 * pow(0.99, -1.0 / 5), accuracy: 1e-15)
        XCTAssertLessThan(almost.nextStepSize, 0.1)
        let tiny = controller.decide(errorRatio: 1e-12, stepSize: 0.1, errorEstimateOrder: 4, memory: &memory)
        XCTAssertEqual(tiny.nextStepSize, 1.0, accuracy: 1e-15)
        var torchdiffeq = controller
        torchdiffeq.acceptedStepsNeverShrink = true
        XCTAssertTrue(StepSizeController.torchdiffeq().acceptedStepsNeverShrink)
        var fresh = ControllerMemory()
        XCTAssertEqual(torchdiffeq.decide(errorRatio: 0.99, stepSize: 0.1, errorEstimateOrder: 4, memory: &fresh).nextStepSize, 0.1)
    }

    /// The PID filter against Söderlind's form h·safety·Π r_{n−j}^(−β_{j+1}/k)·(h_n/h_{n−1})^(−α), computed from
    /// each preset's published β values (not from its gains), over a run of accepted steps.
    func testPIDFiltersMatchSoderlindsFormWithThePublishedBetas() {
        let presets: [(ControllerGains, (Double, Double, Double), Double)] = [
            (.pi34, (0.7, -0.4, 0), 0), (.pi33, (2.0 / 3, -1.0 / 3, 0), 0), (.pi42, (0.6, -0.2, 0), 0),
            (.h211PI, (1.0 / 6, 1.0 / 6, 0), 0), (.h211b, (0.25, 0.25, 0), 0.25),
            (.h312PID, (1.0 / 18, 1.0 / 9, 1.0 / 18), 0), (.hairerPI, (0.85, -0.2, 0), 0),
            (.integralOnly, (1, 0, 0), 0), (ControllerGains(proportional: 0.4, integral: 0.3), (0.7, -0.4, 0), 0),
        ]
        let ratios = [0.5, 0.8, 0.3, 0.9, 0.05], sizes = [0.1, 0.13, 0.11, 0.2, 0.17]
        for (gains, beta, alpha) in presets {
            var c = controller
            c.gains = gains
            c.maximumFactor = 100
            c.minimumFactor = 0.01
            var memory = ControllerMemory()
            var history: [(r: Double, h: Double)] = []
            for (r, h) in zip(ratios, sizes) {
                let d = c.decide(errorRatio: r, stepSize: h, errorEstimateOrder: 4, memory: &memory)
                let r1 = history.last?.r ?? 1, r2 = history.count >= 2 ? history[history.count - 2].r : 1
                var factor = 0.9 * pow(r, -beta.0 / 5) * pow(r1, -beta.1 / 5) * pow(r2, -beta.2 / 5)
                if let previous = history.last?.h { factor *= pow(h / previous, -alpha) }
                XCTAssertTrue(d.isAccepted)
                XCTAssertEqual(d.nextStepSize, h * factor, accuracy: 1e-13 * h * factor, "\(gains) after \(history.count) steps")
                history.append((r, h))
            }
        }
    }

    func testNonFiniteRatioRejectsWithTheMinimumFactor() {
        var memory = ControllerMemory()
        for r in [Double.nan, .infinity] {
            let d = controller.decide(errorRatio: r, stepSize: -0.5, errorEstimateOrder: 4, memory: &memory)
            XCTAssertFalse(d.isAccepted)
            XCTAssertEqual(d.nextStepSize, 0.1, accuracy: 1e-15)
        }
    }

    func testNoGrowthRightAfterARejectionUnderHairersRuleOnly() {
        var torchdiffeq = controller
        torchdiffeq.limitsGrowthAfterRejection = false
        XCTAssertFalse(StepSizeController.torchdiffeq().limitsGrowthAfterRejection)
        for (c, limits) in [(torchdiffeq, false), (controller, true)] {
            var memory = ControllerMemory()
            _ = c.decide(errorRatio: 4, stepSize: 0.1, errorEstimateOrder: 4, memory: &memory)
            let d = c.decide(errorRatio: 1e-6, stepSize: 0.05, errorEstimateOrder: 4, memory: &memory)
            XCTAssertTrue(d.isAccepted)
            XCTAssertEqual(d.nextStepSize, limits ? 0.05 : 0.05 * min(10, 0.9 * pow(1e-6, -1.0 / 5)), accuracy: 1e-15)
            // The rule applies to the one step after a rejection only.
            let later = c.decide(errorRatio: 1e-6, stepSize: 0.05, errorEstimateOrder: 4, memory: &memory)
            XCTAssertEqual(later.nextStepSize, 0.05 * min(10, 0.9 * pow(1e-6, -1.0 / 5)), accuracy: 1e-15)
        }
    }

    func testStepLimitsClampTheProposal() {
        var c = controller
        c.maximumStepSize = 0.3
        c.minimumStepSize = 0.01
        var memory = ControllerMemory()
        XCTAssertEqual(c.decide(errorRatio: 1e-9, stepSize: 0.1, errorEstimateOrder: 4, memory: &memory).nextStepSize, 0.3)
        XCTAssertEqual(c.decide(errorRatio: 1e9, stepSize: 0.02, errorEstimateOrder: 4, memory: &memory).nextStepSize, 0.01)
    }

    /// The four-lane RMS of scalar tolerances equals the component-wise definition (to rounding), for every
    /// tail length, over a seminorm's range, and for Float states.
    func testScalarToleranceNormMatchesTheComponentwiseDefinition() {
        var g = SystemRandomNumberGenerator()
        for count in [1, 3, 4, 5, 8, 11, 64, 1001] {
            let e = (0..<count).map { _ in Double.random(in: -1e-6...1e-6, using: &g) }
            let y0 = (0..<count).map { _ in Double.random(in: -3...3, using: &g) }
            let y1 = (0..<count).map { _ in Double.random(in: -3...3, using: &g) }
            for norm in [ErrorNorm.rms, .maximum, .rms(over: 0..<(count + 1) / 2)] {
                let range = norm.components ?? 0..<count
                let terms = range.map { i in abs(e[i]) / (1e-9 + 1e-6 * max(abs(y0[i]), abs(y1[i]))) }
                let expected = norm.kind == .rms
                    ? (terms.map { $0 * $0 }.reduce(0, +) / Double(terms.count)).squareRoot() : terms.max()!
                let fast = norm.scaledNorm(of: e, start: y0, end: y1, relativeTolerance: 1e-6, absoluteTolerance: 1e-9)
                XCTAssertEqual(fast, expected, accuracy: 1e-13 * expected, "\(norm) over \(count)")
                let float = norm.scaledNorm(of: e.map { Float($0) }, start: y0.map { Float($0) }, end: y1.map { Float($0) },
                                            relativeTolerance: 1e-6, absoluteTolerance: 1e-9)
                XCTAssertEqual(float, expected, accuracy: 1e-5 * expected, "Float, \(norm) over \(count)")
            }
        }
    }

    func testErrorRatioUsesTheMixedScaleAndTheChosenNorm() {
        let y0: [Double] = [1, -4]
        let y1: [Double] = [2, 3]
        let err: [Double] = [1e-6, 2e-6]
        let scale = [1e-9 + 1e-6 * 2, 1e-9 + 1e-6 * 4]
        let scaled = [err[0] / scale[0], err[1] / scale[1]]
        let rms = errorRatio(error: err, secondaryError: nil, start: y0, end: y1, relativeTolerance: 1e-6,
                             absoluteTolerance: 1e-9, norm: .rms)
        XCTAssertEqual(rms, ((scaled[0] * scaled[0] + scaled[1] * scaled[1]) / 2).squareRoot(), accuracy: 1e-12)
        let maximum = errorRatio(error: err, secondaryError: nil, start: y0, end: y1, relativeTolerance: 1e-6,
                                 absoluteTolerance: 1e-9, norm: .maximum)
        XCTAssertEqual(maximum, scaled.max()!, accuracy: 1e-12)
        let semi = errorRatio(error: err, secondaryError: nil, start: y0, end: y1, relativeTolerance: 1e-6,
                              absoluteTolerance: 1e-9, norm: .rms(over: 1..<2))
        XCTAssertEqual(semi, scaled[1], accuracy: 1e-12)
        let bad = errorRatio(error: err, secondaryError: nil, start: y0, end: [2, .nan], relativeTolerance: 1e-6,
                             absoluteTolerance: 1e-9, norm: .rms)
        XCTAssertEqual(bad, .infinity)
    }

    /// The grouped norm (torchdiffeq's for tuple states) is the largest of the group norms, each computed
    /// over its own components; components in no group do not count; per-component tolerances take the
    /// same path.
    func testGroupedNormIsTheLargestGroupNormAndIgnoresUngroupedComponents() {
        let e = (0..<11).map { 1e-6 * sin(1.3 * Double($0) + 0.2) }
        let y0 = (0..<11).map { 3 * cos(0.7 * Double($0)) }
        let y1 = (0..<11).map { 3 * sin(0.9 * Double($0) + 1) }
        let groups = [0..<6, 6..<9]
        for kind in [ErrorNorm.Kind.rms, .maximum] {
            let expected = groups.map {
                ErrorNorm(kind: kind, components: $0).scaledNorm(of: e, start: y0, end: y1, relativeTolerance: 1e-6,
                                                                 absoluteTolerance: 1e-9)
            }.max()!
            let norm = ErrorNorm.largest(kind, over: groups)
            XCTAssertEqual(norm.scaledNorm(of: e, start: y0, end: y1, relativeTolerance: 1e-6, absoluteTolerance: 1e-9),
                           expected, accuracy: 1e-14 * expected)
            XCTAssertEqual(norm.scaledNorm(of: e, start: y0, end: y1, relativeTolerance: .perComponent([Double](repeating: 1e-6, count: 11)),
                                           absoluteTolerance: .scalar(1e-9)), expected, accuracy: 1e-12 * expected)
            // The two components in no group may be anything.
            var wild = e
            wild[9] = 1e3
            wild[10] = Double.nan
            XCTAssertEqual(norm.scaledNorm(of: wild, start: y0, end: y1, relativeTolerance: 1e-6, absoluteTolerance: 1e-9),
                           expected, accuracy: 1e-14 * expected)
        }
        XCTAssertEqual("\(ErrorNorm.largest(.rms, over: groups))", "largest(.rms, over: [Range(0..<6), Range(6..<9)])")
        let controller = StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-9, norm: .largest(.rms, over: [0..<12]))
        let decay = ODEProblem<[Double]>(timeSpan: TimeSpan(start: 0, end: 1), initialState: [Double](repeating: 1, count: 11)) {
            _, y, dy in for i in 0..<11 { dy[i] = -y[i] }
        }
        XCTAssertThrowsError(try solve(decay, using: .dormandPrince54, controller: controller)) { error in
            XCTAssertTrue("\(error)".contains("norm.groups"), "\(error)")
        }
    }
}

/// What the torchdiffeq rule (an accepted step is never followed by a smaller one) costs at tight tolerances.
final class NeverShrinkRuleTests: XCTestCase {
    /// Kepler's problem with eccentricity 0.6 over about three orbits (Hairer, Nørsett & Wanner, §II.10).
    static var kepler: ODEProblem<[Double]> {
        let e = 0.6
        return ODEProblem(timeSpan: TimeSpan(start: 0, end: 20),
                          initialState: [1 - e, 0, 0, ((1 + e) / (1 - e)).squareRoot()]) { _, y, dy in
            let r3 = pow(y[0] * y[0] + y[1] * y[1], 1.5)
            dy[0] = y[2]
            dy[1] = y[3]
            dy[2] = -y[0] / r3
            dy[3] = -y[1] / r3
        }
    }

    func testLettingAcceptedStepsShrinkAvoidsRejectionsAtTightTolerances() throws {
        var plain = StepSizeController(relativeTolerance: 1e-10, absoluteTolerance: 1e-10)
        var neverShrink = plain
        neverShrink.acceptedStepsNeverShrink = true
        for method in [EmbeddedRungeKutta.dormandPrince54, .tsitouras54] {
            let free = try solve(Self.kepler, using: method, controller: plain, saveAt: .end).statistics
            let rule = try solve(Self.kepler, using: method, controller: neverShrink, saveAt: .end).statistics
            XCTAssertLessThan(free.rejectedSteps, rule.rejectedSteps, "\(method)")
            XCTAssertLessThan(free.functionEvaluations, rule.functionEvaluations, "\(method)")
        }
        plain.gains = .pi34
        XCTAssertNoThrow(try solve(Self.kepler, using: .dormandPrince54, controller: plain, saveAt: .end))
    }
}
