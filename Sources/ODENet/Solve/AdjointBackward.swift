import Autodiff
import Solvers

/// The backward pass of the adjoint method: solves the augmented system from the last output time
/// back to the first, interval by interval (Chen et al. 2018, Algorithm 1 and Appendix B/C).
///
/// At each output time t_i (last to first) the incoming cotangent ∂L/∂z(t_i) is added to `a`, `z` is
/// restarted from the stored forward value (so drift does not accumulate over intervals), and the
/// output time's own gradient ∂L/∂t_i = ∂L/∂z(t_i) · f(t_i, z(t_i)) is taken off `a_t`.
///
/// The drift of each interval is the reconstruction error of z measured in the forward solve's norm and
/// tolerances, divided by the error the two solves were allowed to make there: the forward steps' error
/// ratios over the interval (`forwardErrors`) plus the backward steps' error estimates of the z components,
/// measured on the same forward scale.
struct AdjointBackward<Scalar: TensorScalar> {
    let augmented: AugmentedDynamics<Scalar>
    /// The stepping of the backward solves.
    let stepping: Stepping
    let maximumSteps: Int
    /// Whether only z and a control the backward step (Kidger, Chen & Lyons 2021).
    let seminorm: Bool
    /// The forward controller, whose norm and tolerances scale the drift (`nil`: fixed steps, no drift).
    let forwardController: StepSizeController?
    /// Per interval (first to last), the sum of the forward steps' error ratios.
    let forwardErrors: [Double]
    /// The parameters' names (`dynamics.namedParameters`), to say which a_θ component failed.
    let parameterNames: [String]

    /// The gradients of the loss with respect to z(t_0), the output times, and each parameter, with
    /// the drift of each interval.
    struct Result {
        var initialState: Tensor<Scalar>
        var times: [Scalar]
        var parameters: [Tensor<Scalar>]
        var drift: [Double]
        var statistics: SolverStatistics
    }

