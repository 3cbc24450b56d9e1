import Foundation
import XCTest
import Solvers

final class ConvergenceOrderTests: XCTestCase {
    /// Fits the slope over the four finest step sizes (from a geometric ladder of step counts) whose
    /// errors lie between 1e-12 and 1e-2 (relative to the solution's size): asymptotic, yet above rounding.
    func observedOrder<M: RungeKuttaMethod>(_ method: M, problem: ODEProblem<[Double]>, exact: [Double],
                                            file: StaticString = #filePath, line: UInt = #line) throws -> Double {
        var hs: [Double] = [], errors: [Double] = []
        let length = abs(problem.timeSpan.end - problem.timeSpan.start)
        let scale = max(1, exact.map(abs).max()!)
        var counts = Set<Int>()
        for k in 4...52 { counts.insert(Int(pow(2, Double(k) / 4).rounded())) }
        for n in counts.sorted() {
            let solution = try solve(problem, using: method, stepCount: n)
            let error = maxAbsDifference(solution.finalState, exact) / scale
            if ProcessInfo.processInfo.environment["PRINT_ERRORS"] != nil { print("\(method) n=\(n) err=\(error)") }
            if error < 1e-12 { break }
            if error <= 1e-2 {
                hs.append(length / Double(n))
                errors.append(error)
            }
        }
        XCTAssertGreaterThanOrEqual(hs.count, 4, "\(method): too few usable step sizes", file: file, line: line)
        return logLogSlope(Array(hs.suffix(4)), Array(errors.suffix(4)))
    }

    func checkOrder<M: RungeKuttaMethod>(_ method: M, file: StaticString = #filePath, line: UInt = #line) throws {
        let p = method.tableau.order
        let linear = try observedOrder(method, problem: linearProblem(end: 4), exact: linearExact(4))
        XCTAssertEqual(linear, Double(p), accuracy: 0.3, "\(method) on y' = Ay", file: file, line: line)
        let decay = ODEProblem<[Double]>(timeSpan: TimeSpan(start: 0, end: 2), initialState: [1]) { _, y, dy in dy[0] = -y[0] }
        let decayOrder = try observedOrder(method, problem: decay, exact: [exp(-2)])
        XCTAssertEqual(decayOrder, Double(p), accuracy: 0.3, "\(method) on y' = −y", file: file, line: line)
        let sine = try observedOrder(method, problem: sineProblem(end: 3), exact: [sineExact(3)])
        // On SineODE the high-order methods leave the pre-asymptotic range only near rounding level (the
        // error terms of orders p and p + 1 nearly cancel for Tsit5 and DOP853 there), hence the wider band.
        XCTAssertEqual(sine, Double(p), accuracy: p >= 5 ? 1.1 : 0.3, "\(method) on SineODE", file: file, line: line)
    }

    func testEulerConvergesAtFirstOrder() throws { try checkOrder(ExplicitRungeKutta.euler) }
    func testMidpointConvergesAtSecondOrder() throws { try checkOrder(ExplicitRungeKutta.midpoint) }
    func testHeunConvergesAtSecondOrder() throws { try checkOrder(ExplicitRungeKutta.heun) }
    func testHeun3ConvergesAtThirdOrder() throws { try checkOrder(ExplicitRungeKutta.heun3) }
    func testHeunEulerConvergesAtSecondOrder() throws { try checkOrder(EmbeddedRungeKutta.heunEuler21) }
    func testFehlberg21ConvergesAtSecondOrder() throws { try checkOrder(EmbeddedRungeKutta.fehlberg21) }
    func testClassicRK4ConvergesAtFourthOrder() throws { try checkOrder(ExplicitRungeKutta.rk4) }
    func testThreeEighthsRuleConvergesAtFourthOrder() throws { try checkOrder(ExplicitRungeKutta.rk38) }
    func testBogackiShampineConvergesAtThirdOrder() throws { try checkOrder(EmbeddedRungeKutta.bogackiShampine32) }
    func testDormandPrince54ConvergesAtFifthOrder() throws { try checkOrder(EmbeddedRungeKutta.dormandPrince54) }
    func testTorchdiffeqDormandPrince54ConvergesAtFifthOrder() throws {
        try checkOrder(EmbeddedRungeKutta.dormandPrince54Torchdiffeq)
    }
    func testTsitouras54ConvergesAtFifthOrder() throws { try checkOrder(EmbeddedRungeKutta.tsitouras54) }
    func testDormandPrince853ConvergesAtEighthOrder() throws { try checkOrder(EmbeddedRungeKutta.dormandPrince853) }

