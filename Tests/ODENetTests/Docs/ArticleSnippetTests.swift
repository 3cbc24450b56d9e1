import XCTest
import Foundation
import ODENet
import TestSupport

/// The code of the DocC articles (`Sources/{ODENet,Autodiff,Solvers}/*.docc`), compiled and run with
/// `import ODENet` alone, as a user's program would be. Each article's blocks are copied here verbatim;
/// `testEveryArticleBlockIsCompiledHere` fails when a ```swift or ```python block of a catalog is not
/// found in this file, so the articles cannot drift from code that builds.
final class ArticleSnippetTests: XCTestCase {
    /// Runs `body` with a fresh temporary directory as the current directory (the articles write
    /// checkpoints under relative paths, as a user's program would), then removes it.
    func inTemporaryDirectory(_ body: (URL) throws -> Void) throws {
        let manager = FileManager.default
        let directory = manager.temporaryDirectory.appendingPathComponent("article-snippets-\(UUID().uuidString)")
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        let previous = manager.currentDirectoryPath
        XCTAssertTrue(manager.changeCurrentDirectoryPath(directory.path))
        defer {
            _ = manager.changeCurrentDirectoryPath(previous)
            try? manager.removeItem(at: directory)
        }
        try body(directory)
    }

    // MARK: - Landing pages

    func testAutodiffLandingPage() throws {
        let x = Tensor<Double>([[1, 2], [3, 4]])
        let (square, gradient) = try valueWithGradient(at: x) { x in (x * x).sum() }
        print(square.scalar, gradient)       // 30.0, [[2, 4], [6, 8]]

        XCTAssertEqual(square.scalar, 30)
        XCTAssertEqual(gradient.scalars, x.scalars.map { 2 * $0 })
    }

    func testHigherOrderDerivativesArticle() throws {
        let x = Tensor<Double>([0.5, -2, 3])
        let second = try gradient(at: x) { x in try gradient(at: x) { x in (x * x * x).sum() }.sum() }   // 6x

        XCTAssertEqual(second.scalars, x.scalars.map { 6 * $0 })
    }

    func testSolversLandingPage() throws {
        // dy/dt = −2y, y(0) = 1: y(t) = e^(−2t).
        let decay = ODEProblem(timeSpan: TimeSpan(start: 0, end: 1), initialState: [1.0]) { _, y, dy in
            dy[0] = -2 * y[0]
        }
        let decaySolution = try solve(decay, using: .dormandPrince54,
                                      controller: StepSizeController(relativeTolerance: 1e-9, absoluteTolerance: 1e-12),
                                      saveAt: .times([0.25, 0.5, 1]))
        print(decaySolution.states)          // ≈ [[0.6065], [0.3679], [0.1353]]

        for (t, state) in zip([0.25, 0.5, 1], decaySolution.states) { XCTAssertEqual(state[0], exp(-2 * t), accuracy: 1e-8) }
    }

    func testSolversLandingPageStiffBlock() throws {
        let stiff = ODEProblem(timeSpan: TimeSpan(start: 0, end: 10), initialState: [1.0, 0.0]) { _, y, dy in
            dy[0] = -1000 * y[0] + y[1]
            dy[1] = -y[1] + 1
        }
        let stiffSolution = try solve(stiff, using: .rodas5P,
                                      controller: StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-9),
                                      jacobian: .finiteDifferencesAutonomous)
        print(stiffSolution.statistics)      // nfe …, jacobians …, factorizations …, linear solves …

