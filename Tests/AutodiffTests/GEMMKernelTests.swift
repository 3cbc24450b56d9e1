import XCTest
import Foundation
@testable import Autodiff

/// The GEMM kernel against a plain triple loop in Double, over shapes that cross every block boundary.
final class GEMMKernelTests: XCTestCase {
    /// (m, n, k) triples: tiny, ragged, exact tile multiples, one past them, k-block and n-block
    /// crossings, and sizes large enough to be split over two threads.
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (7, 13, 5), (33, 65, 17), (8, 32, 1), (9, 33, 2), (4, 32, 3), (5, 31, 7),
        (16, 64, 40), (17, 1, 300), (1, 100, 50), (3, 2, 50), (20, 50, 2), (20, 2, 50),
        (40, 70, 385), (64, 40, 800), (23, 1030, 9), (130, 90, 130), (257, 129, 97),
        (50, 2, 20), (9, 7, 16), (12, 3, 5), (8, 1, 16),
        // Threaded with few row tiles and a panel count that the panel groups overshoot (a crash once: the
        // last groups started past the last panel), as in a convolution's backward pass on a small batch.
        (16, 544, 64), (8, 1056, 64), (5, 1000, 200), (24, 330, 100), (12, 700, 90),
    ]

    func testFloatMatchesTripleLoopForAllTransposesAndEdges() { checkAllShapes(Float.self) }
    func testDoubleMatchesTripleLoopForAllTransposesAndEdges() { checkAllShapes(Double.self) }

    func testFloatAccumulatesWithLargeLeadingDimensions() { checkLeadingDimensions(Float.self) }
    func testDoubleAccumulatesWithLargeLeadingDimensions() { checkLeadingDimensions(Double.self) }

    func testZeroDepthZeroesOrKeepsTheOutput() {
        var c: [Float] = [1, 2, 3, 4]
        let empty: [Float] = [0]
        Kernels.gemm(transposeA: false, transposeB: false, m: 2, n: 2, k: 0, a: empty, lda: 1, b: empty, ldb: 2,
                     c: &c, ldc: 2, accumulate: true)
        XCTAssertEqual(c, [1, 2, 3, 4])
        Kernels.gemm(transposeA: false, transposeB: false, m: 2, n: 2, k: 0, a: empty, lda: 1, b: empty, ldb: 2,
                     c: &c, ldc: 2, accumulate: false)
        XCTAssertEqual(c, [0, 0, 0, 0])
    }

    func testTwoThreadsRunningLargeProductsAtOnceGetCorrectResults() {
        // Both threads compete for the one worker; the loser runs serially. Several rounds, both types.
        // Each thread writes its own slot.
        nonisolated(unsafe) let results = UnsafeMutableBufferPointer<Double>.allocate(capacity: 2)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            var worst = 0.0
            for round in 0..<6 {
                let (m, n, k) = [(300, 200, 150), (129, 257, 64), (64, 300, 500)][(round + thread) % 3]
                worst = Swift.max(worst, maximumError(Float.self, m: m, n: n, k: k, transposeA: round % 2 == 1,
                                                      transposeB: thread == 1, accumulate: false, padding: 0,
                                                      seed: UInt64(10 * round + thread)))
                worst = Swift.max(worst, maximumError(Double.self, m: n, n: m, k: k, transposeA: thread == 0,
                                                      transposeB: round % 2 == 0, accumulate: true, padding: 1,
                                                      seed: UInt64(10 * round + thread + 100)))
            }
            results[thread] = worst
        }
        XCTAssertLessThan(results[0], 1)
        XCTAssertLessThan(results[1], 1)
    }

    func testForkJoinRunsEveryChunkOnceAlsoWhenNestedAndFromTwoThreads() {
        nonisolated(unsafe) let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2 * 8 * 50)
        counts.initialize(repeating: 0)
        defer { counts.deallocate() }
        // Two user threads fork at once; each chunk forks again (runs serially: the worker is taken, or
        // the chunk is on the worker itself). Every (thread, outer, inner) slot is written by one chunk only.
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            ForkJoin.forEach(8) { outer in
                ForkJoin.forEach(50) { inner in counts[(thread * 8 + outer) * 50 + inner] += 1 }
            }
        }
        XCTAssertEqual(Array(counts), [Int](repeating: 1, count: 2 * 8 * 50))
    }

    func testFloatTanhApproximationIsWithinFourUlpsOfLibm() {
        let xs = (-4000...4000).map { Float($0) / 400 } + [0, 1e-6, -1e-6, 0.2499, 0.25, 30, -30, 100, -100]
        var ys = xs
        Kernels.biasActivation(&ys, rows: 1, columns: ys.count, bias: nil, activation: .tanh)
        for (x, y) in zip(xs, ys) {
            let exact = Foundation.tanh(Double(x))
            XCTAssertLessThanOrEqual(abs(Double(y) - exact), 4 * Double(Float(exact).ulp) + 1e-30, "tanh(\(x))")
        }
    }

    func testFloatSigmoidApproximationIsWithinFourUlpsOfLibm() {
        let xs = (-4000...4000).map { Float($0) / 100 }
        var ys = xs
        Kernels.biasActivation(&ys, rows: 1, columns: ys.count, bias: nil, activation: .sigmoid)
        for (x, y) in zip(xs, ys) {
            let exact = 1 / (1 + Foundation.exp(-Double(x)))
            XCTAssertLessThanOrEqual(abs(Double(y) - exact), 4 * Double(Float(exact).ulp), "sigmoid(\(x))")
        }
    }

    private func checkAllShapes<S: TensorScalar>(_: S.Type, tolerance: Double = 1,
                                                 file: StaticString = #filePath, line: UInt = #line) {
        for (index, (m, n, k)) in Self.shapes.enumerated() {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    let error = maximumError(S.self, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                                             accumulate: index % 2 == 1, padding: 0, seed: UInt64(index))
                    XCTAssertLessThan(error, tolerance, "m \(m) n \(n) k \(k) tA \(transposeA) tB \(transposeB)",
                                      file: file, line: line)
                }
            }
        }
    }

    private func checkLeadingDimensions<S: TensorScalar>(_: S.Type, tolerance: Double = 1,
                                                         file: StaticString = #filePath, line: UInt = #line) {
        for (m, n, k) in [(7, 13, 5), (33, 65, 17), (130, 90, 130), (50, 2, 20), (20, 3, 33)] {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    let error = maximumError(S.self, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                                             accumulate: true, padding: 3, seed: 7)
                    XCTAssertLessThan(error, tolerance, "m \(m) n \(n) k \(k) tA \(transposeA) tB \(transposeB)",
                                      file: file, line: line)
                }
            }
        }
    }
}

