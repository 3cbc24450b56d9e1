import Autodiff
import Requirements
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
    /// RNODE's regularisers (none by default). When set, every call also integrates, per sample, the kinetic
    /// energy ∫ ½‖f‖²/D dt and the Jacobian norm ∫ ‖εᵀ∂f/∂z‖²/D dt from the first to the last output time
    /// (D: a sample's features; ε drawn from `probeGenerator` once per call), as extra solved components
    /// that never control the step; ``regularizationLoss`` is their weighted batch mean.
    public var regularization: DynamicsRegularization = .none
    /// The source of the Jacobian term's probes.
    public var probeGenerator = SeededGenerator(seed: 0)
    /// λ_K·mean(kinetic energy) + λ_J·mean(Jacobian norm) of the last call, recorded: add it to the loss
    /// computed from the call's output to train against it (a scalar 0 without regularisation).
    public private(set) var regularizationLoss = Tensor<D.Scalar>(0)

    /// Receives the statistics of the last call (a new one per call, so that a pullback kept from an
    /// earlier call cannot overwrite the figures of a later one).
    var recorder = ODEStatisticsRecorder()

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
        regularizationLoss = Tensor(0)
        guard regularization.columnCount > 0 else {
            let solve = DifferentiableSolve(dynamics: dynamics, stepping: stepping, maximumSteps: maximumSteps,
                                            gradient: gradientMode, recorder: recorder)
            return try solve.trajectory(from: z0, timeTensor: timeTensor, times: times)
        }
        return try regularizedTrajectory(from: z0, at: timeTensor, exactTimes: times)
    }

    /// The trajectory with RNODE's integrals solved alongside (see ``regularization``).
    private func regularizedTrajectory(from z0: Tensor<Scalar>, at timeTensor: Tensor<Scalar>, exactTimes times: [Double])
        throws -> Tensor<Scalar> {
        require(z0.rank >= 2, "ODEBlock.regularization: the state must be [batch, features…], got shape \(z0.shape)")
        let batch = z0.shape[0], n = z0.scalarCount, r = regularization.columnCount
        let noise = regularization.hasJacobianFrobenius
            ? HutchinsonNoise.gaussian.sample(z0.shape, as: Scalar.self, using: &probeGenerator) : nil
        let field = RegularizedDynamics(dynamics, regularization: regularization, shape: z0.shape, noise: noise)
        let controlled = stepping.replacingNorm { ErrorNorm(kind: $0, components: 0..<n) }   // z only
        let solve = DifferentiableSolve(dynamics: field, stepping: controlled, maximumSteps: maximumSteps,
                                        gradient: gradientMode, recorder: recorder)
        let initial = concatenated([z0.reshaped([n]), Tensor<Scalar>.zeros([batch * r])], axis: 0)
        let path = try solve.trajectory(from: initial, timeTensor: timeTensor, times: times)
        let count = path.shape[0]
        let last = path.sliced((count - 1)..<count, axis: 0).reshaped([n + batch * r])
        regularizationLoss = regularization.loss(last.sliced(n..<(n + batch * r)).reshaped([r, batch])).loss
        return path.sliced(0..<n, axis: 1).reshaped([count] + z0.shape)
    }
}
