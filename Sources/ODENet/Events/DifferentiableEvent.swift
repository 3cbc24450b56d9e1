import Autodiff
import Solvers

/// An event on a tensor solve whose time is differentiated: g(t, z) built from the library's operations (it
/// may use parameters of its own, which then get gradients), an optional jump map z⁺ = h(t*, z⁻) (likewise),
/// and which crossings count.
///
/// g returns a rank-0 tensor for one event on the whole state, or one value per sample (shape [B] for a state
/// [B, …]) for an event per sample: each sample then has its own event times, states and gradients, as if it
/// were solved alone.
public struct DifferentiableEvent<Scalar: TensorScalar> {
    /// g(t, z): rank 0, or one value per sample; the event is where it crosses zero.
    public var function: (_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) throws -> Tensor<Scalar>
    /// z⁺ = h(t*, z⁻), applied at each occurrence before the solve goes on; nil for none. For an event per
    /// sample it receives one sample at a time, shaped [1, …].
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
    ///   - function: g(t, z): rank 0, or one value per sample.
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
///
/// For an event per sample, `times[k]` has shape [B] (sample i's k-th event time) and the states are the
/// batch's rows at those times. A solve that may end before all occurrences (`allowingFewerOccurrences`) fills
/// the missing entries of a sample with its end time (a constant) and its state there; ``counts`` tells them
/// apart.
public struct EventSolution<Scalar: TensorScalar> {
    /// t*₁, t*₂, …: rank 0, or [B] for an event per sample.
    public var times: [Tensor<Scalar>]
    /// The state reaching each event (before its jump).
    public var statesBefore: [Tensor<Scalar>]
    /// The state each segment after an event starts from (after its jump; the state before it without one).
    public var statesAfter: [Tensor<Scalar>]
    /// The states at the requested save times, stacked along a new first axis ([K] + the state's shape), jumps
    /// included; a save time at an event gives the state reaching it. Nil when no save times were requested.
    public var savedStates: Tensor<Scalar>?
    /// How many events occurred: one entry, or one per sample for an event per sample.
    public var counts: [Int]
}
