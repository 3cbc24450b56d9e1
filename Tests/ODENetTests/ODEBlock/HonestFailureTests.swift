import XCTest
import ODENet

/// Failures that used to be silent or to crash: a backward solve that fails must throw through every
/// differential operator; a pullback must outlive its block; bad input to a solve is a typed error.
final class HonestFailureTests: XCTestCase {
    let z0 = Tensor<Double>(shape: [2, 2], scalars: [0.4, -0.3, 0.2, 0.5])

    /// A block whose forward solve fits in `maximumSteps` but whose backward solve (at a much tighter
    /// tolerance) does not.
    func makeStarvedBlock() throws -> ODEBlock<SmallMLPDynamics<Double>> {
        let block = ODEBlock(SmallMLPDynamics<Double>(), relativeTolerance: 1e-4, absoluteTolerance: 1e-6,
                             gradientMode: .adjoint(AdjointOptions(relativeTolerance: 1e-12, absoluteTolerance: 1e-12)))
        _ = try block(z0)
        block.maximumSteps = block.statistics.forwardSteps + block.statistics.forwardRejectedSteps
        _ = try block(z0)   // the forward solve still fits
        return block
    }

    func assertTooManySteps(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case SolverError.tooManySteps = error else {
                return XCTFail("expected SolverError.tooManySteps, got \(error)", file: file, line: line)
            }
        }
    }

    func testFailedBackwardSolveThrowsThroughEveryDifferentialOperator() throws {
        let block = try makeStarvedBlock()
        let parameters = block.parameters(of: Double.self)
        let values = parameters.map(\.value)
        func loss(_ xs: [Tensor<Double>]) throws -> Tensor<Double> {
            for (p, x) in zip(parameters, xs[1...]) { p.value = x }
            let y = try block(xs[0])
            return (y * y).sum()
        }
        defer { for (p, v) in zip(parameters, values) { p.value = v } }
        assertTooManySteps { _ = try valueWithGradient(at: [z0] + values, of: loss) }
        assertTooManySteps { _ = try gradient(at: z0) { (try block($0)).sum() } }
        assertTooManySteps { _ = try valueWithGradient(at: block) { (try block(z0)).sum() } }
        assertTooManySteps { _ = try valueWithGradient(at: block, z0) { (try block($0)).sum() } }
        let (_, pullback) = try valueWithPullback(at: [z0]) { try block($0[0]) }
        assertTooManySteps { _ = try pullback(Tensor<Double>.ones([2, 2])) }
        assertTooManySteps { _ = try checkGradients(at: [z0]) { try block($0[0]) } }
    }

    func testCheckpointedReplayFailureThrows() throws {
        struct Refused: Error {}
        final class Switch { var fails = false }
        let failing = Switch()
        let weight = Parameter(Tensor<Double>(shape: [2, 2], scalars: [-0.5, 1, -1, -0.5]))
        let dynamics = DynamicsFunction<Double>(members: ["weight": weight]) { _, z in
            if failing.fails { throw Refused() }
            return matmul(z, weight.value)
        }
        let block = ODEBlock(dynamics, relativeTolerance: 1e-6, absoluteTolerance: 1e-8, gradientMode: .checkpointed)
        let (_, pullback) = try valueWithPullback(at: [z0]) { try block($0[0]) }
        failing.fails = true   // every replayed step now fails
        XCTAssertThrowsError(try pullback(Tensor<Double>.ones([2, 2]))) { XCTAssertTrue($0 is Refused, "\($0)") }
    }

    func testPullbackOutlivesItsBlock() throws {
        for mode in [GradientMode.adjoint(), .checkpointed, .direct] {
            var expected: [Tensor<Double>] = []
            var pullback: ((Tensor<Double>) throws -> [Tensor<Double>])? = nil
            weak var released: ODEBlock<SmallMLPDynamics<Double>>?
            do {
                let block = ODEBlock(SmallMLPDynamics<Double>(), relativeTolerance: 1e-8, absoluteTolerance: 1e-8,
                                     gradientMode: mode)
                released = block
                let made = try valueWithPullback(at: [z0]) { try block($0[0]) }
                expected = try made.pullback(Tensor<Double>.ones([2, 2]))
                pullback = made.pullback
            }
            XCTAssertNil(released, "\(mode): the block should be gone")
            let late = try XCTUnwrap(pullback)(Tensor<Double>.ones([2, 2]))
            XCTAssertEqual(late[0].scalars, expected[0].scalars, "\(mode)")
        }
    }

    func testBadTimesAndMisshapenDerivativesAreTypedErrors() throws {
        let block = ODEBlock(SmallMLPDynamics<Double>())
        XCTAssertThrowsError(try block.trajectory(from: z0, at: Tensor<Double>(shape: [1, 2], scalars: [0, 1]))) {
            XCTAssertEqual($0 as? ODENetError, .invalidTimesShape([1, 2]))
        }
        XCTAssertThrowsError(try block.trajectory(from: z0, at: [0, .nan])) {
            guard case ODENetError.nonFiniteTime(index: 1, let value)? = $0 as? ODENetError, value.isNaN else {
                return XCTFail("\($0)")
            }
        }
        XCTAssertThrowsError(try block.trajectory(from: z0, at: [0, 1, 0.5])) {
            guard case SolverError.outputTimesNotMonotone(index: 2, _, _) = $0 else { return XCTFail("\($0)") }
        }
        let wrong = DynamicsFunction<Double> { _, z in concatenated([z, z], axis: 1) }
        for mode in [GradientMode.adjoint(), .direct, .checkpointed] {
            XCTAssertThrowsError(try ODEBlock(wrong, gradientMode: mode)(z0)) {
                XCTAssertEqual($0 as? ODENetError, .derivativeShapeMismatch(state: [2, 2], derivative: [2, 4]), "\(mode)")
            }
        }
        let fixed = ODEBlock(SmallMLPDynamics<Double>(), method: .rk4, stepSize: 0)
        XCTAssertThrowsError(try fixed(z0)) { XCTAssertEqual($0 as? ODENetError, .invalidStepSize(0)) }
    }
}
