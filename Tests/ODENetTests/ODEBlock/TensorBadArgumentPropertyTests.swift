import XCTest
import ODENet

/// Random problems with random bad arguments through the tensor-level API — the differentiable `solve`
/// functions and `ODEBlock` — in every gradient mode, forward and through the gradient, in `Float` and `Double`:
/// every case ends in a typed error or a finite answer (finite output and finite, non-zero gradients), never a
/// trap (a trap would end the test process). Where the outcome is determined, the error itself is asserted.
final class TensorBadArgumentPropertyTests: XCTestCase {
    /// One argument that may be bad.
    enum Bad: String, CaseIterable {
        case none, nanState, infiniteState, nanParameter, infiniteParameter, sqrtOfNegative, logOfZero,
             singularDerivative, lateNaN, nonMonotoneTimes, duplicateTimes, emptyTimes, singleTime, matrixTimes,
             scalarTimes, zeroTolerances, negativeTolerance, nanTolerance, infiniteTolerance, tinyStep, hugeStep,
             zeroStep, negativeStep, nanStep, maxStepsZero, maxStepsOne, maxStepsNegative, infiniteEnd, nanEnd,
             hugeEnd, shapeMismatch, lateShapeMismatch, emptyState
    }

    /// The public entry point a trial goes through.
    enum Entry: CaseIterable {
        /// `solve(_:from:at: [Double], stepping:…)`.
        case solveStepping
        /// `solve(_:from:at: Tensor, stepping:…)`.
        case solveTimeTensor
        /// `solve(_:from:at:using:controller:…)`.
        case solveController
        /// `solve(_:from:at:using:stepSize:…)` (no step limit).
        case solveStepSize
        /// `ODEBlock(_:method:relativeTolerance:absoluteTolerance:gradientMode:)`, called as a function.
        case blockTolerances
        /// `ODEBlock(_:method:controller:gradientMode:)`, `trajectory(from:at: [Double])`.
        case blockController
        /// `ODEBlock(_:method:stepSize:gradientMode:)`, called as a function.
        case blockStepSize
        /// `ODEBlock(_:stepping:gradientMode:)`, `trajectory(from:at: Tensor)`.
        case blockStepping

        var takesTimeTensor: Bool { self == .solveTimeTensor || self == .blockStepping }
        var canBeAdaptive: Bool { self != .solveStepSize && self != .blockStepSize }
        var canBeFixed: Bool { ![.solveController, .blockTolerances, .blockController].contains(self) }
        var takesMaximumSteps: Bool { self != .solveStepSize }
        var returnsFinalState: Bool { self == .blockTolerances || self == .blockStepSize }
    }

    /// How the gradient is taken.
    enum GradientStyle: CaseIterable {
        /// ODENet's `valueWithGradient(at: model) { … }`: the parameters.
        case model
        /// ODENet's `valueWithGradient(at: model, z0) { … }`: the initial state and the parameters.
        case modelAndInput
        /// Autodiff's `gradient(at: z0) { … }`: the initial state, with no finiteness check of its own.
        case input
        /// Autodiff's `valueWithGradient(at: [z0, times])`: the adjoint's time gradients (tensor times only).
        case inputAndTimes
    }

    /// What a trial must end in.
    enum Expected {
        /// A finite answer.
        case finite
        /// An error `matches` accepts, whose description contains `mention` (unless empty).
        case error(mention: String, matches: (Error) -> Bool)
        /// A finite answer or such an error.
        case finiteOr(mention: String, matches: (Error) -> Bool)
    }

    /// Counts outcomes per bad argument: `"forward: SolverError.invalidMaximumSteps"`, `"finite"`, ….
    var outcomes: [Bad: [String: Int]] = [:]

    func testEveryBadArgumentEndsInATypedErrorOrAFiniteAnswer() throws {
        var generator = SeededGenerator(seed: 14)
        let rounds = 24
        for round in 0..<rounds {
            for bad in Bad.allCases {
                let mode = [GradientMode.direct, .adjoint(), .checkpointed][round % 3]
                if (round / 3) % 2 == 0 {
                    runTrial(Double.self, bad: bad, mode: mode, using: &generator)
                } else {
                    runTrial(Float.self, bad: bad, mode: mode, using: &generator)
                }
            }
        }
        var table = "bad argument | outcomes (of \(rounds) trials each)\n"
        for bad in Bad.allCases {
            let counts = (outcomes[bad] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }
            table += "\(bad.rawValue) | \(counts.joined(separator: ", "))\n"
        }
        print(table)
        XCTAssertEqual(outcomes[.none]?["finite"], rounds)
    }

