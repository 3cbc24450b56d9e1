import Autodiff
import Solvers

/// A forward solve through a list of output times, keeping what the gradient modes need: the states at
/// the output times, optionally every accepted step (for the checkpointed replay), and the sum of the
/// local error estimates of the steps over each output interval (for the adjoint's drift statistic).
struct SteppedSolution<State: ODEState> {
    /// The state at each output time.
    var outputs: [State] = []
    /// The accepted steps (start time, signed size), when kept.
    var steps: [AcceptedStep] = []
    /// The time each kept step ended at (exactly as the solver recorded it).
    var endTimes: [Double] = []
    /// The state each kept step started from.
    var starts: [State] = []
    /// For each kept step, the indices of the output times it produced.
    var outputsOfStep: [[Int]] = []
    /// Output times equal to the initial time (their output is the initial state).
    var outputsAtStart: [Int] = []
    /// For interval i (between output times i and i + 1), the sum of the error ratios of the accepted steps
    /// overlapping it; empty unless asked for and the stepping is adaptive.
    var intervalErrors: [Double] = []
    var statistics = SolverStatistics()
}

extension Stepping {
    /// Solves dz/dt = f from `times[0]` through every output time (already validated: finite, monotone).
    ///
    /// - Parameters:
    ///   - keepingSteps: keep each accepted step's start state (the checkpointed mode's replay).
    ///   - trackingErrors: sum the steps' error ratios per output interval (the adjoint's drift).
    @_specialize(where State == Tensor<Float>)
    @_specialize(where State == Tensor<Double>)
    func solve<State: ODEState>(_ field: @escaping VectorField<State>, from initial: State, times: [Double],
                                maximumSteps: Int, keepingSteps: Bool = false,
                                trackingErrors: Bool = false) throws -> SteppedSolution<State> {
        let span = TimeSpan(start: times[0], end: times[times.count - 1])
        let problem = ODEProblem(timeSpan: span, initialState: initial, function: field)
        switch kind {
        case .adaptive(let method, let controller):
            var integrator = try Integrator(problem, using: EmbeddedRungeKutta(method.tableau), controller: controller,
                                            maxSteps: maximumSteps)
            return try march(&integrator, times: times, keepingSteps: keepingSteps,
                             errorScale: trackingErrors ? controller : nil)
        case .fixed(let method, let stepSize):
            var integrator = try Integrator(problem, using: ExplicitRungeKutta(method.tableau),
                                            stepCount: try Self.stepCount(span: span, stepSize: stepSize,
                                                                          limit: maximumSteps))
            return try march(&integrator, times: times, keepingSteps: keepingSteps, errorScale: nil)
        }
    }

    /// The number of equal steps of at most `stepSize` (positive) that cover `span`, at most `limit`.
    static func stepCount(span: TimeSpan, stepSize: Double, limit: Int) throws -> Int {
        guard stepSize.isFinite && stepSize > 0 else { throw ODENetError.invalidStepSize(stepSize) }
        return try span.fixedStepCount(stepSize: stepSize, limit: limit)
    }

    private func march<M: RungeKuttaMethod, State: ODEState>(
        _ integrator: inout Integrator<M, State>, times: [Double], keepingSteps: Bool,
        errorScale controller: StepSizeController?
    ) throws -> SteppedSolution<State> {
        var result = SteppedSolution<State>()
        let direction = times[times.count - 1] >= times[0] ? 1.0 : -1.0
        if controller != nil { result.intervalErrors = [Double](repeating: 0, count: Swift.max(times.count - 1, 0)) }
        var next = 0
        while next < times.count && times[next] == integrator.time {
            result.outputs.append(integrator.state)
            result.outputsAtStart.append(next)
            next += 1
        }
        while next < times.count {
            let start = keepingSteps ? integrator.state : nil
            guard try integrator.step() else { break }
            let first = next
            var owned: [Int] = []
            while next < times.count && (times[next] - integrator.time) * direction <= 0 {
                result.outputs.append(try integrator.state(at: times[next]))
                owned.append(next)
                next += 1
            }
            if let controller,
               let ratio = integrator.lastStepErrorRatio(norm: controller.norm,
                                                         relativeTolerance: controller.relativeTolerance,
                                                         absoluteTolerance: controller.absoluteTolerance) {
                // The step overlaps the interval holding its start (ending at output `first`) through the one
                // holding its end (ending at output `next`, unless the step ended exactly on output next − 1).
                let endsOnOutput = next > 0 && times[next - 1] == integrator.time
                let last = endsOnOutput ? next - 1 : next
                for i in Swift.max(first, 1)...Swift.max(Swift.min(last, times.count - 1), 1)
                where i <= result.intervalErrors.count {
                    result.intervalErrors[i - 1] += ratio
                }
            }
            if let start {
                result.steps.append(AcceptedStep(time: integrator.previousTime, stepSize: integrator.lastStepSize))
                result.endTimes.append(integrator.time)
                result.starts.append(start)
                result.outputsOfStep.append(owned)
            }
        }
        result.statistics = integrator.statistics
        return result
    }
}
