import Autodiff
import Requirements
import Solvers

/// An event on a tensor solve whose time is differentiated: g(t, z) built from the library's operations (it
/// may use parameters of its own, which then get gradients), an optional jump map z⁺ = h(t*, z⁻) (likewise),
/// and which crossings count.
public struct DifferentiableEvent<Scalar: TensorScalar> {
    /// g(t, z): a rank-0 tensor; the event is where it crosses zero.
    public var function: (_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) throws -> Tensor<Scalar>
    /// z⁺ = h(t*, z⁻), applied at each occurrence before the solve goes on; nil for none.
    public var jump: ((_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) throws -> Tensor<Scalar>)?
    /// Which sign changes count.
    public var direction: ODEEvent<Tensor<Scalar>>.Direction
    /// The located time is within this distance of the crossing along the dense output.
    public var timeTolerance: Double

    /// An event.
    ///
    /// - Parameters:
    ///   - direction: Which sign changes count (any by default).
    ///   - timeTolerance: The located time is within this distance of the crossing (1e-10).
    ///   - jump: The state update at each occurrence, if any.
    ///   - function: g(t, z), rank 0.
    public init(direction: ODEEvent<Tensor<Scalar>>.Direction = .any, timeTolerance: Double = 1e-10,
                jump: ((_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) throws -> Tensor<Scalar>)? = nil,
                _ function: @escaping (_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) throws -> Tensor<Scalar>) {
        self.function = function
        self.jump = jump
        self.direction = direction
        self.timeTolerance = timeTolerance
    }
}

/// The occurrences of a ``DifferentiableEvent``, each time and state recorded for differentiation.
public struct EventSolution<Scalar: TensorScalar> {
    /// t*₁, t*₂, …: rank-0 tensors.
    public var times: [Tensor<Scalar>]
    /// The state reaching each event (before its jump).
    public var statesBefore: [Tensor<Scalar>]
    /// The state each segment after an event starts from (after its jump; the state before it without one).
    public var statesAfter: [Tensor<Scalar>]
}

