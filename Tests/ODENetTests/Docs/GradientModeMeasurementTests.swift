import XCTest
import Autodiff
import Solvers
@testable import ODENet

/// The measurements behind the table of the "Choosing a gradient mode" article: memory against the number
/// of steps, exactness against the W2 reference and between modes, and stability on a stiff field run
/// backwards. Each test prints its figures (the article quotes them) and asserts the claim the table makes,
/// so a change that breaks a claim fails here. (Speed is measured by the `benchmarks` product, W2 and W3.)
final class GradientModeMeasurementTests: XCTestCase {
    static let modes: [(name: String, mode: GradientMode)] = [("adjoint", .adjoint()), ("direct", .direct),
                                                              ("checkpointed", .checkpointed)]

    /// Samples the live tape entries and tensor bytes at every evaluation of the field (forward and backward).
    final class Probe: Dynamics {
        let inner: SmallMLPDynamics<Double>
        var peakEntries = 0, peakBytes = 0
        init(_ inner: SmallMLPDynamics<Double>) { self.inner = inner }
        var namedMembers: [(name: String, member: Any)] { [("inner", inner)] }
        func sample() {
            peakEntries = max(peakEntries, TapeStatistics.liveEntryCount)
            peakBytes = max(peakBytes, TensorMemory.liveBytes)
        }
        func callAsFunction(_ time: Tensor<Double>, _ state: Tensor<Double>) throws -> Tensor<Double> {
            let result = try inner(time, state)
            sample()
            return result
        }
    }

    struct Peaks: Equatable, CustomStringConvertible {
        var entries: Int, bytes: Int
        var description: String { "\(entries) entries, \(bytes) B" }
    }

    /// The peak live tape entries and tensor bytes of one gradient of ‖z(1)‖² through `steps` RK4 steps of a
    /// 2→16→2 field on a batch of 4 (Double), above what was live before the call; also sampled right after
    /// the forward solve returns, before the backward pass.
    func peaks(steps: Int, mode: GradientMode) throws -> Peaks {
        let probe = Probe(SmallMLPDynamics<Double>(dimension: 2, hidden: 16))
        let block = ODEBlock(probe, method: .rk4, stepSize: 1.0 / Double(steps), gradientMode: mode)
        let z0 = Tensor<Double>(shape: [4, 2], scalars: [0.5, -0.2, 0.1, 0.4, -0.3, 0.2, 0.6, -0.1])
        let baseline = Peaks(entries: TapeStatistics.liveEntryCount, bytes: TensorMemory.liveBytes)
        _ = try valueWithGradient(at: probe) { () throws -> Tensor<Double> in
            let y = try block(z0)
            probe.sample()
            return (y * y).sum()
        }
        return Peaks(entries: probe.peakEntries - baseline.entries, bytes: probe.peakBytes - baseline.bytes)
    }

    /// The counters are process-wide, so a measurement disturbed by another thread's releases is repeated.
    func stablePeaks(steps: Int, mode: GradientMode) throws -> Peaks {
        var seen: [Peaks] = []
        for _ in 0..<3 {
            let peaks = try peaks(steps: steps, mode: mode)
            if seen.contains(peaks) { return peaks }
            seen.append(peaks)
        }
        return seen.min { $0.bytes < $1.bytes }!
    }

    func testMemoryAgainstSteps() throws {
        let stateBytes = 4 * 2 * MemoryLayout<Double>.size
        var table: [String: [Peaks]] = [:]
        for (name, mode) in Self.modes {
            table[name] = try [10, 100, 1000].map { try stablePeaks(steps: $0, mode: mode) }
            print("memory \(name): 10 / 100 / 1000 steps: \(table[name]!.map(\.description).joined(separator: " / "))")
        }
        let adjoint = table["adjoint"]!, direct = table["direct"]!, checkpointed = table["checkpointed"]!
        XCTAssertEqual(adjoint[0], adjoint[2], "the adjoint's memory does not grow with the steps")
        XCTAssertEqual(checkpointed[0].entries, checkpointed[2].entries, "one step's tape at a time")
        let perStep = Double(checkpointed[2].bytes - checkpointed[0].bytes) / 990
        print("checkpointed: \(perStep) B per step (a state is \(stateBytes) B)")
        XCTAssertGreaterThanOrEqual(perStep, Double(stateBytes), "one stored state per step")
        XCTAssertLessThan(perStep, 2 * Double(stateBytes), "and nothing else that grows")
        XCTAssertGreaterThan(direct[2].entries, 50 * direct[0].entries, "direct keeps every step's tape")
        XCTAssertGreaterThan(direct[2].bytes, 10 * checkpointed[2].bytes)
    }