    /// The SineODE solution used above satisfies its equation (central differences of the closed form).
    func testSineProblemExactSolutionSatisfiesTheODE() {
        for t in [1.0, 1.3, 1.7, 2.0] {
            let h = 1e-5
            let derivative = (sineExact(t + h) - sineExact(t - h)) / (2 * h)
            XCTAssertEqual(derivative, sineField(t, sineExact(t)), accuracy: 1e-6 * max(1, abs(derivative)))
        }
    }

    /// The embedded error estimate of one step from the exact state is O(h^(q+1)).
    func testEmbeddedErrorEstimatesHaveTheirOrder() throws {
        let problem = linearProblem(end: 1)
        let cases: [(EmbeddedRungeKutta, Int, [Double])] = [
            (.bogackiShampine32, 2, [0.2, 0.1, 0.05, 0.025]),
            (.dormandPrince54, 4, [0.4, 0.2, 0.1, 0.05]),
            (.dormandPrince54Torchdiffeq, 4, [0.4, 0.2, 0.1, 0.05]),
            (.tsitouras54, 4, [0.4, 0.2, 0.1, 0.05]),
            (.dormandPrince853, 5, [0.4, 0.2, 0.1, 0.05]),
        ]
        for (method, q, hs) in cases {
            var errors: [Double] = []
            for h in hs {
                var workspace = RungeKuttaWorkspace(template: linearInitialState, tableau: method.tableau)
                let result = try method.step(problem.function, time: 0, stepSize: h, state: linearInitialState,
                                             workspace: &workspace)
                errors.append(result.errorEstimate!.map(abs).max()!)
            }
            XCTAssertEqual(logLogSlope(hs, errors), Double(q + 1), accuracy: 0.3, "\(method) error estimate")
        }
    }

    /// One step from the exact state: the continuous extension's error at θ = 1/2 is O(h^(r+1)) for an
    /// extension of order r (methods of order ≥ r).
    func testDenseOutputHasItsOrderInsideAStep() throws {
        let problem = linearProblem(end: 1)
        let methods: [any RungeKuttaMethod] = [EmbeddedRungeKutta.bogackiShampine32, ExplicitRungeKutta.rk4,
                                               EmbeddedRungeKutta.dormandPrince54, EmbeddedRungeKutta.tsitouras54,
                                               EmbeddedRungeKutta.dormandPrince853]
        for method in methods {
            let r = method.tableau.continuousExtension.order
            let hs = r >= 7 ? [0.8, 0.6, 0.4, 0.3] : [0.1, 0.05, 0.025, 0.0125]
            var errors: [Double] = []
            for h in hs {
                errors.append(try midpointError(method, problem: problem, h: h))
            }
            XCTAssertEqual(logLogSlope(hs, errors), Double(r + 1), accuracy: 0.3, "\(method) dense output")
        }
    }

    func midpointError<M: RungeKuttaMethod>(_ method: M, problem: ODEProblem<[Double]>, h: Double) throws -> Double {
        var workspace = RungeKuttaWorkspace(template: linearInitialState, tableau: method.tableau)
        var next = linearInitialState
        try method.step(problem.function, time: 0, stepSize: h, state: linearInitialState, into: &next,
                        workspace: &workspace)
        try method.prepareDenseOutput(problem.function, time: 0, stepSize: h, start: linearInitialState, end: next,
                                      workspace: &workspace)
        var middle = linearInitialState
        method.interpolate(at: h / 2, time: 0, stepSize: h, start: linearInitialState, workspace: workspace,
                           into: &middle)
        return maxAbsDifference(middle, linearExact(h / 2))
    }
}