/// Solves from `initialState` at `startTime` until `event` has occurred `occurrences` times (jumping at each
/// when it has a jump map), and returns the event times and states as tensors that are differentiable with
/// respect to the initial state, the start time, the dynamics' parameters and the event's and jump map's own
/// parameters, in every gradient mode.
///
/// Each event time comes from the implicit function theorem at the root: with z*(θ) the state at the fixed
/// time t*, dt*/dθ = −(∂g/∂θ + ∂g/∂z·∂z*/∂θ)/ġ, ġ = ∂g/∂t + ∂g/∂z·f(t*, z*). The solve locates t* without
/// recording, solves again to t* in the chosen gradient mode (so that z* is recorded: the adjoint keeps its
/// O(1) memory in the steps), and records t* = t*₀ − (g(t*₀, z*) − g(t*₀, z*)|const)/ġ — whose value is t*₀
/// and whose gradient is the theorem's — and the state there as z* + f(t*, z*)·(t* − t*₀). Later segments
/// start from the recorded time and state after the jump, so a loss after several events is differentiable.
/// First derivatives only (ġ and f(t*, z*) enter as constants). A crossing is tangential when |ġ| is below
/// 10⁻⁶ of g's mean rate of change over the segment, |g(t_start)|/(t* − t_start).
///
/// - Parameters:
///   - dynamics: The vector field.
///   - initialState: z(t₀).
///   - startTime: t₀, a rank-0 tensor (differentiable).
///   - event: The event.
///   - occurrences: How many events to wait for (at least 1).
///   - maximumTime: A bound on the search; reaching it first is `ODENetError.eventNotFound`.
///   - stepping: The method and its step-size control (adaptive, or fixed steps with a finite `maximumTime`).
///   - gradient: How the solves to the event times are differentiated.
///   - maximumSteps: The limit on trial steps of each solve.
///   - statistics: Receives the evaluation counts of the last segment's solve.
/// - Returns: The event times and states.
/// - Throws: `ODENetError.eventNotFound` when fewer events occur before `maximumTime`,
///   `ODENetError.tangentialEvent` when g meets zero without crossing it (ġ within rounding of 0: the time is
///   not differentiable there); what the solves, g and the jump map throw.
public func solve<D: Dynamics>(
    _ dynamics: D, from initialState: Tensor<D.Scalar>, startTime: Tensor<D.Scalar>,
    until event: DifferentiableEvent<D.Scalar>, occurrences: Int = 1, maximumTime: Double = .infinity,
    stepping: Stepping, gradient: GradientMode = .adjoint(), maximumSteps: Int = 100_000,
    statistics: ODEStatisticsRecorder? = nil
) throws -> EventSolution<D.Scalar> {
    typealias Scalar = D.Scalar
    require(occurrences >= 1, "solve(until:): occurrences must be at least 1, got \(occurrences)")
    require(startTime.rank == 0, "solve(until:): startTime must be a rank-0 tensor, got shape \(startTime.shape)")
    var result = EventSolution<Scalar>(times: [], statesBefore: [], statesAfter: [])
    var time = startTime, state = initialState
    let recorder = statistics ?? ODEStatisticsRecorder()
    for occurrence in 0..<occurrences {
        let start = Double(time.scalar)
        let located = try locateEvent(dynamics, event, from: withoutDerivative(at: state), at: start,
                                      afterEvent: occurrence > 0, maximumTime: maximumTime, stepping: stepping,
                                      maximumSteps: maximumSteps)
        // z* at the fixed time t*₀, recorded in the chosen mode (the start time is differentiated).
        let times = concatenated([time.reshaped([1]), Tensor<Scalar>([Scalar(located)])], axis: 0)
        let path = try solve(dynamics, from: state, at: times, stepping: stepping, gradient: gradient,
                             maximumSteps: maximumSteps, statistics: recorder)
        let reached = path.sliced(1..<2, axis: 0).squeezed(axis: 0)
        let eventTime = Tensor<Scalar>(Scalar(located))
        let (rate, slope) = try withoutRecording(Scalar.self) { () throws -> (Tensor<Scalar>, Double) in
            let z = withoutDerivative(at: reached)
            let f = try dynamics(eventTime, z)
            let (_, gradients) = try valueWithGradient(at: [eventTime, z]) { xs in try event.function(xs[0], xs[1]) }
            let slope = Double(gradients[0].scalar)
                + zip(gradients[1].scalars, f.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
            // Tangential: ġ negligible against g's mean rate of change since the segment's start.
            let initial = try event.function(Tensor(Scalar(start)), withoutDerivative(at: state))
            let meanRate = abs(Double(initial.scalar)) / max(abs(located - start), .leastNormalMagnitude)
            guard abs(slope) > 1e-6 * meanRate && slope.isFinite else {
                throw ODENetError.tangentialEvent(time: located, rate: slope)
            }
            return (f, slope)
        }
        let g = try event.function(eventTime, reached)
        let shift = (g - withoutDerivative(at: g)) * Tensor(Scalar(-1 / slope))   // value 0, gradient −dg/ġ
        time = eventTime + shift
        let before = reached + rate * shift
        state = try event.jump.map { try $0(time, before) } ?? before
        result.times.append(time)
        result.statesBefore.append(before)
        result.statesAfter.append(state)
    }
    return result
}

/// The first crossing of `event` after `start` (not recorded). After an event (`afterEvent`) the segment starts
/// at that event's root, on the far side of it, where g is within the location tolerance of zero: g counts as
/// zero there (no sign), so the same root does not fire again at once, as in a solve with jumps.
func locateEvent<D: Dynamics>(_ dynamics: D, _ event: DifferentiableEvent<D.Scalar>, from state: Tensor<D.Scalar>,
                              at start: Double, afterEvent: Bool, maximumTime: Double, stepping: Stepping,
                              maximumSteps: Int) throws -> Double {
    typealias Scalar = D.Scalar
    return try withoutRecording(Scalar.self) {
        let field: VectorField<Tensor<Scalar>> = { t, z, dz in dz = try dynamics(Tensor(Scalar(t)), z) }
        let problem = ODEProblem(timeSpan: TimeSpan(start: start, end: maximumTime), initialState: state, function: field)
        let stop = ODEEvent<Tensor<Scalar>>(direction: event.direction, timeTolerance: event.timeTolerance) { t, z in
            afterEvent && t == start ? 0 : Double(try event.function(Tensor(Scalar(t)), z).scalar)
        }
        let solution: ODESolution<Tensor<Scalar>>
        switch stepping.kind {
        case .adaptive(let method, let controller):
            solution = try solve(problem, using: EmbeddedRungeKutta(method.tableau), controller: controller,
                                 events: [stop], maxSteps: maximumSteps)
        case .fixed(let method, let stepSize):
            solution = try solve(problem, using: ExplicitRungeKutta(method.tableau), stepSize: stepSize, events: [stop])
        }
        guard let found = solution.event else { throw ODENetError.eventNotFound(start: start, end: solution.finalTime) }
        return found.time
    }
}
