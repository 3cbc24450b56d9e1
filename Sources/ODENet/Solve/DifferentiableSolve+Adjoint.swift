import Autodiff
import Solvers

extension DifferentiableSolve {
    /// Adjoint: solve without recording, then record one custom operation whose pullback solves the
    /// augmented system backwards (`AdjointBackward`). The pullback throws when the backward solve fails.
    func adjointTrajectory(from z0: Tensor<Scalar>, timeTensor: Tensor<Scalar>, times: [Double],
                           options: AdjointOptions,
                           parameters named: [(name: String, parameter: Parameter<Scalar>)]) throws -> Tensor<Scalar> {
        let parameters = named.map(\.parameter)
        let parameterNames = named.map(\.name)
        let (solution, value) = try unrecordedSolve(from: z0, times: times, trackingErrors: true)
        let states = solution.outputs
        let backward = backwardStepping(options)
        let inputs = [z0, timeTensor] + parameters.map(\.value)
        let stateShape = z0.shape
        let (dynamics, recorder, backwardStepLimit) = (self.dynamics, self.recorder, self.maximumSteps)
        let forwardController = stepping.controller
        let forwardErrors = solution.intervalErrors
        // The backward solve runs on flat arrays: its result is not differentiable again, and a second
        // derivative through it throws AutodiffError.notDifferentiableTwice naming the mode.
        return customDifferentiable(inputs: inputs, value: value,
                                    operation: "solve with the adjoint gradient mode (use .direct or .checkpointed for second derivatives)") { cotangent in
            let augmented = AugmentedDynamics<Scalar>({ try dynamics($0, $1) }, parameters: parameters,
                                                      stateShape: stateShape)
            let perTime = (0..<times.count).map { i in
                withoutRecording(Scalar.self) { cotangent.sliced(i ..< i + 1, axis: 0).squeezed(axis: 0) }
            }
            let pass = AdjointBackward(augmented: augmented, stepping: backward, maximumSteps: backwardStepLimit,
                                       seminorm: options.usesSeminorm, forwardController: forwardController,
                                       forwardErrors: forwardErrors, parameterNames: parameterNames)
            do {
                let result = try pass.run(times: times, states: states, cotangents: perTime)
                recorder.recordBackward(evaluations: augmented.evaluations, steps: result.statistics.acceptedSteps,
                                        rejectedSteps: result.statistics.rejectedSteps, drift: result.drift)
                return [result.initialState, Tensor(result.times)] + result.parameters
            } catch {
                recorder.recordBackward(evaluations: augmented.evaluations)
                throw error
            }
        }
    }

    /// The backward solve's stepping: the forward one with the options' method and tolerances where set.
    func backwardStepping(_ options: AdjointOptions) -> Stepping {
        switch stepping.kind {
        case .adaptive(let method, var controller):
            if let rtol = options.relativeTolerance { controller.relativeTolerance = .scalar(rtol) }
            if let atol = options.absoluteTolerance { controller.absoluteTolerance = .scalar(atol) }
            return Stepping(kind: .adaptive(options.method ?? method, controller))
        case .fixed(let method, let stepSize):
            let backwardMethod: any RungeKuttaMethod = options.method ?? method
            return Stepping(kind: .fixed(backwardMethod, stepSize: stepSize))
        }
    }
}