    /// W2 (the ode_demo field with the peers' weights, batch 20, 10 outputs over [0, 0.225], L1 loss) in
    /// Double: each mode's gradient against the float64 reference (torchdiffeq at rtol 1e-12), at the
    /// W2 tolerances and at loose ones.
    func testExactnessOnW2() throws {
        let workload = try W2Workload()
        let reference = ["l1.weight", "l1.bias", "l2.weight", "l2.bias", "y0"].flatMap {
            W2Workload.flatten(workload.referenceGradients[$0]!)
        }
        func gradient(_ mode: GradientMode, rtol: Double, atol: Double) throws -> (values: [Double], statistics: ODEStatistics) {
            let dynamics = SmallMLPDynamics<Double>(
                w1: workload.tensor("l1.weight", as: Double.self), b1: workload.tensor("l1.bias", as: Double.self),
                w2: workload.tensor("l2.weight", as: Double.self), b2: workload.tensor("l2.bias", as: Double.self))
            let block = ODEBlock(dynamics, method: .dormandPrince54, relativeTolerance: rtol, absoluteTolerance: atol,
                                 gradientMode: mode)
            let y0 = workload.tensor("y0", as: Double.self), target = workload.tensor("target", as: Double.self)
            let (_, g) = try valueWithGradient(at: block, y0) { y0 in
                l1Loss(predictions: try block.trajectory(from: y0, at: workload.times), targets: target)
            }
            return ((g.parameters + [g.input]).flatMap(\.scalars), block.statistics)
        }
        func relativeL2(_ a: [Double], _ b: [Double]) -> Double {
            (zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / b.map { $0 * $0 }.reduce(0, +)).squareRoot()
        }
        for (rtol, atol) in [(1e-7, 1e-9), (1e-3, 1e-5)] {
            var results: [String: [Double]] = [:]
            for (name, mode) in Self.modes {
                let (values, statistics) = try gradient(mode, rtol: rtol, atol: atol)
                results[name] = values
                print("W2 Double rtol \(rtol): \(name) vs reference \(relativeL2(values, reference)); \(statistics)")
            }
            let adjointVsDirect = relativeL2(results["adjoint"]!, results["direct"]!)
            let checkpointedVsDirect = relativeL2(results["checkpointed"]!, results["direct"]!)
            print("W2 Double rtol \(rtol): adjoint vs direct \(adjointVsDirect), checkpointed vs direct \(checkpointedVsDirect)")
            XCTAssertLessThan(checkpointedVsDirect, 1e-13, "checkpointed replays direct's arithmetic")
            XCTAssertGreaterThan(adjointVsDirect, 1e3 * checkpointedVsDirect, "the adjoint is a different approximation")
            XCTAssertLessThan(adjointVsDirect, 100 * rtol, "the adjoint agrees to the tolerance")
        }
    }

    /// z' = zA with eigenvalues −1 and −1000 in a basis rotated by 30°, on [0, 0.05], from z0 = (1, 1), with
    /// the loss L = Σ z(T). The adjoint's backward solve of z runs the fast mode in reverse, where it grows
    /// like e^(1000 t); ∂L/∂A = ∫ z(t)ᵀ a(t) dt depends on that z. In the eigenbasis (R's columns (c, s) and
    /// (−s, c), A = R Λ Rᵀ) everything is exact: z(t)ᵀ = R e^(Λt) u and a(t)ᵀ = R e^(Λ(T−t)) v with
    /// u = Rᵀz0ᵀ, v = Rᵀ1, so ∂L/∂z0 = R e^(ΛT) v and ∂L/∂A = R M Rᵀ with
    /// M_ij = u_i v_j ∫₀ᵀ e^(λ_i t + λ_j (T−t)) dt.
    func testStabilityOnAStiffFieldRunBackwards() throws {
        let angle = Double.pi / 6
        let (c, s) = (cos(angle), sin(angle))
        let lambda = [-1.0, -1000.0], horizon = 0.05
        let r = [[c, -s], [s, c]]
        func rotate(_ x: [Double]) -> [Double] { [r[0][0] * x[0] + r[0][1] * x[1], r[1][0] * x[0] + r[1][1] * x[1]] }
        func rotateBack(_ x: [Double]) -> [Double] { [r[0][0] * x[0] + r[1][0] * x[1], r[0][1] * x[0] + r[1][1] * x[1]] }
        var aValues = [Double](repeating: 0, count: 4)
        for i in 0..<2 { for j in 0..<2 { for k in 0..<2 { aValues[i * 2 + j] += r[i][k] * lambda[k] * r[j][k] } } }
        let a = Parameter(Tensor<Double>(shape: [2, 2], scalars: aValues))
        let field = DynamicsFunction<Double>(members: ["A": a]) { _, z in matmul(z, a.value) }
        let u = rotateBack([1, 1]), v = rotateBack([1, 1])
        let exactInput = rotate([exp(lambda[0] * horizon) * v[0], exp(lambda[1] * horizon) * v[1]])
        var m = [[0.0, 0.0], [0.0, 0.0]]
        for i in 0..<2 {
            for j in 0..<2 {
                let integral = i == j ? horizon * exp(lambda[i] * horizon)
                    : (exp(lambda[i] * horizon) - exp(lambda[j] * horizon)) / (lambda[i] - lambda[j])
                m[i][j] = u[i] * v[j] * integral
            }
        }
        var exactA = [Double](repeating: 0, count: 4)   // R M Rᵀ
        for i in 0..<2 { for j in 0..<2 { for k in 0..<2 { for l in 0..<2 {
            exactA[i * 2 + j] += r[i][k] * m[k][l] * r[j][l]
        } } } }
        let exact = exactInput + exactA
        let z0 = Tensor<Double>(shape: [1, 2], scalars: [1, 1])
        var errors: [String: Double] = [:]
        for (name, mode) in Self.modes {
            let block = ODEBlock(field, gradientMode: mode)    // the defaults: dopri5, rtol 1e-7, atol 1e-9
            block.integrationTimes = [0, horizon]
            let (_, g) = try valueWithGradient(at: block, z0) { z0 in try block(z0).sum() }
            let computed = g.input.scalars + g.parameters[0].scalars
            let error = zip(computed, exact).map { abs($0 - $1) }.max()! / exact.map(abs).max()!
            errors[name] = error
            print("stiff backwards: \(name) (∂L/∂z0, ∂L/∂A) relative error \(error); \(block.statistics)")
        }
        XCTAssertLessThan(errors["direct"]!, 1e-5)
        XCTAssertLessThan(errors["checkpointed"]!, 1e-5)
        XCTAssertGreaterThan(errors["adjoint"]!, 1e3 * errors["direct"]!, "the backsolve is unstable here")
    }
}
