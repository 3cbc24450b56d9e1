import Autodiff
import Solvers

/// A Neural-ODE layer: integrates dz/dt = f(t, z; θ) from the first to the last integration time and
/// returns z at the end (`callAsFunction`) or at every time (`trajectory`). It wraps the differentiable
/// tensor `solve(_:from:at:stepping:gradient:maximumSteps:statistics:)` with settings kept on the layer.
///
/// Defaults (stated here and nowhere else): Dormand–Prince 5(4) under torchdiffeq's controller —
/// rtol 1e-7, atol 1e-9, the end passed and interpolated, no post-rejection growth limit
/// — so a block takes torchdiffeq's steps for the same field; the adjoint gradient; integration over [0, 1].
///
///     let block = ODEBlock(dynamics, method: .dormandPrince54, relativeTolerance: 1e-3, absoluteTolerance: 1e-3)
///     let z1 = try block(z0)                           // z(1)
///     print(block.statistics)                          // NFE-F, NFE-B, adjoint drift
///
/// A fixed-step method needs its step size, which the initialisers enforce at compile time:
///
///     let rk4Block = ODEBlock(dynamics, method: .rk4, stepSize: 0.05, gradientMode: .direct)
public final class ODEBlock<D: Dynamics>: Layer {
    /// The scalar type of the state.
    public typealias Scalar = D.Scalar
    /// The vector field f(t, z; θ); its parameters are this block's parameters (`dynamics.…`).
    public let dynamics: D
    /// How the solves step: the method and its controller, or a fixed step.
    public var stepping: Stepping
    /// How the backward pass is computed.
    public var gradientMode: GradientMode
    /// The limit on trial steps of one solve.
    public var maximumSteps = 100_000
    /// The default output times of `callAsFunction`: integrate from the first to the last ([0, 1]).
    public var integrationTimes: [Double] = [0, 1]
    /// Evaluations, steps and adjoint drift of the last call (the backward figures once its gradient
    /// has been computed).
    public var statistics: ODEStatistics { recorder.statistics }

    /// Receives the statistics of the last call (a new one per call, so that a pullback kept from an
    /// earlier call cannot overwrite the figures of a later one).
    private var recorder = ODEStatisticsRecorder()

    /// Creates a block with the given stepping.
    ///
    /// - Parameters:
    ///   - dynamics: the vector field.
    ///   - stepping: the method and its step-size control.
    ///   - gradientMode: how gradients are computed (adjoint by default).
    public init(_ dynamics: D, stepping: Stepping, gradientMode: GradientMode = .adjoint()) {
        self.dynamics = dynamics
        self.stepping = stepping
        self.gradientMode = gradientMode
    }

    /// Creates a block taking adaptive steps of `method` under torchdiffeq's controller with the given
    /// tolerances (`StepSizeController.torchdiffeq(relativeTolerance:absoluteTolerance:)`); with every
    /// default, `ODEBlock(dynamics)` is the block the type's documentation describes.
    ///
    /// - Parameters:
    ///   - dynamics: the vector field.
    ///   - method: a method with an error estimate (Dormand–Prince 5(4) by default).
    ///   - relativeTolerance: rtol (torchdiffeq's default 1e-7).
    ///   - absoluteTolerance: atol (torchdiffeq's default 1e-9).
    ///   - gradientMode: how gradients are computed.
    public convenience init(_ dynamics: D, method: some AdaptiveRungeKuttaMethod = .dormandPrince54,
                            relativeTolerance: Double = 1e-7,
                            absoluteTolerance: Double = 1e-9, gradientMode: GradientMode = .adjoint()) {
        let controller = StepSizeController.torchdiffeq(relativeTolerance: relativeTolerance,
                                                        absoluteTolerance: absoluteTolerance)
        self.init(dynamics, stepping: .adaptive(method, controller: controller), gradientMode: gradientMode)
    }

    /// Creates a block taking adaptive steps of `method` under `controller`.
    ///
    /// - Parameters:
    ///   - dynamics: the vector field.
    ///   - method: a method with an error estimate.
    ///   - controller: tolerances (scalar or per component) and step-size policy.
    ///   - gradientMode: how gradients are computed.
    public convenience init(_ dynamics: D, method: some AdaptiveRungeKuttaMethod, controller: StepSizeController,
                            gradientMode: GradientMode = .adjoint()) {
        self.init(dynamics, stepping: .adaptive(method, controller: controller), gradientMode: gradientMode)
    }

    /// Creates a block taking fixed steps of at most `stepSize`.
    ///
    /// - Parameters:
    ///   - dynamics: the vector field.
    ///   - method: any Runge–Kutta method (`.rk4`, `.euler`, …).
    ///   - stepSize: the largest step (positive; checked when the block runs).
    ///   - gradientMode: how gradients are computed.
    public convenience init(_ dynamics: D, method: some RungeKuttaMethod, stepSize: Double,
                            gradientMode: GradientMode = .adjoint()) {
        self.init(dynamics, stepping: .fixed(method, stepSize: stepSize), gradientMode: gradientMode)
    }

    /// The method of the forward solve.
    public var method: any RungeKuttaMethod { stepping.method }

    /// The names of this block's members: the dynamics' parameters appear as `dynamics.…`.
    public var namedMembers: [(name: String, member: Any)] { [("dynamics", dynamics)] }

    /// z at the last of `integrationTimes`, from z = `input` at the first.
    ///
    /// - Parameter input: the initial state.
    /// - Returns: the final state, shaped like `input`.
    /// - Throws: ``ODENetError`` or `SolverError` when the solve cannot run.
    public func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let times = Tensor<Scalar>(integrationTimes.map { Scalar($0) })
        let path = try trajectory(from: input, at: times, exactTimes: integrationTimes)
        return path.sliced(path.shape[0] - 1 ..< path.shape[0], axis: 0).squeezed(axis: 0)
    }

    /// The states at `times` (monotone, increasing or decreasing; the first is the initial time),
    /// stacked along a new first axis: shape [times.count] + input.shape. The output at the first time
    /// is exactly `initialState`.
    ///
    /// - Parameters:
    ///   - initialState: z at `times[0]`.
    ///   - times: the output times.
    /// - Returns: the states at `times`.
    /// - Throws: ``ODENetError`` or `SolverError` when the solve cannot run.
    public func trajectory(from initialState: Tensor<Scalar>, at times: [Double]) throws -> Tensor<Scalar> {
        try trajectory(from: initialState, at: Tensor(times.map { Scalar($0) }), exactTimes: times)
    }

    /// Like `trajectory(from:at:)` with the times as a tensor, so that the adjoint can return ∂L/∂tᵢ.
    ///
    /// - Parameters:
    ///   - initialState: z at `times[0]`.
    ///   - times: a rank-1 tensor of output times.
    /// - Returns: the states at `times`.
    /// - Throws: ``ODENetError`` or `SolverError` when the solve cannot run.
    public func trajectory(from initialState: Tensor<Scalar>, at times: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try trajectory(from: initialState, at: times, exactTimes: times.scalars.map { Double($0) })
    }

    func trajectory(from z0: Tensor<Scalar>, at timeTensor: Tensor<Scalar>, exactTimes times: [Double])
        throws -> Tensor<Scalar> {
        recorder = ODEStatisticsRecorder()
        let solve = DifferentiableSolve(dynamics: dynamics, stepping: stepping, maximumSteps: maximumSteps,
                                        gradient: gradientMode, recorder: recorder)
        return try solve.trajectory(from: z0, timeTensor: timeTensor, times: times)
    }
}
