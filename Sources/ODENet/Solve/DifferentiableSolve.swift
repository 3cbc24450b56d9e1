import Autodiff
import Solvers

/// Solves dz/dt = f(t, z; θ) through the output `times` and returns z at each, stacked along a new first
/// axis (shape `[times.count] + initialState.shape`): a differentiable tensor operation whose gradient
/// with respect to the initial state and every parameter of `dynamics` is computed as `gradient` says.
///
/// The first time is the initial time, and the output there is exactly `initialState`; the times must be
/// finite and monotone (increasing or decreasing). A batch of states is integrated as one state (one step
/// size for the whole batch, as torchdiffeq and diffrax do).
///
///     let path = try solve(field, from: z0, at: [0, 0.5, 1],
///                          stepping: .adaptive(.dormandPrince54, controller: .torchdiffeq(relativeTolerance: 1e-5)),
///                          gradient: .adjoint())
///
/// - Parameters:
///   - dynamics: the vector field; its parameters are what the gradient is taken with respect to.
///   - initialState: z(times[0]).
///   - times: the output times.
///   - stepping: the method and its step-size control.
///   - gradient: adjoint (O(1) memory), direct or checkpointed (exact discrete gradient).
///   - maximumSteps: the limit on trial steps of each solve.
///   - statistics: receives evaluation counts and the adjoint's drift (backward figures once the gradient is taken).
/// - Returns: the states at `times`.
/// - Throws: ``ODENetError`` for bad times, a NaN or infinite parameter of `dynamics` or a misshapen derivative,
///   `SolverError` when a solve fails; a failing backward solve makes the differential operator that runs it throw.
public func solve<D: Dynamics>(
    _ dynamics: D, from initialState: Tensor<D.Scalar>, at times: [Double], stepping: Stepping,
    gradient: GradientMode = .adjoint(), maximumSteps: Int = 100_000, statistics: ODEStatisticsRecorder? = nil
) throws -> Tensor<D.Scalar> {
    let engine = DifferentiableSolve(dynamics: dynamics, stepping: stepping, maximumSteps: maximumSteps,
                                     gradient: gradient, recorder: statistics ?? ODEStatisticsRecorder())
    return try engine.trajectory(from: initialState, timeTensor: Tensor(times.map { D.Scalar($0) }), times: times)
}

/// Like `solve(_:from:at:stepping:gradient:maximumSteps:statistics:)` with the times as a tensor, so that
/// the adjoint also returns ∂L/∂tᵢ for every output time.
///
/// - Parameters:
///   - dynamics: the vector field.
///   - initialState: z(times[0]).
///   - times: a rank-1 tensor of output times.
///   - stepping: the method and its step-size control.
///   - gradient: how the gradient is computed; every mode differentiates the times.
///   - maximumSteps: the limit on trial steps of each solve.
///   - statistics: receives evaluation counts and the adjoint's drift.
/// - Returns: the states at `times`.
/// - Throws: as the `[Double]` form.
public func solve<D: Dynamics>(
    _ dynamics: D, from initialState: Tensor<D.Scalar>, at times: Tensor<D.Scalar>, stepping: Stepping,
    gradient: GradientMode = .adjoint(), maximumSteps: Int = 100_000, statistics: ODEStatisticsRecorder? = nil
) throws -> Tensor<D.Scalar> {
    let engine = DifferentiableSolve(dynamics: dynamics, stepping: stepping, maximumSteps: maximumSteps,
                                     gradient: gradient, recorder: statistics ?? ODEStatisticsRecorder())
    return try engine.trajectory(from: initialState, timeTensor: times, times: times.scalars.map { Double($0) })
}

/// Solves with adaptive steps of `method` under `controller` — the array `solve(_:using:controller:)`'s
/// configuration on tensors, differentiable.
///
/// - Parameters:
///   - dynamics: the vector field.
///   - initialState: z(times[0]).
///   - times: the output times.
///   - method: a method with an error estimate.
///   - controller: tolerances (scalar or per component) and step-size policy.
///   - gradient: how the gradient is computed.
///   - maximumSteps: the limit on trial steps of each solve.
///   - statistics: receives evaluation counts and the adjoint's drift.
/// - Returns: the states at `times`.
/// - Throws: as `solve(_:from:at:stepping:gradient:maximumSteps:statistics:)`.
public func solve<D: Dynamics>(
    _ dynamics: D, from initialState: Tensor<D.Scalar>, at times: [Double],
    using method: some AdaptiveRungeKuttaMethod, controller: StepSizeController,
    gradient: GradientMode = .adjoint(), maximumSteps: Int = 100_000, statistics: ODEStatisticsRecorder? = nil
) throws -> Tensor<D.Scalar> {
    try solve(dynamics, from: initialState, at: times, stepping: .adaptive(method, controller: controller),
              gradient: gradient, maximumSteps: maximumSteps, statistics: statistics)
}

