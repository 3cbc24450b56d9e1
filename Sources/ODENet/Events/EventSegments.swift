import Autodiff
import Requirements
import Solvers

/// The event solve of one state (a rank-0 event function): segment after segment, each located without
/// recording, then solved again to its event time in the chosen gradient mode and closed by the implicit
/// function theorem's recorded time and the jump map.
struct EventSegments<D: Dynamics> {
    typealias Scalar = D.Scalar
    let dynamics: D
    let occurrences: Int
    let saveAt: [Double]
    let maximumTime: Double
    let allowingFewer: Bool
    let stepping: Stepping
    let gradient: GradientMode
    let maximumSteps: Int
    let recorder: ODEStatisticsRecorder

    /// The events of one state; missing occurrences (when allowed) are filled with the end time and state.
    func solve(from initialState: Tensor<Scalar>, startTime: Tensor<Scalar>,
               event: DifferentiableEvent<Scalar>) throws -> EventSolution<Scalar> {
        var result = EventSolution<Scalar>(times: [], statesBefore: [], statesAfter: [], savedStates: nil, counts: [0])
        var saved: [Tensor<Scalar>] = []   // blocks of rows, one row per save time
        var time = startTime, state = initialState
        var nextSave = 0   // the first save time not yet filled
        // Save times at the start itself are the initial state.
        while nextSave < saveAt.count, representable(saveAt[nextSave]) <= Double(startTime.scalar) {
            saved.append(initialState.reshaped([1] + initialState.shape))
            nextSave += 1
        }
        while result.times.count < occurrences {
            let start = Double(time.scalar)
            let located = start < maximumTime
                ? try locateEvent(event, from: withoutDerivative(at: state), at: start, afterEvent: !result.times.isEmpty)
                : nil
            guard let located else {
                guard allowingFewer else { throw ODENetError.eventNotFound(start: start, end: maximumTime) }
                break
            }
            // z* at the fixed time t*₀ (and the save times before it), recorded in the chosen mode.
            let (reached, observed) = try path(from: time, state, to: located, saving: &nextSave)
            saved += observed
            let eventTime = Tensor<Scalar>(Scalar(located))
            let (rate, slope) = try rateOfChange(event, at: located, reached: withoutDerivative(at: reached),
                                                 segmentStart: start, startState: withoutDerivative(at: state))
            let g = try event.function(eventTime, reached)
            let shift = (g - withoutDerivative(at: g)) * Tensor(Scalar(-1 / slope))   // value 0, gradient −dg/ġ
            time = eventTime + shift
            let before = reached + rate * shift
            state = try event.jump.map { try $0(time, before) } ?? before
            result.times.append(time)
            result.statesBefore.append(before)
            result.statesAfter.append(state)
        }
        result.counts = [result.times.count]
        // The rest: to the end when events are missing, else to the save times left.
        let end = result.times.count < occurrences ? maximumTime : (nextSave < saveAt.count ? saveAt.last! : nil)
        if let end, representable(end) > Double(time.scalar) {
            let (final, observed) = try path(from: time, state, to: end, saving: &nextSave)
            saved += observed
            state = final
        }
        while result.times.count < occurrences {
            result.times.append(Tensor(Scalar(maximumTime)))
            result.statesBefore.append(state)
            result.statesAfter.append(state)
        }
        if !saveAt.isEmpty {
            let filled = saved.reduce(0) { $0 + $1.shape[0] }
            precondition(filled == saveAt.count, "EventSegments: \(filled) of \(saveAt.count) save times filled")
            result.savedStates = concatenated(saved, axis: 0)
        }
        return result
    }

    /// A time as the scalar type holds it (so that Float comparisons agree with the solve's times).
    func representable(_ t: Double) -> Double { Double(Scalar(t)) }

