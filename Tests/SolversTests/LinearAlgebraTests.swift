import XCTest
import Solvers

final class LinearAlgebraTests: XCTestCase {
    /// A reproducible pseudo-random matrix (a linear congruential generator; no Foundation randomness).
    func matrix(_ n: Int, seed: UInt64, band: (lower: Int, upper: Int)? = nil) -> DenseMatrix {
        var state = seed
        var m = DenseMatrix(rows: n, columns: n)
        for i in 0..<n {
            for j in 0..<n {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let inside = band.map { j - i <= $0.upper && i - j <= $0.lower } ?? true
                m[i, j] = inside ? Double(state >> 11) / Double(1 << 53) - 0.5 : 0
            }
        }
        return m
    }

    func multiply(_ m: DenseMatrix, _ x: [Double]) -> [Double] {
        (0..<m.rows).map { i in (0..<m.columns).reduce(0) { $0 + m[i, $1] * x[$1] } }
    }

    func testDenseLUSolvesWithSmallResidual() {
        for n in [1, 2, 5, 17, 40] {
            let a = matrix(n, seed: UInt64(n))
            let x = (0..<n).map { Double($0) - 3.5 }
            var lu = DenseLU(dimension: n)
            XCTAssertTrue(lu.factor(a))
            let solved = lu.solve(multiply(a, x))
            XCTAssertLessThan(zip(solved, x).map { abs($0 - $1) }.max()!, 1e-9, "n = \(n)")
        }
    }

    func testDenseLUNeedsPivoting() {
        // A zero leading entry: elimination without row exchanges divides by zero.
        let a = DenseMatrix([[0, 1], [1, 1]])
        var lu = DenseLU(dimension: 2)
        XCTAssertTrue(lu.factor(a))
        let x = lu.solve([2, 3])
        XCTAssertEqual(x[0], 1, accuracy: 1e-15)
        XCTAssertEqual(x[1], 2, accuracy: 1e-15)
    }

    func testSingularMatricesAreReported() {
        var lu = DenseLU(dimension: 3)
        XCTAssertFalse(lu.factor(DenseMatrix([[1, 2, 3], [2, 4, 6], [0, 1, 1]])))
        var banded = BandedLU(dimension: 3, lower: 1, upper: 1)
        XCTAssertFalse(banded.factor(DenseMatrix([[1, 2, 0], [2, 4, 0], [0, 1, 1]])))
    }

    func testBandedLUAgreesWithDenseLUOnBandMatrices() {
        for (n, kl, ku) in [(1, 0, 0), (6, 1, 1), (30, 2, 2), (25, 3, 1), (25, 0, 4), (12, 11, 11)] {
            let a = matrix(n, seed: UInt64(100 + n), band: (kl, ku))
            let b = (0..<n).map { sin(Double($0 + 1)) }
            var dense = DenseLU(dimension: n)
            var banded = BandedLU(dimension: n, lower: kl, upper: ku)
            XCTAssertTrue(dense.factor(a))
            XCTAssertTrue(banded.factor(a))
            var x = b
            x.withUnsafeMutableBufferPointer { banded.solve($0) }
            let reference = dense.solve(b)
            XCTAssertLessThan(zip(x, reference).map { abs($0 - $1) }.max()! / reference.map(abs).max()!, 1e-10, "n \(n), band \(kl), \(ku)")
            // And the residual: A x = b.
            XCTAssertLessThan(zip(multiply(a, x), b).map { abs($0 - $1) }.max()! / x.map(abs).max()!, 1e-12, "n \(n), band \(kl), \(ku)")
        }
    }

    func testIterationMatrixIsShiftMinusJacobian() {
        let n = 6
        let j = matrix(n, seed: 7)
        var shifted = DenseMatrix(rows: n, columns: n)
        for r in 0..<n { for c in 0..<n { shifted[r, c] = (r == c ? 3.0 : 0) - j[r, c] } }
        var direct = DenseLU(dimension: n), seam = DenseLU(dimension: n)
        XCTAssertTrue(direct.factor(shifted))
        XCTAssertTrue(seam.factorize(shift: 3, jacobian: j))
        let b = (0..<n).map { Double($0 * $0) }
        var x = b
        x.withUnsafeMutableBufferPointer { seam.solve($0) }
        XCTAssertEqual(x, direct.solve(b))
    }
}