    /// - Parameters:
    ///   - times: the output times t_0 … t_{T−1} (monotone, either direction).
    ///   - states: the forward solution at those times.
    ///   - cotangents: ∂L/∂z(t_i) for each output time.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func run(times: [Double], states: [Tensor<Scalar>], cotangents: [Tensor<Scalar>]) throws -> Result {
        let n = augmented.stateCount
        let p = augmented.parameterCount
        var y = [Scalar](repeating: 0, count: augmented.augmentedCount)
        var timeGradients = [Scalar](repeating: 0, count: times.count)
        var drift: [Double] = []
        var statistics = SolverStatistics()
        let last = times.count - 1
        var timeAdjoint: Scalar = 0
        for i in stride(from: last, through: 1, by: -1) {
            // Restart z from the forward solution and add this time's incoming cotangent to a.
            y.withUnsafeMutableBufferPointer { out in
                states[i].withUnsafeBufferPointer { z in out.baseAddress!.update(from: z.baseAddress!, count: n) }
                cotangents[i].withUnsafeBufferPointer { g in for j in 0..<n { out[n + j] += g[j] } }
            }
            let f = try augmented.field(time: times[i], state: states[i])
            let direct = dot(f, cotangents[i])
            timeGradients[i] = direct
            timeAdjoint -= direct
            y[augmented.timeAdjointIndex] = timeAdjoint
            let solved: (state: [Scalar], statistics: SolverStatistics, stateErrors: Double?)
            do {
                solved = try integrate(from: y, start: times[i], end: times[i - 1])
            } catch let error as SolverError {
                throw describe(error)
            }
            statistics.functionEvaluations += solved.statistics.functionEvaluations
            statistics.acceptedSteps += solved.statistics.acceptedSteps
            statistics.rejectedSteps += solved.statistics.rejectedSteps
            y = solved.state
            timeAdjoint = y[augmented.timeAdjointIndex]
            if let forwardController, let backwardErrors = solved.stateErrors, i - 1 < forwardErrors.count {
                let reconstructed = Array(y[0..<n])
                let stored = states[i - 1].scalars
                let difference = zip(reconstructed, stored).map { $0 - $1 }
                let error = Self.stateNorm(forwardController.norm, stateCount: n)
                    .scaledNorm(of: difference, start: reconstructed, end: stored,
                                relativeTolerance: forwardController.relativeTolerance,
                                absoluteTolerance: forwardController.absoluteTolerance)
                let allowed = forwardErrors[i - 1] + backwardErrors
                drift.append(allowed > 0 ? error / allowed : (error == 0 ? 0 : .infinity))
            }
        }
        // The first output time: its own cotangent goes straight into a.
        cotangents[0].withUnsafeBufferPointer { g in for j in 0..<n { y[n + j] += g[j] } }
        timeGradients[0] = timeAdjoint
        let shape = augmented.stateShape
        let initial = y.withUnsafeBufferPointer { Tensor<Scalar>(copying: $0.baseAddress! + n, shape: shape) }
        var parameterGradients: [Tensor<Scalar>] = []
        var offset = 2 * n
        y.withUnsafeBufferPointer { buffer in
            for parameter in augmented.parameters {
                parameterGradients.append(Tensor(copying: buffer.baseAddress! + offset, shape: parameter.shape))
                offset += parameter.value.scalarCount
            }
        }
        assert(offset == 2 * n + p)
        return Result(initialState: initial, times: timeGradients, parameters: parameterGradients,
                      drift: drift, statistics: statistics)
    }

    /// A solver's non-finite error restated for the augmented state: which of z, a, a_θ (which parameter) or
    /// a_t failed. Other errors pass unchanged.
    func describe(_ error: SolverError) -> Error {
        switch error {
        case let .nonFiniteDerivative(time, component, value), let .nonFiniteState(time, component, value):
            return ODENetError.nonFiniteInBackwardPass(time: time, part: part(ofComponent: component), value: value)
        default:
            return error
        }
    }

    /// `z[i]`, `a[i]`, `a_θ of NAME[k]` or `a_t` for a component of the augmented state.
    func part(ofComponent index: Int) -> String {
        let n = augmented.stateCount
        if index < n { return "z[\(index)] (the state)" }
        if index < 2 * n { return "a[\(index - n)] (the adjoint ∂L/∂z)" }
        var offset = 2 * n
        for (name, parameter) in zip(parameterNames, augmented.parameters) {
            let count = parameter.value.scalarCount
            if index < offset + count { return "a_θ of \(name)[\(index - offset)] (∂L/∂\(name))" }
            offset += count
        }
        return "a_t (∂L/∂t)"
    }

    /// The forward norm restricted to the state components (the first `stateCount`).
    static func stateNorm(_ norm: ErrorNorm, stateCount n: Int) -> ErrorNorm {
        // A grouped norm's groups index the forward state; on the z part the plain kind stands in for it.
        let components = norm.groups == nil ? norm.components.map { $0.clamped(to: 0..<n) } ?? 0..<n : 0..<n
        return norm.kind == .rms ? .rms(over: components) : .maximum(over: components)
    }

    /// Solves the augmented system from `start` to `end`; with `seminorm`, only z and a control the step.
    /// Also sums the backward steps' error estimates of the z components on the forward scale.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func integrate(from state: [Scalar], start: Double, end: Double)
        throws -> (state: [Scalar], statistics: SolverStatistics, stateErrors: Double?) {
        let problem = ODEProblem(timeSpan: TimeSpan(start: start, end: end), initialState: state,
                                 function: augmented.vectorField)
        let n = augmented.stateCount
        switch stepping.kind {
        case .fixed(let method, let stepSize):
            let count = try Stepping.stepCount(span: problem.timeSpan, stepSize: stepSize, limit: maximumSteps)
            var integrator = try Integrator(problem, using: ExplicitRungeKutta(method.tableau), stepCount: count)
            while try integrator.step() {}
            return (integrator.state, integrator.statistics, nil)
        case .adaptive(let method, var controller):
            // The forward norm's groups index the forward state, not the augmented one: norm it all.
            if controller.norm.groups != nil { controller.norm = ErrorNorm(kind: controller.norm.kind, components: nil) }
            if seminorm {
                controller.norm = controller.norm.kind == .rms ? .rms(over: 0..<(2 * n)) : .maximum(over: 0..<(2 * n))
            }
            var integrator = try Integrator(problem, using: EmbeddedRungeKutta(method.tableau), controller: controller,
                                            maxSteps: maximumSteps)
            var stateErrors: Double? = forwardController == nil ? nil : 0
            let stateNorm = forwardController.map { Self.stateNorm($0.norm, stateCount: n) }
            var final = state
            while try integrator.step() {
                if let forwardController, let stateNorm,
                   let ratio = integrator.lastStepErrorRatio(norm: stateNorm,
                                                             relativeTolerance: forwardController.relativeTolerance,
                                                             absoluteTolerance: forwardController.absoluteTolerance) {
                    stateErrors! += ratio
                }
                if integrator.isFinished {
                    // With `Endpoint.interpolated` the last step may pass `end`: the state there is interpolated.
                    final = integrator.hasPassedEnd ? try integrator.state(at: end) : integrator.state
                    break
                }
            }
            return (final, integrator.statistics, stateErrors)
        }
    }

    private func dot(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Scalar {
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                var s: Scalar = 0
                for i in 0..<x.count { s += x[i] * y[i] }
                return s
            }
        }
    }
}
