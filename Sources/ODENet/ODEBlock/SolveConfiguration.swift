import Autodiff
import Solvers

/// The solver settings of an `ODEBlock`, and the solves it runs with them.
struct SolveConfiguration {
    var method: ButcherTableau
    var relativeTolerance: Double
    var absoluteTolerance: Double
    var norm: ErrorNorm
    /// Fixed step size; `nil` for adaptive stepping (then `method` must have an error estimate).
    var stepSize: Double?
    var maximumSteps: Int
    /// How adaptive solves meet the end of their span (the block's `endpoint`).
    var endpoint: StepSizeController.Endpoint

    var controller: StepSizeController {
        var controller = StepSizeController(relativeTolerance: .scalar(relativeTolerance),
                                            absoluteTolerance: .scalar(absoluteTolerance), norm: norm)
        controller.endpoint = endpoint
        controller.limitsGrowthAfterRejection = false   // as torchdiffeq, whose step sequences ODEBlock follows
        return controller
    }

    /// Solves dz/dt = f from `times[0]` through every output time, returning the state at each.
    @_specialize(where State == Tensor<Float>)
    @_specialize(where State == Tensor<Double>)
    @_specialize(where State == [Float])
    @_specialize(where State == [Double])
    func solve<State: ODEState>(_ field: @escaping VectorField<State>, from initial: State, times: [Double])
        throws -> ODESolution<State> {
        let span = TimeSpan(start: times[0], end: times[times.count - 1])
        let problem = ODEProblem(timeSpan: span, initialState: initial, function: field)
        let save = SaveAt(times: times)
        if let stepSize {
            return try Solvers.solve(problem, using: ExplicitRungeKutta(method), stepSize: stepSize, saveAt: save)
        }
        precondition(method.isAdaptive,
                     "ODEBlock: \(method.name) has no error estimate; set a fixed stepSize or choose an adaptive method")
        return try Solvers.solve(problem, using: EmbeddedRungeKutta(method), controller: controller, saveAt: save,
                                 maxSteps: maximumSteps)
    }

    /// Solves the adjoint's augmented system from `start` to `end`; with `seminorm`, only the first
    /// `adjointComponents` components (z and a) control the step.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func integrateAdjoint<Scalar: TensorScalar>(_ field: @escaping VectorField<[Scalar]>, from state: [Scalar],
                                                start: Double, end: Double, adjointComponents: Int,
                                                seminorm: Bool = false)
        throws -> (state: [Scalar], statistics: SolverStatistics) {
        let problem = ODEProblem(timeSpan: TimeSpan(start: start, end: end), initialState: state, function: field)
        let solution: ODESolution<[Scalar]>
        if let stepSize {
            solution = try Solvers.solve(problem, using: ExplicitRungeKutta(method), stepSize: stepSize)
        } else {
            var controller = self.controller
            if seminorm {
                controller.norm = norm.kind == .rms ? .rms(over: 0..<adjointComponents) : .maximum(over: 0..<adjointComponents)
            }
            solution = try Solvers.solve(problem, using: EmbeddedRungeKutta(method), controller: controller,
                                         maxSteps: maximumSteps)
        }
        return (solution.finalState, solution.statistics)
    }

    /// RMS of (reconstructed − stored) / (atol + rtol·max(|reconstructed|, |stored|)).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func drift<Scalar: TensorScalar>(between reconstructed: [Scalar], and stored: Tensor<Scalar>) -> Double {
        stored.withUnsafeBufferPointer { z in
            var sum = 0.0
            for i in 0..<z.count {
                let a = Double(reconstructed[i]), b = Double(z[i])
                let scale = absoluteTolerance + relativeTolerance * Swift.max(abs(a), abs(b))
                sum += ((a - b) / scale) * ((a - b) / scale)
            }
            return (sum / Double(Swift.max(z.count, 1))).squareRoot()
        }
    }
}