/// Solves with fixed steps of at most `stepSize` — the array `solve(_:using:stepSize:)`'s configuration on
/// tensors, differentiable.
///
/// - Parameters:
///   - dynamics: the vector field.
///   - initialState: z(times[0]).
///   - times: the output times.
///   - method: any Runge–Kutta method.
///   - stepSize: the largest step (positive).
///   - gradient: how the gradient is computed.
///   - statistics: receives evaluation counts.
/// - Returns: the states at `times`.
/// - Throws: as `solve(_:from:at:stepping:gradient:maximumSteps:statistics:)`.
public func solve<D: Dynamics>(
    _ dynamics: D, from initialState: Tensor<D.Scalar>, at times: [Double],
    using method: some RungeKuttaMethod, stepSize: Double,
    gradient: GradientMode = .adjoint(), statistics: ODEStatisticsRecorder? = nil
) throws -> Tensor<D.Scalar> {
    try solve(dynamics, from: initialState, at: times, stepping: .fixed(method, stepSize: stepSize),
              gradient: gradient, statistics: statistics)
}

/// One differentiable solve: the forward solve and the pullback of the chosen gradient mode. It holds no
/// reference to a layer, so a pullback outlives whatever made it.
struct DifferentiableSolve<D: Dynamics> {
    typealias Scalar = D.Scalar
    let dynamics: D
    let stepping: Stepping
    let maximumSteps: Int
    let gradient: GradientMode
    let recorder: ODEStatisticsRecorder

    func trajectory(from z0: Tensor<Scalar>, timeTensor: Tensor<Scalar>, times: [Double]) throws -> Tensor<Scalar> {
        guard timeTensor.rank == 1 && timeTensor.scalarCount >= 1 else {
            throw ODENetError.invalidTimesShape(timeTensor.shape)
        }
        try Self.validate(times)
        // One walk over the dynamics' parameters per solve (it reflects over the module tree).
        let named = dynamics.namedParameters(of: Scalar.self)
        try Self.validate(named)
        recorder.recordForward(evaluations: 0, steps: 0, rejectedSteps: 0)
        switch gradient {
        case .direct:
            guard timeTensor.isRecorded else { return try directTrajectory(from: z0, times: times, parameters: named) }
            return try timeDifferentiable(from: z0, timeTensor: timeTensor, times: times) {
                try directTrajectory(from: $0, times: times, parameters: named)
            }
        case .adjoint(let options):
            return try adjointTrajectory(from: z0, timeTensor: timeTensor, times: times, options: options,
                                         parameters: named)
        case .checkpointed:
            guard timeTensor.isRecorded else { return try checkpointedTrajectory(from: z0, times: times, parameters: named) }
            return try timeDifferentiable(from: z0, timeTensor: timeTensor, times: times) {
                try checkpointedTrajectory(from: $0, times: times, parameters: named)
            }
        }
    }

    /// Finite, monotone times (the direction is that of the first to the last).
    static func validate(_ times: [Double]) throws {
        for (i, t) in times.enumerated() where !t.isFinite { throw ODENetError.nonFiniteTime(index: i, value: t) }
        let direction = times[times.count - 1] >= times[0] ? 1.0 : -1.0
        for i in times.indices.dropFirst() where (times[i] - times[i - 1]) * direction < 0 {
            throw SolverError.outputTimesNotMonotone(index: i, previous: times[i - 1], time: times[i])
        }
    }

    /// Finite parameters: a NaN or infinite one would show up later as a "non-finite state" of the solve, or
    /// as NaN gradients of a finite output (∞·0 where tanh saturates), which nothing would then report.
    static func validate(_ named: [(name: String, parameter: Parameter<Scalar>)]) throws {
        for (name, parameter) in named {
            if let bad = parameter.value.firstNonFinite() {
                throw ODENetError.nonFiniteParameter(name: name, index: bad.index, value: Double(bad.value))
            }
        }
    }

