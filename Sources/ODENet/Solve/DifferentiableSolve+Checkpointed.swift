import Autodiff
import Solvers

extension DifferentiableSolve {
    /// Checkpointed: a forward solve that records nothing but keeps (t, h, z) of every accepted step;
    /// the pullback replays the steps last to first, each on a fresh tape, pulling the cotangent of the
    /// step's end state (plus those of the output times inside the step) back to its start state and
    /// the parameters. The replay repeats the forward arithmetic exactly, so the gradient is the direct
    /// one up to rounding. A NaN or infinite gradient from a finite cotangent (an op differentiated where its
    /// derivative is undefined, such as √x at 0) throws `ODENetError.nonFiniteGradient`.
    func checkpointedTrajectory(from z0: Tensor<Scalar>, times: [Double],
                                parameters named: [(name: String, parameter: Parameter<Scalar>)]) throws
        -> Tensor<Scalar> {
        let parameters = named.map(\.parameter)
        let names = ["the initial state z(t₀)"] + named.map(\.name)
        let detached = withoutDerivative(at: z0)
        let (forward, value) = try unrecordedSolve(from: z0, times: times, keepingSteps: true)
        let inputs = [z0] + parameters.map(\.value)
        let method = ExplicitRungeKutta(stepping.method.tableau)
        let solve = self
        return customDifferentiable(inputs: inputs, value: value, operation: "solve with the checkpointed gradient mode",
                                    pullbackIsDifferentiable: true) { cotangent in
            if Tensor.mustRecord([cotangent] + inputs) {
                // A derivative of this derivative is wanted: the stored states are constants, so replay the
                // whole solve on the recording tape (the direct mode's steps, the same arithmetic) and
                // return its recorded vector–Jacobian product.
                let values = parameters.map(\.value)
                defer { for (parameter, value) in zip(parameters, values) { parameter.value = value } }
                return try Tensor.recordedPullback(of: { leaves in
                    for (parameter, leaf) in zip(parameters, leaves[1...]) { parameter.value = leaf }
                    return try solve.directTrajectory(from: leaves[0], times: times, parameters: named)
                }, at: inputs, cotangent: cotangent)
            }
            let counter = EvaluationCounter()
            let replayField = solve.field(counting: counter)
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
                    let gradients = try pullback(Tensor<Scalar>(1))
                    adjoint = gradients[0]
                    for j in parameterGradients.indices { parameterGradients[j] = parameterGradients[j] + gradients[j + 1] }
                }
                for k in forward.outputsAtStart { adjoint = adjoint + perTime[k] }
                solve.recorder.recordBackward(evaluations: counter.count)
                let results = [adjoint] + parameterGradients
                if cotangent.firstNonFinite() == nil {
                    // A NaN or an infinity made by the replay from finite inputs, not a silent NaN gradient.
                    for (j, result) in results.enumerated() {
                        if let bad = result.firstNonFinite(), inputs[j].firstNonFinite() == nil {
                            throw ODENetError.nonFiniteGradient(parameter: names[j], index: bad.index,
                                                                value: Double(bad.value))
                        }
                    }
                }
                return results
            } catch {
                solve.recorder.recordBackward(evaluations: counter.count)
                throw error
            }
        }
    }
}
