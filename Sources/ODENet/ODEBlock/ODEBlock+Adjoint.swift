import Autodiff
import Solvers

extension ODEBlock {
    /// Adjoint: solve without recording, then record one custom op whose pullback solves the
    /// augmented system backwards.
    func adjointTrajectory(from z0: Tensor<Scalar>, timeTensor: Tensor<Scalar>, times: [Double],
                           options: AdjointOptions) throws -> Tensor<Scalar> {
        let counter = EvaluationCounter()
        let forwardField = field(counting: counter)
        let parameters = dynamics.parameters(of: Scalar.self)
        let detached = withoutDerivative(at: z0)
        let solution = try withoutRecording(Scalar.self) {
            try configuration.solve(forwardField, from: detached, times: times)
        }
        record(forward: solution.statistics, evaluations: counter.count)
        let states = solution.states
        let value = withoutRecording(Scalar.self) { stacked(states, axis: 0) }
        var backward = configuration
        if let method = options.method { backward.method = method }
        if let rtol = options.relativeTolerance { backward.relativeTolerance = rtol }
        if let atol = options.absoluteTolerance { backward.absoluteTolerance = atol }
        let inputs = [z0, timeTensor] + parameters.map(\.value)
        let stateShape = z0.shape
        return customDifferentiable(inputs: inputs, value: value) { [unowned self] cotangent in
            let dynamics = self.dynamics
            let augmented = AugmentedDynamics<Scalar>({ try dynamics($0, $1) }, parameters: parameters,
                                                      stateShape: stateShape)
            let perTime = (0..<times.count).map { i in
                withoutRecording(Scalar.self) { cotangent.sliced(i ..< i + 1, axis: 0).squeezed(axis: 0) }
            }
            let pass = AdjointBackward(augmented: augmented, configuration: backward, seminorm: options.usesSeminorm)
            do {
                let result = try pass.run(times: times, states: states, cotangents: perTime)
                self.recordBackward(evaluations: augmented.evaluations, steps: result.statistics, drift: result.drift)
                return [result.initialState, Tensor(result.times)] + result.parameters
            } catch {
                BackwardFailure.report(error)
                self.recordBackward(evaluations: augmented.evaluations)
                return inputs.map { Tensor.zeros(like: $0) }
            }
        }
    }
}
