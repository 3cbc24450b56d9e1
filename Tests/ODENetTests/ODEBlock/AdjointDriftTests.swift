import XCTest
import ODENet

/// The adjoint's drift statistic: the backward reconstruction error of each interval over the error the two
/// solves were allowed to make there. A correct backsolve reads O(1); an unstable one far more.
final class AdjointDriftTests: XCTestCase {
    /// ode_demo's true field dy/dt = (y³)A with A as a parameter.
    func spiralField<S: TensorScalar>(_: S.Type) -> DynamicsFunction<S> {
        let a = Parameter(Tensor<S>(shape: [2, 2], scalars: [-0.1, 2.0, -2.0, -0.1]))
        return DynamicsFunction<S>(members: ["A": a]) { _, y in matmul(y * y * y, a.value) }
    }

    /// z' = Az with eigenvalues −1 and −1000 in a basis rotated by 30° (not diagonal: rounding reaches the
    /// fast mode, which grows by e^(1000·T) when the backward solve runs it in reverse).
    func stiffField() -> DynamicsFunction<Double> {
        let (c, s) = (cos(Double.pi / 6), sin(Double.pi / 6))
        // A = R diag(−1, −1000) Rᵀ, applied to row vectors: z A (A is symmetric).
        let (l1, l2) = (-1.0, -1000.0)
        let a = Parameter(Tensor<Double>(shape: [2, 2], scalars: [
            l1 * c * c + l2 * s * s, (l1 - l2) * c * s,
            (l1 - l2) * c * s, l1 * s * s + l2 * c * c]))
        return DynamicsFunction<Double>(members: ["A": a]) { _, z in matmul(z, a.value) }
    }

    func drift<D: Dynamics>(_ dynamics: D, from z0: Tensor<D.Scalar>, times: [Double]) throws -> [Double] {
        let block = ODEBlock(dynamics)   // the defaults: dopri5, rtol 1e-7, atol 1e-9
        _ = try valueWithGradient(at: block) { (try block.trajectory(from: z0, at: times)).sum() }
        return block.statistics.adjointDrift
    }

    /// The drifts of one ode_demo batch element: the true spiral from y(0) = [2, 0] through the first ten points
    /// of ode_demo's grid (t = k·25/999), at `ODEBlock`'s defaults (dopri5, rtol 1e-7, atol 1e-9).
    func spiralBatchDrift<S: TensorScalar>(_ type: S.Type) throws -> [Double] {
        try drift(spiralField(type), from: Tensor<S>(shape: [1, 2], scalars: [2, 0]),
                  times: (0..<10).map { 25 * Double($0) / 999 })
    }

    func testSpiralFieldReadsOrderOne() throws {
        let double = try spiralBatchDrift(Double.self), float = try spiralBatchDrift(Float.self)
        // Ten intervals of 2.5 over the whole spiral: the backward flow shears (the rotation rate grows with
        // the radius), so an error made late is amplified on its way back; still far from the stiff case.
        let long = try drift(spiralField(Double.self), from: Tensor<Double>(shape: [1, 2], scalars: [2, 0]),
                             times: (0...10).map { 2.5 * Double($0) })
        for (name, drifts) in [("batch, Double", double), ("batch, Float", float), ("long intervals, Double", long)] {
            print("spiral drift (\(name)): \(drifts.map { ($0 * 1000).rounded() / 1000 })")
            XCTAssertTrue(drifts.allSatisfy { $0.isFinite && $0 >= 0 }, name)
        }
        XCTAssertEqual(double.count, 9)
        // Measured: 0.06–0.8 on the inner intervals, 5.2 on the first (its few early steps estimate small errors);
        // Float 0.3–1.3 and 43 (rtol 1e-7 and atol 1e-9 are below Float's rounding); long intervals up to 17.
        XCTAssertLessThan(double.max()!, 10)
        XCTAssertLessThan(float.max()!, 100)
        XCTAssertLessThan(long.max()!, 50)
    }

    func testStiffSystemRunBackwardsReadsFarMoreAndGrowsWithTheInterval() throws {
        let reference = try spiralBatchDrift(Double.self).max()!
        let z0 = Tensor<Double>(shape: [1, 2], scalars: [1, 1])
        let short = try drift(stiffField(), from: z0, times: [0, 0.01]).max()!
        let long = try drift(stiffField(), from: z0, times: [0, 0.05]).max()!
        print("stiff drift: [0, 0.01] \(short), [0, 0.05] \(long); spiral \(reference)")
        XCTAssertGreaterThanOrEqual(long, 100 * reference)
        XCTAssertGreaterThan(long, short)
    }
}
