import XCTest
import Solvers

/// SIMD vectors as states: the same steps and values as array states (the same operations in the same
/// order), for every adaptive pair, with outputs and dense output.
final class SIMDStateTests: XCTestCase {
    func testASIMD2SolveTakesTheArraySolvesStepsAndValues() throws {
        let arrayProblem = ODEProblem<[Double]>(timeSpan: TimeSpan(start: 0, end: 10), initialState: [2, 0]) { _, y, dy in
            dy[0] = -0.1 * y[0] * y[0] * y[0] - 2 * y[1] * y[1] * y[1]
            dy[1] = 2 * y[0] * y[0] * y[0] - 0.1 * y[1] * y[1] * y[1]
        }
        let simdProblem = ODEProblem<SIMD2<Double>>(timeSpan: TimeSpan(start: 0, end: 10), initialState: SIMD2(2, 0)) { _, y, dy in
            dy[0] = -0.1 * y[0] * y[0] * y[0] - 2 * y[1] * y[1] * y[1]
            dy[1] = 2 * y[0] * y[0] * y[0] - 0.1 * y[1] * y[1] * y[1]
        }
        let times = (0...50).map { 10 * Double($0) / 50 }
        let controller = StepSizeController(relativeTolerance: 1e-8, absoluteTolerance: 1e-10)
        for method in adaptiveMethods {
            var saveAt = SaveAt.times(times)
            saveAt.dense = true
            let a = try solve(arrayProblem, using: method, controller: controller, saveAt: saveAt)
            let s = try solve(simdProblem, using: method, controller: controller, saveAt: saveAt)
            XCTAssertEqual(a.statistics, s.statistics, "\(method)")
            for (x, y) in zip(a.states, s.states) { XCTAssertEqual(x, [y[0], y[1]], "\(method)") }
            XCTAssertEqual(try a.state(at: 3.21), [try s.state(at: 3.21)[0], try s.state(at: 3.21)[1]], "\(method)")
        }
    }

    func testSIMDStatesReportTheirLanes() {
        XCTAssertEqual(SIMD4<Float>(1, 2, 3, 4).scalarCount, 4)
        XCTAssertEqual(SIMD8<Double>(repeating: 1).withUnsafeScalars { Array($0) }, [Double](repeating: 1, count: 8))
        var x = SIMD2<Double>(1, 1)
        let terms = [SIMD2<Double>(1, 2), SIMD2<Double>(3, 4)]
        [0.5, -1.0].withUnsafeBufferPointer { c in
            terms.withUnsafeBufferPointer { t in x.setLinearCombination(base: SIMD2(10, 20), coefficients: c, terms: t) }
        }
        XCTAssertEqual(x, SIMD2(10 + 0.5 - 3, 20 + 1 - 4))
    }
}