    /// A box the dynamics count their evaluations in.
    final class Counter { var count = 0 }

    /// One trial, long but linear: a random problem, one argument spoiled, a random entry point called forward
    /// and through the gradient, the outcome counted and checked against what `bad` determines.
    func runTrial<Scalar: TensorScalar>(_: Scalar.Type, bad: Bad, mode baseMode: GradientMode,
                                        using g: inout SeededGenerator) {
        // MARK: A random problem: dz/dt = tanh(z W) − z/2 + b·sin t, z of shape [B, d], forwards or backwards.
        let batch = bad == .emptyState ? 0 : Int.random(in: 1...2, using: &g)
        let d = Int.random(in: 1...3, using: &g)
        var weightScalars = (0..<d * d).map { _ in Scalar(Double.random(in: -1...1, using: &g)) }
        var biasScalars = (0..<d).map { _ in Scalar(Double.random(in: -1...1, using: &g)) }
        var stateScalars = (0..<batch * d).map { _ in Scalar(Double.random(in: 0.1...1.5, using: &g)) }
        for i in stateScalars.indices where Bool.random(using: &g) { stateScalars[i].negate() }
        let direction = Bool.random(using: &g) ? 1.0 : -1.0
        let start = Double.random(in: -1...1, using: &g)
        let length = Double.random(in: 0.3...1.2, using: &g)
        let count = bad == .nonMonotoneTimes ? 5 : Int.random(in: 3...5, using: &g)
        var times = (0..<count).map { start + direction * length * Double($0) / Double(count - 1) }
        let loose = Scalar.self == Float.self ? -3.5 : -5.0
        var rtol = pow(10, Double.random(in: loose...(-3), using: &g)), atol = rtol * 1e-2
        var stepSize = length / Double(Int.random(in: 3...8, using: &g))
        var maxSteps = 1000
        let adaptiveMethod = [EmbeddedRungeKutta.dormandPrince54, .tsitouras54, .bogackiShampine32]
            .randomElement(using: &g)!
        let fixedMethod = [ExplicitRungeKutta.rk4, .euler, .midpoint, .heun].randomElement(using: &g)!
        let torchdiffeqController = Bool.random(using: &g)
        var mode = baseMode
        if case .adjoint = baseMode {
            var options = Bool.random(using: &g) ? AdjointOptions()
                                                 : AdjointOptions(method: EmbeddedRungeKutta.tsitouras54)
            options.usesSeminorm = Bool.random(using: &g)
            mode = .adjoint(options)
        }
        var isAdjoint: Bool { if case .adjoint = mode { return true } else { return false } }

        // MARK: Spoil one argument.
        let badIndex = Int.random(in: 0..<max(stateScalars.count, 1), using: &g)
        let lateEvaluation = Int.random(in: 1...40, using: &g)
        var badParameter = (name: "", index: 0)
        switch bad {
        case .nanState: stateScalars[badIndex] = .nan
        case .infiniteState: stateScalars[badIndex] = -.infinity
        case .nanParameter, .infiniteParameter:
            // An infinite W keeps the forward solve finite (tanh saturates), but ∂f/∂z = W·(1 − tanh²) is ∞·0.
            let value: Scalar = bad == .nanParameter ? .nan : (Bool.random(using: &g) ? .infinity : -.infinity)
            if Bool.random(using: &g) {
                badParameter = ("weight", Int.random(in: 0..<d * d, using: &g))
                weightScalars[badParameter.index] = value
            } else {
                badParameter = ("bias", Int.random(in: 0..<d, using: &g))
                biasScalars[badParameter.index] = value
            }
        case .nonMonotoneTimes: times.swapAt(1, 3)
        case .duplicateTimes: times[2] = times[1]
        case .emptyTimes: times = []
        case .singleTime: times = [times[0]]
        case .zeroTolerances: (rtol, atol) = (0, 0)
        case .negativeTolerance: rtol = -rtol
        case .nanTolerance: atol = .nan
        case .infiniteTolerance: rtol = .infinity
        case .tinyStep: stepSize = 1e-300
        case .hugeStep: stepSize = 1e300
        case .zeroStep: stepSize = 0
        case .negativeStep: stepSize = -stepSize
        case .nanStep: stepSize = .nan
        case .maxStepsZero: maxSteps = 0
        case .maxStepsOne: maxSteps = 1
        case .maxStepsNegative: maxSteps = -5
        case .infiniteEnd: times[count - 1] = direction * .infinity
        case .nanEnd: times[count - 1] = .nan
        case .hugeEnd:
            // Steps grow at most tenfold each: far fewer than 130 cannot reach 1e300 (nor can fixed steps).
            times[count - 1] = direction * 1e300
            maxSteps = 50
        default: break
        }
        let isToleranceCase = [.zeroTolerances, .negativeTolerance, .nanTolerance, .infiniteTolerance].contains(bad)
        let isStepCase = [.tinyStep, .hugeStep, .zeroStep, .negativeStep, .nanStep].contains(bad)
        let isMaxStepsCase = [.maxStepsZero, .maxStepsOne, .maxStepsNegative].contains(bad)
        // In the adjoint, a bad tolerance may be the backward solve's: the forward solve then runs.
        let toleranceInAdjointOptions = isToleranceCase && isAdjoint && Bool.random(using: &g)
        if toleranceInAdjointOptions {
            mode = .adjoint(AdjointOptions(relativeTolerance: rtol, absoluteTolerance: atol))
            rtol = 1e-4
            atol = 1e-6
        }

        // MARK: The entry point, and whether it steps adaptively.
        let entries = Entry.allCases.filter { entry in
            if isToleranceCase { return entry.canBeAdaptive }
            if isStepCase { return entry.canBeFixed }
            if isMaxStepsCase { return entry.takesMaximumSteps }
            if bad == .matrixTimes || bad == .scalarTimes { return entry.takesTimeTensor }
            return true
        }
        let entry = entries.randomElement(using: &g)!
        let adaptive = entry.canBeAdaptive && (!entry.canBeFixed || isToleranceCase
                                               || (!isStepCase && Bool.random(using: &g)))
        var style = GradientStyle.allCases.randomElement(using: &g)!
        if style == .inputAndTimes && !(entry.takesTimeTensor && isAdjoint) { style = .modelAndInput }

        let weight = Parameter(Tensor<Scalar>(shape: [d, d], scalars: weightScalars))
        let bias = Parameter(Tensor<Scalar>(shape: [d], scalars: biasScalars))
        let counter = Counter()
        let dynamics = DynamicsFunction<Scalar>(members: ["weight": weight, "bias": bias]) { t, z in
            counter.count += 1
            var f = tanh(matmul(z, weight.value)) - z * 0.5 + bias.value * sin(t)
            switch bad {
            case .sqrtOfNegative: f = f + sqrt(z * z * -1 - 1)
            case .logOfZero: f = f + log(z * 0)
            case .singularDerivative: f = f + sqrt(z - z)   // 0, but ∂/∂z = ∞ − ∞
            case .lateNaN where counter.count >= lateEvaluation: f = f + sqrt(z * 0 - 1)
            case .shapeMismatch: f = concatenated([f, f], axis: 1)
            case .lateShapeMismatch where counter.count >= lateEvaluation: f = concatenated([f, f], axis: 1)
            default: break
            }
            return f
        }
        let z0 = Tensor<Scalar>(shape: [batch, d], scalars: stateScalars)
        let timeTensor: Tensor<Scalar>
        switch bad {
        case .matrixTimes: timeTensor = Tensor(shape: [1, count], scalars: times.map { Scalar($0) })
        case .scalarTimes: timeTensor = Tensor(Scalar(times[0]))
        default: timeTensor = Tensor(times.map { Scalar($0) })
        }
        // The times as the library reads them (rounded to `Scalar` when passed as a tensor).
        let seenTimes = entry.takesTimeTensor ? times.map { Double(Scalar($0)) } : times
        var controller = StepSizeController(relativeTolerance: .scalar(rtol), absoluteTolerance: .scalar(atol))
        if torchdiffeqController { controller = .torchdiffeq(relativeTolerance: rtol, absoluteTolerance: atol) }
        let stepping: Stepping = adaptive ? .adaptive(adaptiveMethod, controller: controller)
                                          : .fixed(fixedMethod, stepSize: stepSize)
        let recorder = ODEStatisticsRecorder()
        let model: any Module
        let run: (Tensor<Scalar>, Tensor<Scalar>) throws -> Tensor<Scalar>
        switch entry {
        case .solveStepping:
            model = dynamics
            run = { z, _ in try solve(dynamics, from: z, at: times, stepping: stepping, gradient: mode,
                                      maximumSteps: maxSteps, statistics: recorder) }
        case .solveTimeTensor:
            model = dynamics
            run = { z, t in try solve(dynamics, from: z, at: t, stepping: stepping, gradient: mode,
                                      maximumSteps: maxSteps, statistics: recorder) }
        case .solveController:
            model = dynamics
            run = { z, _ in try solve(dynamics, from: z, at: times, using: adaptiveMethod, controller: controller,
                                      gradient: mode, maximumSteps: maxSteps, statistics: recorder) }
        case .solveStepSize:
            model = dynamics
            run = { z, _ in try solve(dynamics, from: z, at: times, using: fixedMethod, stepSize: stepSize,
                                      gradient: mode, statistics: recorder) }
        case .blockTolerances:
            let block = ODEBlock(dynamics, method: adaptiveMethod, relativeTolerance: rtol, absoluteTolerance: atol,
                                 gradientMode: mode)
            block.maximumSteps = maxSteps
            block.integrationTimes = times
            model = block
            run = { z, _ in try block(z) }
        case .blockController:
            let block = ODEBlock(dynamics, method: adaptiveMethod, controller: controller, gradientMode: mode)
            block.maximumSteps = maxSteps
            model = block
            run = { z, _ in try block.trajectory(from: z, at: times) }
        case .blockStepSize:
            let block = ODEBlock(dynamics, method: fixedMethod, stepSize: stepSize, gradientMode: mode)
            block.maximumSteps = maxSteps
            block.integrationTimes = times
            model = block
            run = { z, _ in try block(z) }
        case .blockStepping:
            let block = ODEBlock(dynamics, stepping: stepping, gradientMode: mode)
            block.maximumSteps = maxSteps
            model = block
            run = { z, t in try block.trajectory(from: z, at: t) }
        }
        let limit = entry.takesMaximumSteps ? maxSteps : 100_000

        // MARK: What the trial must end in.
        let last = count - 1
        let expected: Expected
        switch bad {
        case .none, .duplicateTimes, .singleTime, .hugeStep, .emptyState:
            expected = .finite
        case .nanState, .infiniteState:
            expected = .error(mention: "component \(badIndex)") {
                guard case let SolverError.nonFiniteState(time, component, value) = $0 else { return false }
                return time == seenTimes[0] && component == badIndex && !value.isFinite
            }
        case .nanParameter, .infiniteParameter:
            expected = .error(mention: "parameter \(badParameter.name)") {
                guard case let ODENetError.nonFiniteParameter(name, index, value)? = $0 as? ODENetError else {
                    return false
                }
                return name == badParameter.name && index == badParameter.index && !value.isFinite
            }
        case .sqrtOfNegative, .logOfZero:
            expected = .error(mention: "component") {
                switch $0 {
                case SolverError.nonFiniteState, SolverError.nonFiniteDerivative: return true
                default: return false
                }
            }
        case .singularDerivative:
            if isAdjoint {
                expected = .error(mention: "backward pass") {
                    guard case ODENetError.nonFiniteInBackwardPass? = $0 as? ODENetError else { return false }
                    return true
                }
            } else {
                expected = .error(mention: "gradient") {
                    guard case ODENetError.nonFiniteGradient? = $0 as? ODENetError else { return false }
                    return true
                }
            }
        case .lateNaN:
            // Forward, backward or in the replay, if the field turns NaN before the end.
            expected = .finiteOr(mention: "nan") {
                switch $0 {
                case SolverError.nonFiniteState, SolverError.nonFiniteDerivative,
                     ODENetError.nonFiniteInBackwardPass, ODENetError.nonFiniteGradient: return true
                default: return false
                }
            }
        case .nonMonotoneTimes:
            expected = .error(mention: "time[2]") {
                guard case SolverError.outputTimesNotMonotone(index: 2, let previous, let time) = $0 else {
                    return false
                }
                return previous == seenTimes[1] && time == seenTimes[2]
            }
        case .emptyTimes:
            expected = .error(mention: "[0]") { $0 as? ODENetError == .invalidTimesShape([0]) }
        case .matrixTimes:
            expected = .error(mention: "[1, \(count)]") { $0 as? ODENetError == .invalidTimesShape([1, count]) }
        case .scalarTimes:
            expected = .error(mention: "[]") { $0 as? ODENetError == .invalidTimesShape([]) }
        case .zeroTolerances, .negativeTolerance, .nanTolerance, .infiniteTolerance:
            let name = bad == .zeroTolerances || bad == .nanTolerance ? "absoluteTolerance" : "relativeTolerance"
            expected = .error(mention: name) {
                guard case let SolverError.invalidTolerance(reported, _, _) = $0 else { return false }
                return reported == name
            }
        case .tinyStep:
            expected = .error(mention: "1e-300") {
                guard case let SolverError.tooManyFixedSteps(_, reported, h) = $0 else { return false }
                return reported == limit && h == 1e-300
            }
        case .zeroStep, .negativeStep, .nanStep:
            expected = .error(mention: "\(stepSize)") {
                guard case let ODENetError.invalidStepSize(h)? = $0 as? ODENetError else { return false }
                return h == stepSize || (h.isNaN && stepSize.isNaN)
            }
        case .maxStepsZero, .maxStepsNegative:
            expected = .error(mention: "\(maxSteps)") { $0 as? SolverError == .invalidMaximumSteps(maxSteps) }
        case .maxStepsOne:
            expected = .finiteOr(mention: "1") {
                switch $0 {
                case SolverError.tooManySteps(limit: 1, _, _), SolverError.tooManyFixedSteps(_, limit: 1, _): return true
                default: return false
                }
            }
        case .infiniteEnd, .nanEnd:
            expected = .error(mention: "output time \(last)") {
                guard case let ODENetError.nonFiniteTime(index, value)? = $0 as? ODENetError else { return false }
                return index == last && !value.isFinite
            }
        case .hugeEnd:
            // In Float the time tensor holds ∞, and t = 1e300 rounds to ∞ in the field (sin ∞ = NaN).
            expected = .error(mention: Scalar.self == Double.self ? "\(limit)" : "") {
                switch $0 {
                case SolverError.tooManySteps(limit: 50, _, _), SolverError.tooManyFixedSteps(_, limit: 50, _),
                     SolverError.tooManyFixedSteps(_, limit: 100_000, _): return true
                case SolverError.nonFiniteDerivative, SolverError.nonFiniteState, ODENetError.nonFiniteTime:
                    return Scalar.self == Float.self
                default: return false
                }
            }
        case .shapeMismatch, .lateShapeMismatch:
            let mismatch = ODENetError.derivativeShapeMismatch(state: [batch, d], derivative: [batch, 2 * d])
            let shape = "[\(batch), \(2 * d)]"
            expected = bad == .shapeMismatch ? .error(mention: shape) { $0 as? ODENetError == mismatch }
                                             : .finiteOr(mention: shape) { $0 as? ODENetError == mismatch }
        }

        // MARK: Run: forward, then through the gradient.
        let context = "\(bad) \(Scalar.self) \(entry) \(adaptive ? "adaptive" : "fixed") \(mode) \(style)"
        var stage = "forward"
        var outcome = "finite"
        var failure: Error? = nil
        do {
            let output = try run(z0, timeTensor)
            let expectedShape = entry.returnsFinalState ? [batch, d] : [seenTimes.count, batch, d]
            XCTAssertEqual(output.shape, expectedShape, context)
            XCTAssertTrue(output.scalars.allSatisfy(\.isFinite), "\(context): non-finite output \(output)")
            if bad == .singleTime || (bad == .duplicateTimes && !entry.returnsFinalState) {
                let path = output.scalars, n = batch * d
                if bad == .singleTime { XCTAssertEqual(path, z0.scalars, context) }
                else { XCTAssertEqual(Array(path[n..<2 * n]), Array(path[2 * n..<3 * n]), context) }
            }
            stage = "gradient"
            func loss(_ y: Tensor<Scalar>) -> Tensor<Scalar> { (y * y).sum() }
            var stateGradient: Tensor<Scalar>? = nil
            var parameterGradients: [Tensor<Scalar>] = []
            switch style {
            case .model:
                parameterGradients = try valueWithGradient(at: model) { loss(try run(z0, timeTensor)) }.gradients
            case .modelAndInput:
                let gradients = try valueWithGradient(at: model, z0) { loss(try run($0, timeTensor)) }.gradients
                stateGradient = gradients.input
                parameterGradients = gradients.parameters
            case .input:
                stateGradient = try gradient(at: z0) { loss(try run($0, timeTensor)) }
            case .inputAndTimes:
                let gradients = try valueWithGradient(at: [z0, timeTensor]) { loss(try run($0[0], $0[1])) }.gradients
                stateGradient = gradients[0]
                XCTAssertTrue(gradients[1].scalars.allSatisfy(\.isFinite), "\(context): time gradient \(gradients[1])")
            }
            let all = (stateGradient.map { [$0] } ?? []) + parameterGradients
            if all.allSatisfy({ $0.scalars.allSatisfy(\.isFinite) }) {
                // A silent zero: z(t₀) is an output (or the flow is invertible), and over a span the parameters act.
                if let stateGradient, stateGradient.scalarCount > 0 {
                    XCTAssertTrue(stateGradient.scalars.contains { $0 != 0 }, "\(context): zero ∂L/∂z0")
                }
                let span = seenTimes.count > 1 && seenTimes.first != seenTimes.last
                if span && !parameterGradients.isEmpty && batch > 0 {
                    XCTAssertTrue(parameterGradients.contains { $0.scalars.contains { $0 != 0 } },
                                  "\(context): zero parameter gradients")
                }
            } else {
                XCTFail("\(context): non-finite gradients \(all)")
                outcome = "NaN gradient"
            }
        } catch {
            failure = error
            let name = Mirror(reflecting: error).children.first?.label ?? "\(error)"
            outcome = "\(stage): \(type(of: error)).\(name)"
            XCTAssertTrue(error is SolverError || error is ODENetError, "\(context): untyped \(error)")
            XCTAssertGreaterThan(String(describing: error).count, 20, "\(context): \(error)")
            if stage == "forward" {
                // What fails forward fails through the gradient too.
                XCTAssertThrowsError(try gradient(at: z0) { (try run($0, timeTensor)).sum() }, context)
            }
        }
        outcomes[bad, default: [:]][outcome, default: 0] += 1

        // MARK: Check it against what was expected.
        switch (expected, failure) {
        case (.finite, let error?):
            XCTFail("\(context): expected a finite answer, got \(error)")
        case (.error, nil) where !outcome.hasPrefix("NaN gradient"):
            XCTFail("\(context): expected an error, got a finite answer")
        case (.error(let mention, let matches), let error?), (.finiteOr(let mention, let matches), let error?):
            XCTAssertTrue(matches(error), "\(context): unexpected \(error)")
            XCTAssertTrue(mention.isEmpty || "\(error)".contains(mention),
                          "\(context): '\(error)' does not mention \(mention)")
        default:
            break
        }
        if toleranceInAdjointOptions { XCTAssertEqual(stage, "gradient", "\(context): the forward solve should run") }
    }

