import XCTest
import ODENet

/// Second derivatives through a solve, and fields that differentiate themselves, in every gradient mode.
final class HigherOrderSolveTests: XCTestCase {
    /// A small tanh field on [B, 2] with fixed weights.
    func makeField() -> (DynamicsFunction<Double>, Parameter<Double>, Parameter<Double>) {
        let w1 = Parameter(Tensor<Double>(shape: [2, 4], scalars: (0..<8).map { sin(Double($0) * 1.7) * 0.8 }))
        let w2 = Parameter(Tensor<Double>(shape: [4, 2], scalars: (0..<8).map { cos(Double($0) * 0.9) * 0.7 }))
        let field = DynamicsFunction<Double>(members: ["w1": w1, "w2": w2]) { _, z in
            matmul(tanh(matmul(z, w1.value)), w2.value)
        }
        return (field, w1, w2)
    }
    let z0 = Tensor<Double>(shape: [2, 2], scalars: [0.4, -0.3, 0.2, 0.5])
    let stepping = Stepping.fixed(.rk4, stepSize: 0.05)

    func testTheHessianOfASolutionWithRespectToItsInitialStateMatchesDifferencesOfTheGradient() throws {
        let (field, _, _) = makeField()
        for mode in [GradientMode.direct, .checkpointed] {
            // L(z0) = Σ z(1)³; H·v by reverse over reverse against central differences of ∇L.
            let loss: (Tensor<Double>) throws -> Tensor<Double> = { z0 in
                let z1 = try solve(field, from: z0, at: [0, 1], stepping: self.stepping, gradient: mode)
                return (z1 * z1 * z1).sum()
            }
            let v = Tensor<Double>(shape: [2, 2], scalars: [0.3, -0.6, 0.8, 0.1])
            let hv = try hessianVectorProduct(at: z0, along: v, of: loss)
            let h = 1e-5
            let plus = try gradient(at: z0 + h * v, of: loss), minus = try gradient(at: z0 - h * v, of: loss)
            let expected = (plus - minus) / (2 * h)
            for (a, e) in zip(hv.scalars, expected.scalars) {
                XCTAssertEqual(a, e, accuracy: 1e-7 * Swift.max(1, abs(e)), "\(mode)")
            }
        }
    }

    func testTheAdjointModeSaysItCannotBeDifferentiatedTwice() throws {
        let (field, _, _) = makeField()
        XCTAssertThrowsError(try hessianVectorProduct(at: z0, along: z0) { z0 in
            (try solve(field, from: z0, at: [0, 1], stepping: self.stepping, gradient: .adjoint())).sum()
        }) { error in
            guard case let AutodiffError.notDifferentiableTwice(operation)? = error as? AutodiffError else {
                return XCTFail("expected notDifferentiableTwice, got \(error)")
            }
            XCTAssertTrue(operation.contains("adjoint"), operation)
        }
    }

    func testAFieldThatCallsDivergenceTrainsInEveryMode() throws {
        // A CNF-style augmented state [z, log p] with d(log p)/dt = −div f: the field differentiates itself.
        let (inner, w1, w2) = makeField()
        let augmented = DynamicsFunction<Double>(members: ["w1": w1, "w2": w2]) { t, state in
            let z = state.sliced(0..<2, axis: 1)
            let (dz, divergence) = try valueWithDivergence(at: z) { try inner(t, $0) }
            return concatenated([dz, -divergence.reshaped([-1, 1])], axis: 1)
        }
        let start = concatenated([z0, Tensor<Double>.zeros([2, 1])], axis: 1)
        var gradients: [(GradientMode, [Tensor<Double>])] = []
        for mode in [GradientMode.direct, .checkpointed, .adjoint()] {
            let block = ODEBlock(augmented, stepping: stepping, gradientMode: mode)
            let (_, g) = try valueWithGradient(at: block) { (try block(start)).squared().sum() }
            gradients.append((mode, g))
        }
        // Finite differences of the loss in w1[0, 0] and w2[3, 1].
        let block = ODEBlock(augmented, stepping: stepping)
        func loss() throws -> Double { try withoutRecording(Double.self) { (try block(start)).squared().sum().scalars[0] } }
        let h = 1e-6
        for (parameter, index, gradientIndex) in [(w1, 0, 0), (w2, 7, 1)] {
            let original = parameter.value
            var scalars = original.scalars
            scalars[index] += h
            parameter.value = Tensor(shape: original.shape, scalars: scalars)
            let up = try loss()
            scalars[index] -= 2 * h
            parameter.value = Tensor(shape: original.shape, scalars: scalars)
            let down = try loss()
            parameter.value = original
            let numeric = (up - down) / (2 * h)
            for (mode, g) in gradients {
                var tolerance = 1e-6
                if case .adjoint = mode { tolerance = 1e-4 }   // the backward solve's own O(h⁴) error
                XCTAssertEqual(g[gradientIndex].scalars[index], numeric, accuracy: tolerance * Swift.max(1, abs(numeric)),
                               "\(mode)")
            }
        }
    }
}
