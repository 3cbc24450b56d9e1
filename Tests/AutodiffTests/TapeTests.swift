import XCTest
import Foundation
@testable import Autodiff

final class TapeTests: XCTestCase {
    func testGradientOfProductAndSumWithFanOut() throws {
        let x = Tensor<Double>([1.5, -2, 3])
        // f(x) = Σ x·x + x  →  ∂f/∂x = 2x + 1 (x used three times)
        let (value, grad) = try valueWithGradient(at: x) { x in
            let y = x * x + x
            return y.sumAll()
        }
        let expectedValue = x.scalars.reduce(0) { $0 + $1 * $1 + $1 }
        XCTAssertEqual(value.scalar, expectedValue, accuracy: 1e-12)
        XCTAssertEqual(grad.scalars, x.scalars.map { 2 * $0 + 1 })
        XCTAssertEqual(TapeStatistics.liveEntryCount, 0, "the tape is released when the gradient call returns")
    }

    func testBroadcastingPullbackSumsOverBroadcastAxes() throws {
        let a = Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor<Double>([10, 20, 30])
        let (_, grads) = try valueWithGradient(at: [a, b]) { xs in (xs[0] * xs[1]).sumAll() }
        XCTAssertEqual(grads[0].scalars, [10, 20, 30, 10, 20, 30])
        XCTAssertEqual(grads[1].scalars, [5, 7, 9])
        let column = Tensor<Double>(shape: [2, 1], scalars: [2, 3])
        let (_, g2) = try valueWithGradient(at: [a, column]) { xs in (xs[0] / xs[1]).sumAll() }
        XCTAssertEqual(g2[1].scalars[0], -(1 + 2 + 3) / 4, accuracy: 1e-14)
        XCTAssertEqual(g2[1].scalars[1], -(4 + 5 + 6) / 9, accuracy: 1e-14)
    }

    func testVectorJacobianProductWithCallerCotangent() throws {
        let x = Tensor<Double>([1, 2])
        let (value, pullback) = try valueWithPullback(at: [x]) { xs in xs[0] * xs[0] * 3 }
        XCTAssertEqual(value.scalars, [3, 12])
        let v = Tensor<Double>([0.5, -1])
        XCTAssertEqual(try pullback(v)[0].scalars, [0.5 * 6 * 1, -1 * 6 * 2])
        XCTAssertEqual(try pullback(v)[0].scalars, [3, -12], "a pullback may be called twice")
    }

    func testCustomOperationWhosePullbackDifferentiatesOnAnInnerTape() throws {
        // value = g(x) = x³ computed outside the tape; its pullback obtains 3x² from a nested gradient call.
        let x = Tensor<Double>([0.5, -1.5])
        let (_, grad) = try valueWithGradient(at: x) { x in
            let cube = withoutDerivative(at: x) * withoutDerivative(at: x) * withoutDerivative(at: x)
            let y = customDifferentiable(inputs: [x], value: cube) { v in
                let (_, inner) = try valueWithPullback(at: [withoutDerivative(at: x)]) { xs in xs[0] * xs[0] * xs[0] }
                return try inner(v)
            }
            return (y * 2).sumAll()
        }
        XCTAssertEqual(grad.scalars, x.scalars.map { 6 * $0 * $0 })
    }

    func testNoGradientScopeRecordsNothing() throws {
        let x = Tensor<Float>([1, 2])
        let (_, grad) = try valueWithGradient(at: x) { x in
            let frozen = withoutRecording(Float.self) { x * x }
            return (frozen * x).sumAll()
        }
        XCTAssertEqual(grad.scalars, [1, 4], "x·x inside the scope is a constant")
    }

    func testThreadsDoNotShareTapes() throws {
        let group = DispatchGroup()
        let lock = NSLock()
        nonisolated(unsafe) var results = [[Double]](repeating: [], count: 2)   // guarded by `lock`
        for t in 0..<2 {
            group.enter()
            Thread.detachNewThread {
                var last: [Double] = []
                for i in 0..<2000 {
                    let x = Tensor<Double>([Double(t + 1), Double(i % 7)])
                    last = (try? gradient(at: x) { ($0 * $0 * Double(t + 1)).sumAll() })?.scalars ?? []
                }
                lock.lock(); results[t] = last; lock.unlock()
                group.leave()
            }
        }
        group.wait()
        XCTAssertEqual(results[0], [2 * 1 * 1, 2 * 1 * Double(1999 % 7)])
        XCTAssertEqual(results[1], [2 * 2 * 2, 2 * 2 * Double(1999 % 7)])
    }
}

extension Tensor {
    /// Sum of all elements as a rank-0 tensor, built from primitives for the core tests (independent of
    /// the reduction ops tested elsewhere).
    func sumAll() -> Tensor {
        let ones = Tensor.ones([scalarCount])
        let flat = Tensor.record(Tensor(shape: [scalarCount], storage: storage), input: self) { g in
            Tensor(shape: self.shape, storage: g.storage)
        }
        let s = flat * ones
        let total = s.scalars.reduce(0, +)
        return Tensor.record(Tensor(total), input: s) { g in Tensor(repeating: g.scalar, shape: [self.scalarCount]) }
    }
}
