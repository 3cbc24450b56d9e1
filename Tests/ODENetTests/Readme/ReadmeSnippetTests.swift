import XCTest
import Foundation
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

    func testStiffSolverTour() throws {
        // README:begin stiff
        // Robertson's chemical kinetics: rates over nine decades, stiff. An explicit method needs
        // millions of steps; a Rosenbrock method a few hundred, with the analytic Jacobian.
        let robertson = ODEProblem(timeSpan: TimeSpan(start: 0, end: 1e5), initialState: [1.0, 0, 0]) { _, y, dy in
            dy[0] = -0.04 * y[0] + 1e4 * y[1] * y[2]
            dy[2] = 3e7 * y[1] * y[1]
            dy[1] = -dy[0] - dy[2]
        }
        let jacobian = JacobianSource<[Double]>.analytic(timeDerivative: .zero) { _, y, J in
            J[0, 0] = -0.04; J[0, 1] = 1e4 * y[2]; J[0, 2] = 1e4 * y[1]
            J[1, 0] = 0.04; J[1, 1] = -1e4 * y[2] - 6e7 * y[1]; J[1, 2] = -1e4 * y[1]
            J[2, 1] = 6e7 * y[1]
        }
        let kinetics = try solve(robertson, using: .rodas5P,          // or .rodas4, .kvaerno5 (ESDIRK)
                                 controller: StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-10),
                                 jacobian: jacobian, saveAt: .times([1, 100, 1e4]))
        print(kinetics.states[1], kinetics.statistics)  // [0.6172…, 6.15…e-06, 0.3827…], nfe …, jacobians …, factorizations …
        // README:end
        let reference = try solve(robertson, using: .kvaerno5, controller: StepSizeController(relativeTolerance: 1e-10,
                                  absoluteTolerance: 1e-14), jacobian: jacobian, saveAt: .times([100]))
        XCTAssertEqual(kinetics.states[1][0], reference.states[0][0], accuracy: 1e-5)
        XCTAssertLessThan(kinetics.statistics.acceptedSteps, 500)
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

    func testGettingStarted() throws {
        // README:begin getting-started
        // import ODENet
        // dy/dt = −y on plain arrays, with adaptive steps.
        let decay = ODEProblem(timeSpan: TimeSpan(start: 0, end: 1), initialState: [1.0]) { _, y, dy in dy[0] = -y[0] }
        let exact = try solve(decay, using: .tsitouras54,
                              controller: StepSizeController(relativeTolerance: 1e-8, absoluteTolerance: 1e-10))
        print(exact.finalState[0], exp(-1.0))                       // 0.36787944…, 0.36787944…

        // A Neural ODE z' = f(z; θ) trained so that z(1) = z(0)·e⁻¹; its gradient is the adjoint's.
        Random.seed(0)
        let block = ODEBlock(TimeIndependent(Sequential<Double>(Linear(1, 16, activation: .tanh), Linear(16, 1))))
        let z0 = Tensor<Double>(shape: [8, 1], scalars: (0..<8).map { Double($0) / 4 - 1 })
        let optimizer = Adam<Double>(learningRate: 1e-2)
        for _ in 0..<200 {
            let (loss, gradients) = try valueWithGradient(at: block) {
                mseLoss(predictions: try block(z0), targets: z0 * exp(-1.0))
            }
            optimizer.update(block, along: gradients)
            if loss.scalar < 1e-4 { break }
        }
        print(block.statistics)                                   // NFE-F, NFE-B, adjoint drift
        // README:end
        XCTAssertEqual(exact.finalState[0], exp(-1.0), accuracy: 1e-7)
        XCTAssertGreaterThan(block.statistics.backwardEvaluations, 0)
        let final = try mseLoss(predictions: block(z0), targets: z0 * exp(-1.0)).scalar
        XCTAssertLessThan(final, 1e-3)
    }

    func testTensorSolveAndCheckpointTour() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(directory.path))
        defer {
            _ = FileManager.default.changeCurrentDirectoryPath(previous)
            try? FileManager.default.removeItem(at: directory)
        }
        // README:begin tensor-solve
        let dynamics = TimeIndependent(Sequential<Double>(Linear(2, 16, activation: .tanh), Linear(16, 2)))
        let start = Tensor<Double>([[1, 0], [0, 1]])
        let stepping = Stepping.adaptive(.tsitouras54,
                                         controller: StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-8))
        let (value, grads) = try valueWithGradient(at: dynamics, start) { z0 in
            let path = try solve(dynamics, from: z0, at: [0, 0.5, 1], stepping: stepping, gradient: .checkpointed)
            return (path * path).sum()                               // path: [3, 2, 2]
        }
        print(value.scalar, grads.input.shape, grads.parameters.count)   // …, [2, 2], 4
        try ModuleCheckpoint.save(dynamics, to: "dynamics.safetensors")  // PyTorch state_dict names: 0.weight, …
        _ = try ModuleCheckpoint.load(into: dynamics, from: "dynamics.safetensors")
        // README:end
        XCTAssertEqual(grads.input.shape, [2, 2])
        XCTAssertEqual(grads.parameters.count, 4)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("dynamics.safetensors").path))
    }

    func testEventAndDenseOutputTour() throws {
        // README:begin events
        // A ball dropped from 10 m: [height, velocity], stopped at the ground.
        let ball = ODEProblem(timeSpan: TimeSpan(start: 0, end: 5), initialState: [10.0, 0.0]) { _, y, dy in
            dy[0] = y[1]
            dy[1] = -9.81
        }
        let ground = ODEEvent { _, y in y[0] }
        let fall = try solve(ball, using: .dormandPrince54,
                             controller: StepSizeController(relativeTolerance: 1e-9, absoluteTolerance: 1e-12),
                             saveAt: .dense, event: ground)
        print(fall.event!.time, try fall(0.5))                      // 1.4278…, [8.77…, −4.905]
        // README:end
        XCTAssertEqual(fall.event!.time, (2 * 10 / 9.81).squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(try fall(0.5)[0], 10 - 9.81 * 0.125, accuracy: 1e-9)
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
