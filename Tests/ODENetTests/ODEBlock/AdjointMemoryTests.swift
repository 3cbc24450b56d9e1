import XCTest
import Autodiff
import Solvers
@testable import ODENet

/// The adjoint's promise: memory O(1) in the number of solver steps. During the backward pass, the
/// live tape entries and the live tensor bytes are sampled at every evaluation of the dynamics; their
/// peaks must not grow between 10 and 1000 steps (while the direct mode's do).
final class AdjointMemoryTests: XCTestCase {
    /// Wraps dynamics and records the peak tape entries and tensor bytes seen at each evaluation.
    final class Probe: Dynamics {
        let inner: SmallMLPDynamics<Double>
        var peakEntries = 0, peakBytes = 0
        init(_ inner: SmallMLPDynamics<Double>) { self.inner = inner }
        var namedMembers: [(name: String, member: Any)] { [("inner", inner)] }
        func callAsFunction(_ time: Tensor<Double>, _ state: Tensor<Double>) throws -> Tensor<Double> {
            let result = try inner(time, state)
            peakEntries = max(peakEntries, TapeStatistics.liveEntryCount)
            peakBytes = max(peakBytes, TensorMemory.liveBytes)
            return result
        }
    }

    func peaks(steps: Int, mode: GradientMode) throws -> (entries: Int, bytes: Int, nfe: Int) {
        let probe = Probe(SmallMLPDynamics<Double>(dimension: 2, hidden: 16))
        let block = ODEBlock(probe, method: .rk4, stepSize: 1.0 / Double(steps), gradientMode: mode)
        let z0 = Tensor<Double>(shape: [4, 2], scalars: [0.5, -0.2, 0.1, 0.4, -0.3, 0.2, 0.6, -0.1])
        let (_, _) = try valueWithGradient(at: probe) { () throws -> Tensor<Double> in
            let y = try block(z0)
            return (y * y).sum()
        }
        XCTAssertEqual(TapeStatistics.liveEntryCount, 0, "every tape is released after the gradient call")
        return (probe.peakEntries, probe.peakBytes, block.statistics.backwardEvaluations)
    }

    /// The counters are process-wide: a thread of an earlier test that is still releasing its tensors
    /// could disturb one measurement, so a disturbed pair is measured again (growth with the number of
    /// steps would fail every attempt).
    func testAdjointLiveTapeEntriesAndTensorBytesDoNotGrowWithSteps() throws {
        var attempts: [String] = []
        for _ in 0..<3 {
            let small = try peaks(steps: 10, mode: .adjoint())
            let large = try peaks(steps: 1000, mode: .adjoint())
            XCTAssertGreaterThan(large.nfe, 90 * small.nfe, "the backward pass really took ~100× the evaluations")
            if large.entries == small.entries && large.bytes == small.bytes { return }
            attempts.append("10 steps \(small), 1000 steps \(large)")
        }
        XCTFail("peak live tape entries and tensor bytes grew with the number of steps: \(attempts)")
    }

    func testDirectModeMemoryGrowsWithSteps() throws {
        let small = try peaks(steps: 10, mode: .direct)
        let large = try peaks(steps: 100, mode: .direct)
        XCTAssertGreaterThan(large.entries, 5 * small.entries, "direct keeps every step's tape")
    }
}
