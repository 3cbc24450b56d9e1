import XCTest
import Foundation
import Autodiff
import Solvers
import ODENet
import TestSupport

/// The README's API tour, compiled and run. Each snippet below is copied verbatim between the
/// `// README:begin NAME` and `// README:end` markers, and `testReadmeSnippetsAreTheCompiledOnes` checks
/// that every ```swift block of README.md appears here, so the README cannot drift from code that builds.
final class ReadmeSnippetTests: XCTestCase {
    func testTensorTour() throws {
        // README:begin tensor
        let x = Tensor<Double>([[1, 2], [3, 4]])
        let w = Tensor<Double>([0.5, -1])
        let (value, gradients) = try valueWithGradient(at: [x, w]) { inputs in
            (tanh(inputs[0] * inputs[1]) * inputs[0]).sum()
        }
        print(value.scalar, gradients[1])           // ∂/∂w, summed over the broadcast rows
        // README:end
        XCTAssertEqual(gradients[1].shape, [2])
    }

    func testSolverTour() throws {
        // README:begin solvers
        // dy/dt = (y³)·A, the spiral of torchdiffeq's ode_demo, on plain arrays.
        let problem = ODEProblem(timeSpan: TimeSpan(start: 0, end: 25), initialState: [2.0, 0.0]) { _, y, dy in
            let (a, b) = (y[0] * y[0] * y[0], y[1] * y[1] * y[1])
            dy[0] = -0.1 * a - 2.0 * b
            dy[1] = 2.0 * a - 0.1 * b
        }
        let times = (0..<1000).map { 25.0 * Double($0) / 999 }
        let solution = try solve(problem, using: .dormandPrince54,
                                 controller: StepSizeController(relativeTolerance: 1e-7, absoluteTolerance: 1e-9),
                                 saveAt: .times(times))
        print(solution.finalState, solution.statistics)   // [-0.4436…, 0.2794…], nfe …, accepted …, rejected …
        // README:end
        XCTAssertEqual(solution.states.count, 1000)
    }

    func testODEBlockTour() throws {
        // README:begin odeblock
        var generator = SeededGenerator(seed: 0)
        let field = TimeIndependent(Sequential<Float>(
            Linear(2, 50, activation: .tanh, using: &generator),
            Linear(50, 2, using: &generator)))
        let block = ODEBlock(field, method: .dormandPrince54, relativeTolerance: 1e-5, absoluteTolerance: 1e-7,
                             gradientMode: .adjoint())               // or .direct, .checkpointed
        let y0 = Tensor<Float>.randomNormal([16, 2], using: &generator)
        let target = Tensor<Float>.zeros([16, 2])
        let optimizer = Adam<Float>(learningRate: 1e-2)
        for _ in 0..<3 {
            let (loss, gradients) = try valueWithGradient(at: block) {
                mseLoss(predictions: try block(y0), targets: target)
            }
            optimizer.update(block, along: gradients)
            print(loss.scalar, block.statistics)                     // NFE-F, NFE-B, adjoint drift
        }
        let path = try block.trajectory(from: y0, at: [0, 0.5, 1])    // [3, 16, 2]
        // README:end
        XCTAssertEqual(path.shape, [3, 16, 2])
    }

    func testReadmeSnippetsAreTheCompiledOnes() throws {
        let readme = try String(contentsOf: SharedFolder.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        XCTAssertGreaterThanOrEqual(MarkdownCodeBlocks.blocks(in: readme, language: "swift").count, 3,
                                    "the README has an API tour")
        for block in MarkdownCodeBlocks.blocksMissing(from: source, markdown: readme) {
            XCTFail("README block not compiled by this test:\n\(block)")
        }
    }
}