    /// Solves from (`time`, `state`) to the fixed time `end`, recording, and returns the state there and the
    /// states at the save times from `nextSave` up to `end` (each shaped [1] + the state's), advancing `nextSave`.
    func path(from time: Tensor<Scalar>, _ state: Tensor<Scalar>, to end: Double,
              saving nextSave: inout Int) throws -> (Tensor<Scalar>, [Tensor<Scalar>]) {
        let endValue = representable(end)
        var inside: [Double] = []
        while nextSave < saveAt.count, representable(saveAt[nextSave]) < endValue {
            inside.append(saveAt[nextSave])
            nextSave += 1
        }
        let endSaved = nextSave < saveAt.count && representable(saveAt[nextSave]) == endValue
        if endSaved { nextSave += 1 }
        let fixed = Tensor<Scalar>((inside + [end]).map { Scalar($0) })
        let times = concatenated([time.reshaped([1]), fixed], axis: 0)
        let path = try ODENet.solve(dynamics, from: state, at: times, stepping: stepping, gradient: gradient,
                                    maximumSteps: maximumSteps, statistics: recorder)
        let count = inside.count + 1
        let last = path.sliced(count..<(count + 1), axis: 0)
        var observed = inside.isEmpty ? [] : [path.sliced(1..<count, axis: 0)]
        if endSaved { observed.append(last) }
        return (last.squeezed(axis: 0), observed)
    }

    /// f(t*, z*) and ġ = ∂g/∂t + ∂g/∂z·f(t*, z*) at a located root, not recorded; throws for a tangential crossing.
    func rateOfChange(_ event: DifferentiableEvent<Scalar>, at located: Double, reached z: Tensor<Scalar>,
                      segmentStart start: Double, startState: Tensor<Scalar>) throws -> (Tensor<Scalar>, Double) {
        try withoutRecording(Scalar.self) { () throws -> (Tensor<Scalar>, Double) in
            let eventTime = Tensor<Scalar>(Scalar(located))
            let f = try dynamics(eventTime, z)
            let (_, gradients) = try valueWithGradient(at: [eventTime, z]) { xs in try event.function(xs[0], xs[1]) }
            let slope = Double(gradients[0].scalar)
                + zip(gradients[1].scalars, f.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
            // Tangential: ġ negligible against g's mean rate of change since the segment's start.
            let initial = try event.function(Tensor(Scalar(start)), startState)
            let meanRate = abs(Double(initial.scalar)) / max(abs(located - start), .leastNormalMagnitude)
            guard abs(slope) > 1e-6 * meanRate && slope.isFinite else {
                throw ODENetError.tangentialEvent(time: located, rate: slope)
            }
            return (f, slope)
        }
    }

    /// The first crossing of `event` after `start` before `maximumTime` (not recorded), nil without one. After
    /// an event (`afterEvent`) the segment starts at that event's root, on the far side of it, where g is within
    /// the location tolerance of zero: g counts as zero there (no sign), so the same root does not fire again
    /// at once, as in a solve with jumps.
    func locateEvent(_ event: DifferentiableEvent<Scalar>, from state: Tensor<Scalar>, at start: Double,
                     afterEvent: Bool) throws -> Double? {
        try withoutRecording(Scalar.self) {
            let dynamics = self.dynamics
            let field: VectorField<Tensor<Scalar>> = { t, z, dz in dz = try dynamics(Tensor(Scalar(t)), z) }
            let problem = ODEProblem(timeSpan: TimeSpan(start: start, end: maximumTime), initialState: state,
                                     function: field)
            let stop = ODEEvent<Tensor<Scalar>>(direction: event.direction, timeTolerance: event.timeTolerance) { t, z in
                afterEvent && t == start ? 0 : Double(try event.function(Tensor(Scalar(t)), z).scalar)
            }
            let solution: ODESolution<Tensor<Scalar>>
            switch stepping.kind {
            case .adaptive(let method, let controller):
                solution = try Solvers.solve(problem, using: EmbeddedRungeKutta(method.tableau), controller: controller,
                                             events: [stop], maxSteps: maximumSteps)
            case .fixed(let method, let stepSize):
                solution = try Solvers.solve(problem, using: ExplicitRungeKutta(method.tableau), stepSize: stepSize,
                                             events: [stop])
            }
            return solution.event?.time
        }
    }
}