    /// The vector field on tensors, counting evaluations and checking the derivative's shape.
    func field(counting counter: EvaluationCounter) -> VectorField<Tensor<Scalar>> {
        let dynamics = self.dynamics
        return { time, state, derivative in
            counter.count += 1
            derivative = try dynamics(Tensor(Scalar(time)), state)
            guard derivative.shape == state.shape else {
                throw ODENetError.derivativeShapeMismatch(state: state.shape, derivative: derivative.shape)
            }
        }
    }

    /// Direct: the solve itself runs on the tape, between identity operations that check its contribution to
    /// the gradient of z(t₀) and of every parameter: a NaN or an infinity made by the solve's backward pass
    /// from a finite cotangent and finite inputs is `ODENetError.nonFiniteGradient`, not a silent NaN.
    func directTrajectory(from z0: Tensor<Scalar>, times: [Double],
                          parameters: [(name: String, parameter: Parameter<Scalar>)]) throws -> Tensor<Scalar> {
        let counter = EvaluationCounter()
        let check = DirectGradientCheck()
        let named = parameters.filter { $0.parameter.value.isRecorded }
        let saved = named.map(\.parameter.value)
        defer { for ((_, parameter), value) in zip(named, saved) { parameter.value = value } }
        for (name, parameter) in named { parameter.value = check.guarding(parameter.value, name: name) }
        let start = z0.isRecorded ? check.guarding(z0, name: "the initial state z(t₀)") : z0
        let solution = try stepping.solve(field(counting: counter), from: start, times: times,
                                          maximumSteps: maximumSteps)
        recordForward(solution.statistics, evaluations: counter.count)
        return check.receiving(stacked(solution.outputs, axis: 0))
    }

    /// The forward solve of the adjoint and checkpointed modes: nothing records; the statistics are kept.
    /// Returns the solution and its outputs stacked (the value the custom operation records).
    func unrecordedSolve(from z0: Tensor<Scalar>, times: [Double], keepingSteps: Bool = false,
                         trackingErrors: Bool = false) throws -> (SteppedSolution<Tensor<Scalar>>, Tensor<Scalar>) {
        let counter = EvaluationCounter()
        let forwardField = field(counting: counter)
        return try withoutRecording(Scalar.self) {
            let solution = try stepping.solve(forwardField, from: withoutDerivative(at: z0), times: times,
                                              maximumSteps: maximumSteps, keepingSteps: keepingSteps,
                                              trackingErrors: trackingErrors)
            recordForward(solution.statistics, evaluations: counter.count)
            return (solution, stacked(solution.outputs, axis: 0))
        }
    }

    func recordForward(_ statistics: SolverStatistics, evaluations: Int) {
        recorder.recordForward(evaluations: evaluations, steps: statistics.acceptedSteps,
                               rejectedSteps: statistics.rejectedSteps)
    }
}

/// The identity operations around a direct solve on the tape. The reverse pass meets the output's first
/// (`receiving`), which notes whether the cotangent arriving from the loss is finite, and the inputs' last
/// (`guarding`), which then hold the solve's whole contribution to their gradients.
final class DirectGradientCheck: @unchecked Sendable {
    /// Whether the cotangent of the solve's output was finite (set during the reverse pass).
    var cotangentIsFinite = true

    /// `output`, recorded as an identity that notes whether its cotangent is finite.
    func receiving<Scalar>(_ output: Tensor<Scalar>) -> Tensor<Scalar> {
        customDifferentiable(inputs: [output], value: output, operation: "direct solve (output)",
                             pullbackIsDifferentiable: true) { g in
            self.cotangentIsFinite = g.firstNonFinite() == nil
            return [g]
        }
    }

    /// `input`, recorded as an identity whose pullback throws `ODENetError.nonFiniteGradient` (naming `name`)
    /// when its cotangent is not finite although the output's cotangent and `input` are.
    func guarding<Scalar>(_ input: Tensor<Scalar>, name: String) -> Tensor<Scalar> {
        let value = withoutDerivative(at: input)
        return customDifferentiable(inputs: [input], value: value, operation: "direct solve (input)",
                                    pullbackIsDifferentiable: true) { g in
            if self.cotangentIsFinite, let bad = g.firstNonFinite(), value.firstNonFinite() == nil {
                throw ODENetError.nonFiniteGradient(parameter: name, index: bad.index, value: Double(bad.value))
            }
            return [g]
        }
    }
}

/// A shared evaluation count for vector-field closures.
final class EvaluationCounter {
    var count = 0
}
