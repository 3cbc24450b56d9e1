import Autodiff
import Solvers

/// A Neural-ODE layer: integrates dz/dt = f(t, z; θ) from the first to the last integration time and
/// returns z at the end (`callAsFunction`) or at every time (`trajectory`). A batch of states is
/// integrated as one state (one step size for the whole batch, as torchdiffeq and diffrax do).
///
/// How gradients are computed is chosen by `gradientMode`: the continuous `adjoint` (O(1) memory,
/// Chen et al. 2018), `direct` backpropagation through the solver (the paper's RK-Net), or
/// `checkpointed` (the same exact discrete gradient as direct, with one stored state per step).
///
///     let block = ODEBlock(dynamics, method: .dormandPrince54, relativeTolerance: 1e-3, absoluteTolerance: 1e-3)
///     let z1 = try block(z0)                           // z(1)
///     print(block.statistics)                          // NFE-F, NFE-B, adjoint drift
public final class ODEBlock<D: Dynamics>: Layer {
    /// The scalar type of the state.
    public typealias Scalar = D.Scalar
    /// The vector field f(t, z; θ); its parameters are this block's parameters (`dynamics.…`).
    public let dynamics: D
    /// The Runge–Kutta method of the forward solve.
    public var method: ButcherTableau
    /// Relative tolerance of adaptive steps (torchdiffeq's default 1e-7).
    public var relativeTolerance: Double
    /// Absolute tolerance of adaptive steps (torchdiffeq's default 1e-9).
    public var absoluteTolerance: Double
    /// The error norm of adaptive steps (RMS over the whole batch state by default).
    public var errorNorm: ErrorNorm = .rms
    /// A fixed step size (required for methods without an error estimate); `nil` adapts the step.
    public var stepSize: Double?
    /// The limit on trial steps of one solve.
    public var maximumSteps = 100_000
    /// How adaptive solves (forward and the adjoint's backward) meet the last time: `.interpolated` (the
    /// default, torchdiffeq's behaviour) steps past it and interpolates; `.exact` shortens the last step.
    /// (The block's step-size control is otherwise torchdiffeq's too: no post-rejection rule.)
    public var endpoint: StepSizeController.Endpoint = .interpolated
    /// How the backward pass is computed.
    public var gradientMode: GradientMode
    /// The default output times of `callAsFunction`: integrate from the first to the last ([0, 1]).
    public var integrationTimes: [Double] = [0, 1]
    /// Evaluations, steps and adjoint drift of the last call (the backward figures once its gradient
    /// has been computed).
    public internal(set) var statistics = ODEBlockStatistics()

    /// Creates a block; the tolerances default to torchdiffeq's (rtol 1e-7, atol 1e-9).
    public init(_ dynamics: D, method: ButcherTableau = .dormandPrince54, relativeTolerance: Double = 1e-7,
                absoluteTolerance: Double = 1e-9, stepSize: Double? = nil,
                gradientMode: GradientMode = .adjoint()) {
        self.dynamics = dynamics
        self.method = method
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerance = absoluteTolerance
        self.stepSize = stepSize
        self.gradientMode = gradientMode
    }

    /// The names of this block's members: the dynamics' parameters appear as `dynamics.…`.
    public var namedMembers: [(name: String, member: Any)] { [("dynamics", dynamics)] }

    var configuration: SolveConfiguration {
        SolveConfiguration(method: method, relativeTolerance: relativeTolerance,
                           absoluteTolerance: absoluteTolerance, norm: errorNorm, stepSize: stepSize,
                           maximumSteps: maximumSteps, endpoint: endpoint)
    }

    /// z at the last of `integrationTimes`, from z = `input` at the first.
    public func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let times = Tensor<Scalar>(integrationTimes.map { Scalar($0) })
        let path = try trajectory(from: input, at: times, exactTimes: integrationTimes)
        return path.sliced(path.shape[0] - 1 ..< path.shape[0], axis: 0).squeezed(axis: 0)
    }

    /// The states at `times` (monotone, increasing or decreasing; the first is the initial time),
    /// stacked along a new first axis: shape [times.count] + input.shape. The output at the first time
    /// is exactly `initialState`.
    public func trajectory(from initialState: Tensor<Scalar>, at times: [Double]) throws -> Tensor<Scalar> {
        try trajectory(from: initialState, at: Tensor(times.map { Scalar($0) }), exactTimes: times)
    }

    /// Like `trajectory(from:at:)` with the times as a tensor, so that the adjoint can return ∂L/∂tᵢ.
    public func trajectory(from initialState: Tensor<Scalar>, at times: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try trajectory(from: initialState, at: times, exactTimes: times.scalars.map { Double($0) })
    }

    func trajectory(from z0: Tensor<Scalar>, at timeTensor: Tensor<Scalar>, exactTimes times: [Double])
        throws -> Tensor<Scalar> {
        precondition(timeTensor.rank == 1 && timeTensor.scalarCount >= 1,
                     "ODEBlock: times must be a non-empty rank-1 tensor, got shape \(timeTensor.shape)")
        statistics = ODEBlockStatistics()
        switch gradientMode {
        case .direct:
            return try directTrajectory(from: z0, times: times)
        case .adjoint(let options):
            return try adjointTrajectory(from: z0, timeTensor: timeTensor, times: times, options: options)
        case .checkpointed:
            return try checkpointedTrajectory(from: z0, times: times)
        }
    }

    /// The vector field on tensors, counting evaluations.
    func field(counting counter: EvaluationCounter) -> VectorField<Tensor<Scalar>> {
        let dynamics = self.dynamics
        return { time, state, derivative in
            counter.count += 1
            derivative = try dynamics(Tensor(Scalar(time)), state)
        }
    }

    /// Direct: the solve itself runs on the tape.
    private func directTrajectory(from z0: Tensor<Scalar>, times: [Double]) throws -> Tensor<Scalar> {
        let counter = EvaluationCounter()
        let solution = try configuration.solve(field(counting: counter), from: z0, times: times)
        record(forward: solution.statistics, evaluations: counter.count)
        return stacked(solution.states, axis: 0)
    }

    func record(forward: SolverStatistics, evaluations: Int) {
        statistics.forwardEvaluations = evaluations
        statistics.forwardSteps = forward.acceptedSteps
        statistics.forwardRejectedSteps = forward.rejectedSteps
    }

    func recordBackward(evaluations: Int, steps: SolverStatistics? = nil, drift: [Double] = []) {
        statistics.backwardEvaluations = evaluations
        statistics.backwardSteps = steps?.acceptedSteps ?? 0
        statistics.backwardRejectedSteps = steps?.rejectedSteps ?? 0
        statistics.adjointDrift = drift
    }
}

/// A shared evaluation count for vector-field closures.
final class EvaluationCounter {
    var count = 0
}