    // MARK: - Regressions the property test found

    /// The adjoint evaluates f at each output time for ∂L/∂tᵢ, where the forward solve need not have (an output
    /// inside a step is interpolated): a field misshapen there was read past its end (a trap in debug builds).
    func testAMisshapenDerivativeAtAnOutputTimeOfTheBackwardPassIsATypedError() throws {
        final class Calls { var count = 0, misshapen = 0 }
        let calls = Calls()
        let weight = Parameter(Tensor<Double>(shape: [2, 2], scalars: [-0.5, 1, -1, -0.5]))
        let dynamics = DynamicsFunction<Double>(members: ["weight": weight]) { _, z in
            calls.count += 1
            let f = matmul(z, weight.value)
            return calls.count == calls.misshapen ? concatenated([f, f], axis: 1) : f
        }
        let block = ODEBlock(dynamics, relativeTolerance: 1e-6, absoluteTolerance: 1e-8)
        let z0 = Tensor<Double>(shape: [1, 2], scalars: [0.5, -0.3])
        _ = try block(z0)
        // The same forward solve again, then the pullback, whose first evaluation is f at the last output time.
        calls.misshapen = 2 * calls.count + 1
        XCTAssertThrowsError(try gradient(at: z0) { (try block($0)).sum() }) {
            XCTAssertEqual($0 as? ODENetError, .derivativeShapeMismatch(state: [1, 2], derivative: [1, 4]))
        }
        XCTAssertEqual(calls.count, calls.misshapen)
    }

