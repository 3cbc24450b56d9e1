import XCTest
import ODENet

/// A backward pass that fails says it is the backward pass and which part of [z, a, a_θ, a_t] failed; a fixed
/// step the block cannot count is a typed error.
final class BackwardFailureCauseTests: XCTestCase {
    func testNonFiniteAdjointNamesThePartOfTheAugmentedState() throws {
        // f(z) = w·√(z²): finite at z = 0 (the state stays 0), but ∂f/∂z = w·z/√(z²) is 0/0 there.
        let w = Parameter(Tensor<Double>([0.5]))
        let dynamics = DynamicsFunction<Double>(members: ["w": w]) { _, z in w.value * sqrt(z * z) }
        let block = ODEBlock(dynamics, relativeTolerance: 1e-6, absoluteTolerance: 1e-9)
        let z0 = Tensor<Double>(shape: [1, 1], scalars: [0])
        XCTAssertThrowsError(try valueWithGradient(at: block) { (try block(z0)).sum() }) { error in
            guard case let ODENetError.nonFiniteInBackwardPass(time, part, value)? = error as? ODENetError else {
                return XCTFail("expected nonFiniteInBackwardPass, got \(error)")
            }
            XCTAssertTrue(value.isNaN)
            XCTAssertTrue((0...1).contains(time))
            XCTAssertTrue(part.hasPrefix("a[0]") || part.hasPrefix("a_θ of w[0]"), part)
            XCTAssertTrue("\(error)".contains("backward pass"), "\(error)")
        }
    }

    func testAFixedStepBeyondTheStepLimitIsATypedError() throws {
        let block = ODEBlock(SmallMLPDynamics<Double>(), method: .rk4, stepSize: 1e-19)
        let z0 = Tensor<Double>(shape: [2, 2], scalars: [0.4, -0.3, 0.2, 0.5])
        XCTAssertThrowsError(try block(z0)) { error in
            guard case let SolverError.tooManyFixedSteps(_, limit, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(limit, block.maximumSteps)
        }
    }

    func testDirectModeNaNGradientFromFiniteInputsIsATypedError() throws {
        // The same field in direct mode: the tape's reverse pass yields NaN for w (0·∞ in √'s pullback).
        let w = Parameter(Tensor<Double>([0.5]))
        let dynamics = DynamicsFunction<Double>(members: ["w": w]) { _, z in w.value * sqrt(z * z) }
        let block = ODEBlock(dynamics, relativeTolerance: 1e-6, absoluteTolerance: 1e-9, gradientMode: .direct)
        let z0 = Tensor<Double>(shape: [1, 1], scalars: [0])
        XCTAssertThrowsError(try valueWithGradient(at: block) { (try block(z0)).sum() }) { error in
            guard case let ODENetError.nonFiniteGradient(parameter, index, value)? = error as? ODENetError else {
                return XCTFail("expected nonFiniteGradient, got \(error)")
            }
            // The solve's own check fires first, inside the reverse pass: it names the dynamics' parameter.
            XCTAssertEqual(parameter, "w")
            XCTAssertEqual(index, 0)
            XCTAssertTrue(value.isNaN)
        }
        XCTAssertThrowsError(try valueWithGradient(at: block, z0) { (try block($0)).sum() }) { error in
            guard case ODENetError.nonFiniteGradient? = error as? ODENetError else { return XCTFail("\(error)") }
        }
        // A finite point has finite gradients and no error.
        XCTAssertNoThrow(try valueWithGradient(at: block) { (try block(z0 + 1)).sum() })
    }

    func testDirectAndCheckpointedSolvesCheckTheirGradientsUnderAnyDifferentialOperator() throws {
        // Autodiff's plain `gradient(at:)` knows nothing of ODENet; the solve checks its own contribution.
        let w = Parameter(Tensor<Double>([0.5]))
        let dynamics = DynamicsFunction<Double>(members: ["w": w]) { _, z in w.value * sqrt(z * z) }
        let z0 = Tensor<Double>(shape: [1, 1], scalars: [0])
        for mode in [GradientMode.direct, .checkpointed] {
            let block = ODEBlock(dynamics, relativeTolerance: 1e-6, absoluteTolerance: 1e-9, gradientMode: mode)
            XCTAssertThrowsError(try gradient(at: z0) { (try block($0)).sum() }, "\(mode)") { error in
                guard case let ODENetError.nonFiniteGradient(parameter, _, value)? = error as? ODENetError else {
                    return XCTFail("\(mode): expected nonFiniteGradient, got \(error)")
                }
                XCTAssertTrue(parameter == "the initial state z(t₀)" || parameter == "w", "\(mode): \(parameter)")
                XCTAssertFalse(value.isFinite)
            }
            // A NaN cotangent from the loss is not the solve's fault: no error, the NaN passes through.
            let g = try gradient(at: z0 + 1) { z in (try block(z)).sum() * Tensor(Double.nan) }
            XCTAssertTrue(g.scalars[0].isNaN, "\(mode)")
            // Finite where the field is smooth.
            let smooth = try gradient(at: z0 + 1) { (try block($0)).sum() }
            XCTAssertTrue(smooth.scalars[0].isFinite, "\(mode)")
        }
    }

    func testAnomalyDetectionNamesTheOpInsideADirectSolve() throws {
        let w = Parameter(Tensor<Double>([0.5]))
        let dynamics = DynamicsFunction<Double>(members: ["w": w]) { _, z in w.value * sqrt(z * z) }
        let block = ODEBlock(dynamics, relativeTolerance: 1e-6, absoluteTolerance: 1e-9, gradientMode: .direct)
        let z0 = Tensor<Double>(shape: [1, 1], scalars: [0])
        XCTAssertThrowsError(try withAnomalyDetection { try valueWithGradient(at: block) { (try block(z0)).sum() } }) {
            guard case let AutodiffError.nonFiniteCotangent(operation, _, _, _, _, _)? = $0 as? AutodiffError else {
                return XCTFail("expected AutodiffError, got \($0)")
            }
            XCTAssertEqual(operation, "sqrt(_:)")
        }
        // The norm op has the zero subgradient at 0: the same field written with it trains.
        let normDynamics = DynamicsFunction<Double>(members: ["w": w]) { _, z in w.value * z.norm(axis: 1, keepDims: true) }
        let normBlock = ODEBlock(normDynamics, relativeTolerance: 1e-6, absoluteTolerance: 1e-9, gradientMode: .direct)
        let (_, gradients) = try valueWithGradient(at: normBlock) { (try normBlock(z0)).sum() }
        XCTAssertEqual(gradients[0].scalars, [0])
    }
}