        // y₂ = 1 − e^(−t); y₁ follows it on the slow manifold, y₁ ≈ y₂/1000.
        XCTAssertEqual(stiffSolution.finalState[1], 1 - exp(-10), accuracy: 1e-5)
        XCTAssertLessThan(stiffSolution.statistics.acceptedSteps, 200)
    }

    // MARK: - Getting started

    /// The manifest of "Getting started": written to a scratch package and loaded by `swift package
    /// dump-package`, which evaluates the manifest without fetching the (placeholder) dependency.
    static let userManifest = """
        // swift-tools-version: 6.0
        import PackageDescription

        let package = Package(
            name: "MyODEModel",
            platforms: [.macOS(.v15), .iOS(.v18)],
            dependencies: [
                .package(url: "https://github.com/<owner>/swift-neural-ode", from: "0.2.0"),
            ],
            targets: [
                .executableTarget(
                    name: "MyODEModel",
                    dependencies: [.product(name: "ODENet", package: "swift-neural-ode")]
                ),
            ]
        )
        """

    func testGettingStartedManifestLoads() throws {
        try inTemporaryDirectory { directory in
            try Self.userManifest.write(to: directory.appendingPathComponent("Package.swift"), atomically: true,
                                        encoding: .utf8)
            let sources = directory.appendingPathComponent("Sources/MyODEModel")
            try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
            try "import ODENet\n".write(to: sources.appendingPathComponent("main.swift"), atomically: true,
                                        encoding: .utf8)
            let output = try Self.run(["swift", "package", "--package-path", directory.path, "dump-package"])
            XCTAssertEqual(output.status, 0, output.text)
            XCTAssertTrue(output.text.contains("\"lowerBound\" : \"0.2.0\""), output.text)
            XCTAssertTrue(output.text.contains("ODENet"), output.text)
        }
    }

    func testGettingStartedFirstSolve() throws {
        // y'' = −y as a first-order system, y = [position, velocity]: a harmonic oscillator.
        let oscillator = ODEProblem(timeSpan: TimeSpan(start: 0, end: 2 * Double.pi), initialState: [1.0, 0.0]) { _, y, dy in
            dy[0] = y[1]
            dy[1] = -y[0]
        }
        let solution = try solve(oscillator, using: .tsitouras54,
                                 controller: StepSizeController(relativeTolerance: 1e-8, absoluteTolerance: 1e-10),
                                 saveAt: .dense)
        print(solution.finalState)            // ≈ [1, 0]: one full period
        print(try solution(Double.pi / 2))    // ≈ [0, -1], from the dense output
        print(solution.statistics)            // nfe …, accepted …, rejected …

        // The exact solution is (cos t, −sin t).
        XCTAssertEqual(solution.finalState[0], 1, accuracy: 1e-6)
        XCTAssertEqual(solution.finalState[1], 0, accuracy: 1e-6)
        let quarter = try solution(Double.pi / 2)
        XCTAssertEqual(quarter[0], cos(Double.pi / 2), accuracy: 1e-6)
        XCTAssertEqual(quarter[1], -sin(Double.pi / 2), accuracy: 1e-6)
    }

    func testGettingStartedFirstTraining() throws {
        Random.seed(0)                                   // the default generator's seed: same weights every run
        let field = TimeIndependent(Sequential<Float>(Linear(2, 16, activation: .tanh), Linear(16, 2)))
        let block = ODEBlock(field, method: .dormandPrince54, relativeTolerance: 1e-4, absoluteTolerance: 1e-6)

        // Learn the time-1 map of a quarter turn: z(1) = z(0) rotated by 90°.
        let z0 = Tensor<Float>.randomNormal([64, 2])
        let target = matmul(z0, Tensor<Float>([[0, 1], [-1, 0]]))
        let optimizer = Adam<Float>(learningRate: 0.02)
        for step in 1...30 {
            let (loss, gradients) = try valueWithGradient(at: block) {
                mseLoss(predictions: try block(z0), targets: target)
            }
            optimizer.update(block, along: gradients)
            if step % 10 == 0 { print(step, loss.scalar, block.statistics) }
        }

        // The same untrained block (same seed) against the trained one.
        Random.seed(0)
        let untrained = ODEBlock(TimeIndependent(Sequential<Float>(Linear(2, 16, activation: .tanh), Linear(16, 2))),
                                 method: .dormandPrince54, relativeTolerance: 1e-4, absoluteTolerance: 1e-6)
        let before = mseLoss(predictions: try untrained(z0), targets: target).scalar
        let after = mseLoss(predictions: try block(z0), targets: target).scalar
        print("getting started: loss \(before) → \(after)")
        XCTAssertLessThan(after, 0.5 * before, "30 Adam steps train the block")
    }

    // MARK: - Solving ODEs

    func testSolvingMethodsAndTolerances() throws {
        // The Lotka–Volterra predator–prey model.
        let predatorPrey = ODEProblem(timeSpan: TimeSpan(start: 0, end: 10), initialState: [1.0, 1.0]) { _, y, dy in
            dy[0] = 1.5 * y[0] - y[0] * y[1]
            dy[1] = -3 * y[1] + y[0] * y[1]
        }
        let rtol = 1e-8, atol = 1e-10
        let adaptive = try solve(predatorPrey, using: .dormandPrince853,
                                 controller: StepSizeController(relativeTolerance: rtol, absoluteTolerance: atol))
        let fixed = try solve(predatorPrey, using: .rk4, stepSize: 0.01)
        print(adaptive.finalState, adaptive.statistics)
        print(fixed.finalState, fixed.statistics)        // 1,000 steps of 4 evaluations

        var controller = StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: [1e-8, 1e-4])
        controller.maximumStepSize = 0.1
        controller.norm = .maximum
        let perComponent = try solve(predatorPrey, using: .tsitouras54, controller: controller,
                                     saveAt: .times([2.5, 5, 7.5, 10]))
        print(perComponent.states)

        // Every solution keeps the first integral V = x − 3 ln x + y − 1.5 ln y of the model.
        func invariant(_ y: [Double]) -> Double { y[0] - 3 * log(y[0]) + y[1] - 1.5 * log(y[1]) }
        let v0 = invariant([1, 1])
        XCTAssertEqual(invariant(adaptive.finalState), v0, accuracy: 1e-6)
        XCTAssertEqual(invariant(fixed.finalState), v0, accuracy: 1e-6)
        for state in perComponent.states { XCTAssertEqual(invariant(state), v0, accuracy: 1e-4) }
        XCTAssertEqual(fixed.statistics.acceptedSteps, 1000)
        XCTAssertEqual(perComponent.times, [2.5, 5, 7.5, 10])
    }

    func testSolvingDenseOutputAndEvents() throws {
        // A ball dropped from 10 m: y = [height, velocity]; the solve stops when it reaches the ground.
        let drop = ODEProblem(timeSpan: TimeSpan(start: 0, end: 5), initialState: [10.0, 0.0]) { _, y, dy in
            dy[0] = y[1]
            dy[1] = -9.81
        }
        let ground = ODEEvent(direction: .falling) { _, y in y[0] }
        let solution = try solve(drop, using: .dormandPrince54,
                                 controller: StepSizeController(relativeTolerance: 1e-8, absoluteTolerance: 1e-10),
                                 saveAt: .dense, event: ground)
        if let impact = solution.event {
            print(impact.time, impact.state)              // 1.4278…, [0, -14.007…]
        }
        let halfway = try solution(solution.finalTime / 2)   // the dense output, anywhere before the impact
        print(halfway)

        let exactImpact = (2 * 10 / 9.81).squareRoot()
        XCTAssertEqual(try XCTUnwrap(solution.event).time, exactImpact, accuracy: 1e-9)
        XCTAssertEqual(solution.finalTime, exactImpact, accuracy: 1e-9)
        let t = exactImpact / 2
        XCTAssertEqual(halfway[0], 10 - 9.81 * t * t / 2, accuracy: 1e-7)
        XCTAssertThrowsError(try solution(exactImpact + 1)) { error in
            guard case SolverError.evaluationTimeOutsideSolution = error else { return XCTFail("\(error)") }
        }
    }

    func testSolvingErrors() throws {
        let blowUp = ODEProblem(timeSpan: TimeSpan(start: 0, end: 2), initialState: [1.0]) { _, y, dy in
            dy[0] = y[0] * y[0]                           // y = 1 / (1 − t): infinite at t = 1
        }
        do {
            _ = try solve(blowUp, using: .dormandPrince54,
                          controller: StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-9))
        } catch let error as SolverError {
            print(error)                                   // step size underflow at t = 0.99999…, or too many steps
        }

        // The same error, asserted: the solve cannot pass t = 1.
        XCTAssertThrowsError(try solve(blowUp, using: .dormandPrince54,
                                       controller: StepSizeController(relativeTolerance: 1e-6, absoluteTolerance: 1e-9))) {
            error in
            switch error as? SolverError {
            case .stepSizeUnderflow(let time, _)?: XCTAssertEqual(time, 1, accuracy: 1e-3)
            case .tooManySteps(_, let time, _)?: XCTAssertEqual(time, 1, accuracy: 1e-3)
            default: XCTFail("unexpected \(error)")
            }
        }
    }

    func testSolvingTensors() throws {
        // dz/dt = z·A on a batch of two states, differentiable with respect to z0 and A.
        let a = Parameter(Tensor<Double>([[-0.1, 2], [-2, -0.1]]))
        let field = DynamicsFunction<Double>(members: ["A": a]) { _, z in matmul(z, a.value) }
        let z0 = Tensor<Double>([[1, 0], [0, 1]])
        let recorder = ODEStatisticsRecorder()
        let (value, gradients) = try valueWithGradient(at: field, z0) { z0 in
            let path = try solve(field, from: z0, at: [0, 0.5, 1], using: .dormandPrince54,
                                 controller: .torchdiffeq(relativeTolerance: 1e-8, absoluteTolerance: 1e-10),
                                 gradient: .adjoint(), statistics: recorder)   // path: [3, 2, 2]
            return (path * path).sum()
        }
        print(value.scalar, gradients.input, gradients.parameters[0])
        print(recorder.statistics)                         // NFE-F …, NFE-B …, max adjoint drift …

        // The direct gradient of the same solve agrees to the tolerances.
        let (_, direct) = try valueWithGradient(at: field, z0) { z0 in
            let path = try solve(field, from: z0, at: [0, 0.5, 1], using: .dormandPrince54,
                                 controller: .torchdiffeq(relativeTolerance: 1e-8, absoluteTolerance: 1e-10),
                                 gradient: .direct)
            return (path * path).sum()
        }
        let parameterError = abs(gradients.parameters[0] - direct.parameters[0]).max().scalar
        let inputError = abs(gradients.input - direct.input).max().scalar
        XCTAssertLessThan(Swift.max(parameterError, inputError), 1e-5)
        XCTAssertGreaterThan(recorder.statistics.backwardEvaluations, 0)
        XCTAssertFalse(recorder.statistics.adjointDrift.isEmpty)
    }

    func testSolvingODENetErrors() throws {
        let wrongShape = DynamicsFunction<Float> { _, z in z.sum(axis: 1) }   // [batch] for a [batch, 2] state
        let block = ODEBlock(wrongShape)
        do {
            _ = try block(Tensor<Float>.zeros([4, 2]))
        } catch ODENetError.derivativeShapeMismatch(let state, let derivative) {
            print("dz/dt has shape \(derivative), the state \(state)")
        }

        XCTAssertThrowsError(try block(Tensor<Float>.zeros([4, 2]))) { error in
            XCTAssertEqual(error as? ODENetError, .derivativeShapeMismatch(state: [4, 2], derivative: [4]))
        }
    }

    // MARK: - Choosing a gradient mode

    func testGradientModeChoices() throws {
        Random.seed(3)
        let dynamics = TimeIndependent(Sequential<Double>(Linear(2, 32, activation: .tanh), Linear(32, 2)))
        let block = ODEBlock(dynamics, relativeTolerance: 1e-6, absoluteTolerance: 1e-8)   // adjoint by default
        block.gradientMode = .direct                     // exact for the discrete solve; memory grows with the steps
        block.gradientMode = .checkpointed               // the same gradient, one state per step kept
        block.gradientMode = .adjoint(AdjointOptions(relativeTolerance: 1e-8, absoluteTolerance: 1e-10,
                                                     usesSeminorm: true))
        print(block.gradientMode)                        // adjoint(rtol: 1e-08, atol: 1e-10, seminorm)

        let z0 = Tensor<Double>.randomNormal([8, 2])
        let comparison = try block.compareGradientModes(at: z0, times: [0, 0.5, 1])
        print(comparison)                                // adjoint vs direct: 3e-08 …, direct vs checkpointed: 1e-16 …

        let entry = { (label: String) in try XCTUnwrap(comparison.entries.first { $0.label == label }).relativeDifference }
        XCTAssertLessThan(try entry("direct vs checkpointed"), 1e-12)
        XCTAssertLessThan(try entry("adjoint vs direct"), 1e-4)
        XCTAssertLessThan(try entry("direct vs finite differences"), 1e-6)
    }

    func testGradientModeDrift() throws {
        Random.seed(4)
        let block = ODEBlock(TimeIndependent(Sequential<Double>(Linear(2, 16, activation: .tanh), Linear(16, 2))))
        let z0 = Tensor<Double>.randomNormal([8, 2])
        let (_, gradients) = try valueWithGradient(at: block) {
            (try block.trajectory(from: z0, at: [0, 0.5, 1])).sum()
        }
        print(block.statistics.adjointDrift)             // one figure per output interval, last to first
        if block.statistics.maximumAdjointDrift > 100 {   // the backsolve did not retrace the forward solve
            block.gradientMode = .checkpointed
        }

        XCTAssertEqual(gradients.count, block.parameters.count)
        XCTAssertEqual(block.statistics.adjointDrift.count, 2)
        XCTAssertLessThan(block.statistics.maximumAdjointDrift, 10, "a smooth, non-stiff field reads O(1)")
    }

    // MARK: - Checkpoints and PyTorch interop

    func testCheckpointSaveAndLoad() throws {
        try inTemporaryDirectory { _ in
            Random.seed(1)
            let field = TimeIndependent(Sequential<Float>(Linear(2, 16), Tanh(), Linear(16, 2)))
            let block = ODEBlock(field)
            let optimizer = Adam<Float>(learningRate: 1e-3)
            // … train …
            try ModuleCheckpoint.save(block, optimizerState: optimizer.state(), metadata: ["epoch": "3"],
                                      to: "block.safetensors")
            print(block.namedParameters.map(\.name))     // ["dynamics.0.weight", "dynamics.0.bias", "dynamics.2.weight", …]

            let restored = ODEBlock(TimeIndependent(Sequential<Float>(Linear(2, 16), Tanh(), Linear(16, 2))))
            let contents = try ModuleCheckpoint.load(into: restored, from: "block.safetensors")
            if let state = contents.optimizerState { try optimizer.loadState(state, for: restored.parameters) }
            print(contents.metadata["epoch"] ?? "-")     // 3

            XCTAssertEqual(block.namedParameters.map(\.name),
                           ["dynamics.0.weight", "dynamics.0.bias", "dynamics.2.weight", "dynamics.2.bias"])
            for (a, b) in zip(block.parameters, restored.parameters) { XCTAssertEqual(a.value.scalars, b.value.scalars) }
            XCTAssertEqual(contents.metadata["epoch"], "3")
        }
    }

    /// The Python side of the interop article. It runs when `SWIFT_NEURAL_ODE_TORCH_PYTHON` names a Python
    /// with torch and safetensors (CI has neither, so it skips there); it was run by hand with torch 2.13.
    static let pythonSide = """
        import torch
        from safetensors.torch import load_file, save_file

        # The same network in PyTorch: nn.Sequential names its children 0, 1, 2, as Sequential does in Swift.
        net = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2))
        net.load_state_dict(load_file("field.safetensors"))   # written by ModuleCheckpoint.save(field, to:)
        print(net(torch.tensor([[0.5, -1.0]])))               # the Swift field's output at the same point

        # … train in PyTorch, then hand the weights back to Swift:
        save_file(net.state_dict(), "field-from-torch.safetensors")
        """

    func testPyTorchInterop() throws {
        try inTemporaryDirectory { directory in
            Random.seed(2)
            let field = TimeIndependent(Sequential<Float>(Linear(2, 16), Tanh(), Linear(16, 2)))
            try ModuleCheckpoint.save(field, to: "field.safetensors")
            print(try field(Tensor<Float>(0), Tensor<Float>([[0.5, -1.0]])))

            let swiftOutput = try field(Tensor<Float>(0), Tensor<Float>([[0.5, -1.0]]))
            XCTAssertEqual(field.namedParameters.map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias"])

            guard let python = ProcessInfo.processInfo.environment["SWIFT_NEURAL_ODE_TORCH_PYTHON"] else {
                throw XCTSkip("set SWIFT_NEURAL_ODE_TORCH_PYTHON to a python3 with torch and safetensors to run the "
                              + "PyTorch side of the interop article")
            }
            // Python perturbs nothing: the weights it writes back are the ones it read, so the round trip
            // through PyTorch must reproduce the Swift field's output bit for bit.
            try Self.pythonSide.write(to: directory.appendingPathComponent("interop.py"), atomically: true,
                                      encoding: .utf8)
            let output = try Self.run([python, "interop.py"])
            XCTAssertEqual(output.status, 0, output.text)
            print(output.text)
            let printed = swiftOutput.scalars.map { String(format: "%.4f", $0) }
            for value in printed { XCTAssertTrue(output.text.contains(value), "torch printed \(output.text), Swift \(printed)") }

            let fromTorch = TimeIndependent(Sequential<Float>(Linear(2, 16), Tanh(), Linear(16, 2)))
            try ModuleCheckpoint.load(into: fromTorch, from: "field-from-torch.safetensors")

            for (a, b) in zip(field.parameters, fromTorch.parameters) { XCTAssertEqual(a.value.scalars, b.value.scalars) }
        }
    }

    // MARK: - The check

    /// Runs a command (found on `PATH` through `/usr/bin/env`) and returns its exit status and output.
    static func run(_ arguments: [String]) throws -> (status: Int32, text: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The articles and landing pages of the catalogs whose code this file compiles.
    static func catalogPages() throws -> [URL] {
        let manager = FileManager.default
        return try ["ODENet", "Autodiff", "Solvers"].flatMap { module -> [URL] in
            let catalog = SharedFolder.packageRoot.appendingPathComponent("Sources/\(module)/\(module).docc")
            return try manager.contentsOfDirectory(at: catalog, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "md" }
        }
    }

    func testContinuousNormalizingFlowsArticle() throws {
        var generator = SeededGenerator(seed: 0)
        let field = HyperNetworkDynamics<Float>(stateDimensions: 2, hiddenDimensions: 32, width: 64, using: &generator)
        let block = CNFBlock(field, dimensions: 2, dataTime: 10, baseTime: 0, gradientMode: .direct)
        let flow = ContinuousNormalizingFlow(block, base: .isotropicGaussian(variance: 0.1))
        let optimizer = Adam<Float>(learningRate: 1e-3)

        let x = Tensor<Float>.randomNormal([64, 2], using: &generator)        // a batch of data
        let (loss, gradients) = try valueWithGradient(at: flow) { try flow(x).negativeLogLikelihood }
        optimizer.update(flow, along: gradients)

        let samples = try flow.sample(500, using: &generator)                  // points and their log-densities

        XCTAssertTrue(loss.scalar.isFinite)
        XCTAssertEqual(gradients.count, 6)
        XCTAssertEqual(samples.points.shape, [500, 2])
        XCTAssertEqual(samples.logLikelihood.shape, [500])
    }

    func testContinuousNormalizingFlowsArticlePlanarBaseline() throws {
        var generator = SeededGenerator(seed: 0)
        let planar = PlanarFlow<Float>(dimensions: 2, layers: 64, using: &generator)
        let x = Tensor<Float>.randomNormal([64, 2], using: &generator)
        let (nll, planarGradients) = try valueWithGradient(at: planar) { -planar.logLikelihood(x).mean() }
        let drawn = planar.sample(500, using: &generator)                    // points and their log-densities

        XCTAssertTrue(nll.scalar.isFinite)
        XCTAssertEqual(planarGradients.map(\.shape), [[64, 2], [64, 2], [64]])
        XCTAssertEqual(drawn.points.shape, [500, 2])
    }

    func testSolvingODEsArticleBouncingBall() throws {
        // The same ball bouncing with restitution 0.8, until its fifth impact.
        let bouncing = ODEProblem(timeSpan: TimeSpan(start: 0, end: .infinity), initialState: [10.0, 0.0]) { _, y, dy in
            dy[0] = y[1]
            dy[1] = -9.81
        }
        let bounce = ODEEvent(direction: .falling, action: .jump { _, y in [y[0], -0.8 * y[1]] }) { _, y in y[0] }
        let bounces = try solve(bouncing, using: .dormandPrince54,
                                controller: StepSizeController(relativeTolerance: 1e-8, absoluteTolerance: 1e-10),
                                events: [bounce], maximumEvents: 5)
        print(bounces.events.map(\.time))                // 1.4278…, 3.7124…, 5.5400…, …

        let first = (2 * 10 / 9.81).squareRoot()
        XCTAssertEqual(bounces.events.count, 5)
        XCTAssertEqual(bounces.events[0].time, first, accuracy: 1e-7)
        XCTAssertEqual(bounces.events[1].time, first * (1 + 2 * 0.8), accuracy: 1e-7)
        XCTAssertEqual(bounces.events[2].time, first * (1 + 2 * 0.8 + 2 * 0.64), accuracy: 1e-7)
    }

    func testSolvingODEsArticleEventsOnTensors() throws {
        // A ball whose contact height ρ is learned: the heights at three times, through the bounces between them.
        let rho = Parameter(Tensor<Double>(0.2))
        let fall = DynamicsFunction<Double> { _, z in concatenated([z.sliced(1..<2), Tensor([-9.8])], axis: 0) }
        let contact = DifferentiableEvent<Double>(direction: .falling, jump: { _, z in
            concatenated([z.sliced(0..<1), Tensor([-0.8]) * z.sliced(1..<2)], axis: 0)
        }) { _, z in z.sliced(0..<1).reshaped([]) - rho.value }
        let (heights, dRho) = try valueWithGradient(at: [rho.value]) { xs in
            rho.value = xs[0]
            let path = try solve(fall, from: Tensor([10.0, 0]), startTime: Tensor(0), until: contact, occurrences: 20,
                                 saveAt: [1, 2, 3], maximumTime: 3, allowingFewerOccurrences: true,
                                 stepping: .adaptive(.dormandPrince54, controller: StepSizeController(relativeTolerance: 1e-8,
                                                                                                   absoluteTolerance: 1e-8)),
                                 gradient: .adjoint())
            return path.savedStates!.sliced(0..<1, axis: 1).sum()   // one bounce, at t = √2
        }

        func closedForm(_ rho: Double) -> Double {
            [1.0, 2, 3].reduce(0) {
                $0 + EventBatchTests.ball(at: $1, height: 10, velocity: 0, start: 0, gravity: 9.8, contact: rho,
                                          restitution: 0.8).x
            }
        }
        XCTAssertEqual(heights.scalar, closedForm(0.2), accuracy: 1e-6)
        XCTAssertEqual(dRho[0].scalar, (closedForm(0.2 + 1e-6) - closedForm(0.2 - 1e-6)) / 2e-6, accuracy: 1e-4)
    }

    func testEveryArticleBlockIsCompiledHere() throws {
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let pages = try Self.catalogPages()
        XCTAssertGreaterThanOrEqual(pages.count, 7, "four ODENet articles and three landing pages")
        var blockCount = 0
        for page in pages {
            let markdown = try String(contentsOf: page, encoding: .utf8)
            for language in ["swift", "python"] {
                blockCount += MarkdownCodeBlocks.blocks(in: markdown, language: language).count
                for block in MarkdownCodeBlocks.blocksMissing(from: source, markdown: markdown, language: language) {
                    XCTFail("\(page.lastPathComponent): \(language) block not compiled by this test:\n\(block)")
                }
            }
        }
        XCTAssertGreaterThanOrEqual(blockCount, 15)
    }
}