/// Runs one GEMM with random operands (leading dimensions `padding` wider than needed) and returns the
/// largest |kernel − reference| in units of the classical rounding bound (k + 1)·ε·(Σ|a·b| + |c₀|), the
/// reference computed by a triple loop in Double: below 1 means correct. Padding elements of C must
/// come back untouched (the bound is then 0).
func maximumError<S: TensorScalar>(_: S.Type, m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool,
                                   accumulate: Bool, padding: Int, seed: UInt64) -> Double {
    var generator = SeededGenerator(seed: seed)
    let (rowsA, columnsA) = transposeA ? (k, m) : (m, k)
    let (rowsB, columnsB) = transposeB ? (n, k) : (k, n)
    let lda = columnsA + padding, ldb = columnsB + padding, ldc = n + padding
    let a = (0..<Swift.max(rowsA * lda, 1)).map { _ in S(generator.nextNormal()) }
    let b = (0..<Swift.max(rowsB * ldb, 1)).map { _ in S(generator.nextNormal()) }
    let c0 = (0..<Swift.max(m * ldc, 1)).map { _ in S(generator.nextNormal()) }
    var c = c0
    Kernels.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                 c: &c, ldc: ldc, accumulate: accumulate)
    var worst = 0.0
    for i in 0..<m {
        for j in 0..<ldc {
            var expected = accumulate || j >= n ? Double(c0[i * ldc + j]) : 0
            var magnitude = abs(expected)
            if j < n {
                for p in 0..<k {
                    let x = Double(transposeA ? a[p * lda + i] : a[i * lda + p])
                    let y = Double(transposeB ? b[j * ldb + p] : b[p * ldb + j])
                    expected += x * y
                    magnitude += abs(x * y)
                }
            }
            let error = abs(Double(c[i * ldc + j]) - expected)
            if error > 0 {
                worst = Swift.max(worst, error / (Double(k + 1) * Double(S.ulpOfOne) * magnitude))
            }
        }
    }
    return worst
}