    /// An infinite weight kept the forward solve finite (tanh saturates) while ∂f/∂z = ∞·0: direct and
    /// checkpointed gradients came back NaN without a word, and a NaN weight was reported as a "non-finite
    /// state" at t₀. A solve now names the parameter before it starts.
    func testANonFiniteParameterIsNamedBeforeTheSolve() throws {
        let z0 = Tensor<Double>(shape: [2, 2], scalars: [0.4, -0.3, 0.2, 0.5])
        for mode in [GradientMode.direct, .checkpointed, .adjoint()] {
            for value in [Double.infinity, -.infinity, .nan] {
                let dynamics = SmallMLPDynamics<Double>()
                var scalars = dynamics.w1.value.scalars
                scalars[3] = value
                dynamics.w1.value = Tensor(shape: dynamics.w1.shape, scalars: scalars)
                let block = ODEBlock(dynamics, gradientMode: mode)
                let calls: [() throws -> Tensor<Double>] = [
                    { try block(z0) }, { try gradient(at: z0) { (try block($0)).sum() } },
                    { try solve(dynamics, from: z0, at: [0, 1], using: .rk4, stepSize: 0.1, gradient: mode) },
                ]
                for call in calls {
                    XCTAssertThrowsError(try call(), "\(mode) \(value)") { error in
                        guard case let ODENetError.nonFiniteParameter(name, index, reported)? = error as? ODENetError
                        else {
                            return XCTFail("\(mode) \(value): \(error)")
                        }
                        XCTAssertEqual(name, "w1")
                        XCTAssertEqual(index, 3)
                        XCTAssertTrue(reported == value || (reported.isNaN && value.isNaN))
                        XCTAssertTrue("\(error)".contains("parameter w1 of the dynamics is \(value) at element 3"),
                                      "\(error)")
                    }
                }
            }
        }
    }

