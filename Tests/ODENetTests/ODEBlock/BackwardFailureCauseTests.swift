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
            XCTAssertEqual(parameter, "dynamics.w")
            XCTAssertEqual(index, 0)
            XCTAssertTrue(value.isNaN)
        }
        XCTAssertThrowsError(try valueWithGradient(at: block, z0) { (try block($0)).sum() }) { error in
            guard case ODENetError.nonFiniteGradient? = error as? ODENetError else { return XCTFail("\(error)") }
        }
        // A finite point has finite gradients and no error.
        XCTAssertNoThrow(try valueWithGradient(at: block) { (try block(z0 + 1)).sum() })
    }
}
