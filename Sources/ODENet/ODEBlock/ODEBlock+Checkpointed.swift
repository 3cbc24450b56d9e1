import Autodiff
import Solvers

extension ODEBlock {
    /// Checkpointed: a forward solve that records nothing but keeps (t, h, z) of every accepted step;
    /// the pullback replays the steps last to first, each on a fresh tape, pulling the cotangent of the
    /// step's end state (plus those of the output times inside the step) back to its start state and
    /// the parameters. The replay repeats the forward arithmetic exactly, so the gradient is the direct
    /// one up to rounding.
    func checkpointedTrajectory(from z0: Tensor<Scalar>, times: [Double]) throws -> Tensor<Scalar> {
        let counter = EvaluationCounter()
        let forwardField = field(counting: counter)
        let parameters = dynamics.parameters(of: Scalar.self)
        let detached = withoutDerivative(at: z0)
        let forward = try withoutRecording(Scalar.self) {
            try configuration.solveKeepingSteps(forwardField, from: detached, times: times)
        }
        statistics.forwardEvaluations = counter.count
        statistics.forwardSteps = forward.statistics.acceptedSteps
        statistics.forwardRejectedSteps = forward.statistics.rejectedSteps
        let value = withoutRecording(Scalar.self) { stacked(forward.outputs, axis: 0) }
        let inputs = [z0] + parameters.map(\.value)
        let method = ExplicitRungeKutta(configuration.method)
        return customDifferentiable(inputs: inputs, value: value) { [unowned self] cotangent in
            let counter = EvaluationCounter()
            let replayField = self.field(counting: counter)
            var adjoint = withoutRecording(Scalar.self) { Tensor<Scalar>.zeros(like: detached) }
            var parameterGradients = parameters.map { Tensor<Scalar>.zeros(like: $0.value) }
            let values = parameters.map(\.value)
            defer { for (parameter, value) in zip(parameters, values) { parameter.value = value } }
            let perTime = (0..<times.count).map { i in
                withoutRecording(Scalar.self) { cotangent.sliced(i ..< i + 1, axis: 0).squeezed(axis: 0) }
            }
            do {
                for n in stride(from: forward.steps.count - 1, through: 0, by: -1) {
                    let step = forward.steps[n]
                    let owned = forward.outputsOfStep[n]
                    let (_, pullback) = try valueWithPullback(at: [forward.starts[n]] + values) { leaves in
                        for (parameter, leaf) in zip(parameters, leaves[1...]) { parameter.value = leaf }
                        var workspace = RungeKuttaWorkspace(template: leaves[0], tableau: method.tableau)
                        let next = try method.step(replayField, time: step.time, stepSize: step.stepSize,
                                                   state: leaves[0], workspace: &workspace, freshStart: true).next
                        // L_n = ⟨adjoint, z_{n+1}⟩ + Σ ⟨∂L/∂z(t_k), z(t_k)⟩ over the outputs inside the step.
                        var terms = [next]
                        var weights = [adjoint]
                        if !owned.isEmpty {
                            try method.prepareDenseOutput(replayField, time: step.time, stepSize: step.stepSize,
                                                          start: leaves[0], end: next, workspace: &workspace)
                            for k in owned {
                                var output = leaves[0]
                                if times[k] == forward.endTimes[n] {
                                    output = next
                                } else if times[k] != step.time {
                                    method.interpolate(at: times[k], time: step.time, stepSize: step.stepSize,
                                                       start: leaves[0], workspace: workspace, into: &output)
                                }
                                terms.append(output)
                                weights.append(perTime[k])
                            }
                        }
                        var total = (terms[0] * weights[0]).sum()
                        for j in 1..<terms.count { total = total + (terms[j] * weights[j]).sum() }
                        return total
                    }
                    let gradients = pullback(Tensor<Scalar>(1))
                    adjoint = gradients[0]
                    for j in parameterGradients.indices { parameterGradients[j] = parameterGradients[j] + gradients[j + 1] }
                }
                for k in forward.outputsAtStart { adjoint = adjoint + perTime[k] }
                self.recordBackward(evaluations: counter.count)
                return [adjoint] + parameterGradients
            } catch {
                BackwardFailure.report(error)
                self.recordBackward(evaluations: counter.count)
                return inputs.map { Tensor.zeros(like: $0) }
            }
        }
    }
}

/// A forward solve that remembers where every accepted step started.
struct SteppedSolution<State: ODEState> {
    /// The state at each output time.
    var outputs: [State] = []
    /// The accepted steps (start time, signed size).
    var steps: [AcceptedStep] = []
    /// The time each step ended at (exactly as the solver recorded it).
    var endTimes: [Double] = []
    /// The state each step started from.
    var starts: [State] = []
    /// For each step, the indices of the output times it produced.
    var outputsOfStep: [[Int]] = []
    /// Output times equal to the initial time (their output is the initial state).
    var outputsAtStart: [Int] = []
    var statistics = SolverStatistics()
}

extension SolveConfiguration {
    /// Solves like `solve`, also keeping each accepted step's start state (for the checkpointed replay).
    @_specialize(where State == Tensor<Float>)
    @_specialize(where State == Tensor<Double>)
    @_specialize(where State == [Float])
    @_specialize(where State == [Double])
    func solveKeepingSteps<State: ODEState>(_ field: @escaping VectorField<State>, from initial: State,
                                            times: [Double]) throws -> SteppedSolution<State> {
        let span = TimeSpan(start: times[0], end: times[times.count - 1])
        let problem = ODEProblem(timeSpan: span, initialState: initial, function: field)
        if let stepSize {
            let count = Swift.max(1, Int((abs(span.end - span.start) / abs(stepSize) * (1 - 1e-12)).rounded(.up)))
            var integrator = try Integrator(problem, using: ExplicitRungeKutta(method), stepCount: count)
            return try run(&integrator, times: times)
        }
        var integrator = try Integrator(problem, using: EmbeddedRungeKutta(method), controller: controller,
                                        maxSteps: maximumSteps)
        return try run(&integrator, times: times)
    }

    private func run<M: RungeKuttaMethod, State: ODEState>(_ integrator: inout Integrator<M, State>,
                                                            times: [Double]) throws -> SteppedSolution<State> {
        var result = SteppedSolution<State>()
        let direction = times[times.count - 1] >= times[0] ? 1.0 : -1.0
        var next = 0
        while next < times.count && times[next] == integrator.time {
            result.outputs.append(integrator.state)
            result.outputsAtStart.append(next)
            next += 1
        }
        while next < times.count {
            let start = integrator.state
            guard try integrator.step() else { break }
            result.steps.append(AcceptedStep(time: integrator.previousTime, stepSize: integrator.lastStepSize))
            result.endTimes.append(integrator.time)
            result.starts.append(start)
            var owned: [Int] = []
            while next < times.count && (times[next] - integrator.time) * direction <= 0 {
                if (times[next] - integrator.previousTime) * direction < 0 {
                    throw SolverError.outputTimesNotMonotone(index: next, previous: times[Swift.max(next - 1, 0)],
                                                            time: times[next])
                }
                result.outputs.append(try integrator.state(at: times[next]))
                owned.append(next)
                next += 1
            }
            result.outputsOfStep.append(owned)
        }
        result.statistics = integrator.statistics
        return result
    }
}