    /// The checkpointed replay pulled a NaN gradient back from finite values (√(z²) at 0) and returned it through
    /// Autodiff's operators, which do not check; it is now a typed error naming what is NaN.
    func testACheckpointedNaNGradientFromFiniteValuesIsATypedError() throws {
        let w = Parameter(Tensor<Double>([0.5]))
        let dynamics = DynamicsFunction<Double>(members: ["w": w]) { _, z in w.value * sqrt(z * z) }
        let block = ODEBlock(dynamics, relativeTolerance: 1e-6, absoluteTolerance: 1e-9, gradientMode: .checkpointed)
        let z0 = Tensor<Double>(shape: [1, 1], scalars: [0])
        let expected = ODENetError.nonFiniteGradient(parameter: "w", index: 0, value: .nan)
        XCTAssertThrowsError(try gradient(at: z0) { (try block($0)).sum() }) { error in
            guard case let ODENetError.nonFiniteGradient(parameter, index, value)? = error as? ODENetError else {
                return XCTFail("expected \(expected), got \(error)")
            }
            // Both gradients are NaN here; the first checked is named.
            XCTAssertTrue(["w", "the initial state z(t₀)"].contains(parameter), parameter)
            XCTAssertEqual(index, 0)
            XCTAssertTrue(value.isNaN)
        }
        XCTAssertThrowsError(try valueWithGradient(at: block) { (try block(z0)).sum() }) {
            guard case ODENetError.nonFiniteGradient? = $0 as? ODENetError else { return XCTFail("\($0)") }
        }
        // A NaN cotangent explains a NaN gradient: no error of the solve's own.
        let (_, pullback) = try valueWithPullback(at: [z0]) { try block($0[0]) }
        XCTAssertTrue(try pullback(Tensor<Double>(shape: [1, 1], scalars: [.nan]))[0].scalars[0].isNaN)
        // A finite point has finite gradients.
        XCTAssertNoThrow(try gradient(at: z0 + 1) { (try block($0)).sum() })
    }
}
