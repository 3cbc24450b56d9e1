import Autodiff
import Requirements
import Solvers

/// One continuous normalizing flow transformation (Chen et al. 2018, §4; FFJORD's `CNF`): integrates
/// dz/dt = f(t, z) between the data time and the base time and, alongside, ∫ div f dt — the change of
/// log-density of the instantaneous change of variables, ∂log p(z(t))/∂t = −tr(∂f/∂z). Differentiable in
/// every gradient mode (the adjoint differentiates a field that contains a derivative, a second-order
/// quantity); the end time can be trained (FFJORD's `train_T`).
///
///     let block = CNFBlock(field, dimensions: 2, dataTime: 10, baseTime: 0,
///                          method: .dormandPrince54, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
///
/// Use blocks through ``ContinuousNormalizingFlow``, which adds the base density.
public final class CNFBlock<Field: Dynamics>: TypedModule, CustomStringConvertible {
    /// The scalar type.
    public typealias Scalar = Field.Scalar
    /// The parameter scalar type.
    public typealias ParameterScalar = Field.Scalar
    /// The vector field f(t, z; θ) on `[batch, dimensions]`.
    public let field: Field
    /// D, the number of coordinates.
    public let dimensions: Int
    /// The time at the data end.
    public let dataTime: Double
    /// r with base time = data time ± r² (the sign of the initial interval), when the end time is trained;
    /// named `sqrt_end_time` as in FFJORD.
    public let endTimeRoot: Parameter<Scalar>?
    /// How tr(∂f/∂z) is computed (``TraceEstimator/closedForm`` needs a ``ClosedFormDivergence`` field).
    public var trace: TraceEstimator {
        didSet { Self.checkTrace(trace, of: field) }
    }
    /// RNODE's regularisers (none by default).
    public var regularization: DynamicsRegularization
    /// The method and its step-size control; its time is the flow's own s ∈ [0, 1] (see the note on tolerances).
    public var stepping: Stepping
    /// Which parts of the state control the step (torchdiffeq's norm for the (z, log-density) pair by
    /// default); RNODE's integrals never do.
    public var errorControl: FlowErrorControl = .stateAndLogDensity
    /// How gradients are computed.
    public var gradientMode: GradientMode
    /// The limit on trial steps of one solve.
    public var maximumSteps = 100_000
    /// The source of Hutchinson's probes (one draw per solve) and of STEER's end times.
    public var probeGenerator: SeededGenerator
    /// STEER's half-width b (Ghosh et al. 2020): on training passes (data → base with `regularized`, as
    /// ``ContinuousNormalizingFlow``'s `callAsFunction` makes them) the base time is drawn uniformly from
    /// (t_base − b, t_base + b); evaluation and sampling use t_base. 0 (the default) switches it off; it
    /// must be smaller than |t_base − t_data|, and applies to a fixed interval only (not with `trainsEndTime`).
    public var endTimeJitter: Double = 0 {
        didSet {
            require(endTimeJitter >= 0 && endTimeJitter < abs(fixedLength) && (endTimeJitter == 0 || endTimeRoot == nil),
                    "CNFBlock: endTimeJitter \(endTimeJitter) must be in [0, |t_base − t_data| = \(abs(fixedLength))) "
                        + "and 0 when the end time is trained")
        }
    }
    /// Evaluations and steps of the last pass (backward figures once its gradient has been computed).
    public var statistics: ODEStatistics { recorder.statistics }

    private var recorder = ODEStatisticsRecorder()
    private let fixedLength: Double
    private let sign: Double

    /// Creates a block.
    ///
    /// - Parameters:
    ///   - field: f(t, z; θ), mapping `[batch, dimensions]` to itself.
    ///   - dimensions: D.
    ///   - dataTime: the time at the data end (FFJORD: 0; torchdiffeq's `cnf.py`: 10).
    ///   - baseTime: the time at the base end (FFJORD: T = 0.5; `cnf.py`: 0); must differ from `dataTime`.
    ///   - trainsEndTime: whether the base time is a parameter (`sqrt_end_time`, FFJORD's `train_T`).
    ///   - trace: exact (default), Hutchinson's estimate, or the field's closed form (the field must then
    ///     conform to ``ClosedFormDivergence``).
    ///   - stepping: the solver; its tolerances apply to the state in the flow's own time.
    ///   - gradientMode: adjoint (default), direct or checkpointed.
    ///   - regularization: RNODE's terms (none by default).
    ///   - seed: the seed of Hutchinson's probes.
    public init(_ field: Field, dimensions: Int, dataTime: Double = 0, baseTime: Double = 1, trainsEndTime: Bool = false,
                trace: TraceEstimator = .exact, stepping: Stepping, gradientMode: GradientMode = .adjoint(),
                regularization: DynamicsRegularization = .none, seed: UInt64 = 0) {
        require(dimensions >= 1, "CNFBlock: dimensions must be at least 1, got \(dimensions)")
        require(dataTime.isFinite && baseTime.isFinite && dataTime != baseTime,
                "CNFBlock: the data time \(dataTime) and base time \(baseTime) must be finite and differ")
        self.field = field
        self.dimensions = dimensions
        self.dataTime = dataTime
        fixedLength = baseTime - dataTime
        sign = baseTime > dataTime ? 1 : -1
        endTimeRoot = trainsEndTime ? Parameter(Tensor(Scalar(abs(baseTime - dataTime).squareRoot()))) : nil
        Self.checkTrace(trace, of: field)
        self.trace = trace
        self.stepping = stepping
        self.gradientMode = gradientMode
        self.regularization = regularization
        probeGenerator = SeededGenerator(seed: seed)
    }

    /// Stops with a message when `trace` asks for a closed form the field does not provide.
    private static func checkTrace(_ trace: TraceEstimator, of field: Field) {
        require(trace != .closedForm || field is any ClosedFormDivergence<Scalar>,
                "CNFBlock: TraceEstimator.closedForm needs a field conforming to ClosedFormDivergence; \(Field.self) does not")
    }

    /// Creates a block with adaptive steps of `method` under torchdiffeq's controller.
    ///
    /// - Parameters:
    ///   - field: f(t, z; θ).
    ///   - dimensions: D.
    ///   - dataTime: the time at the data end.
    ///   - baseTime: the time at the base end.
    ///   - trainsEndTime: whether the base time is trained.
    ///   - trace: exact or Hutchinson's estimate.
    ///   - method: an embedded pair (Dormand–Prince 5(4) by default).
    ///   - relativeTolerance: rtol (FFJORD's and `cnf.py`'s 1e-5).
    ///   - absoluteTolerance: atol (1e-5).
    ///   - gradientMode: adjoint (default), direct or checkpointed.
    ///   - regularization: RNODE's terms.
    ///   - seed: the seed of Hutchinson's probes.
    public convenience init(_ field: Field, dimensions: Int, dataTime: Double = 0, baseTime: Double = 1,
                            trainsEndTime: Bool = false, trace: TraceEstimator = .exact,
                            method: some AdaptiveRungeKuttaMethod = .dormandPrince54, relativeTolerance: Double = 1e-5,
                            absoluteTolerance: Double = 1e-5, gradientMode: GradientMode = .adjoint(),
                            regularization: DynamicsRegularization = .none, seed: UInt64 = 0) {
        let controller = StepSizeController.torchdiffeq(relativeTolerance: relativeTolerance,
                                                        absoluteTolerance: absoluteTolerance)
        self.init(field, dimensions: dimensions, dataTime: dataTime, baseTime: baseTime, trainsEndTime: trainsEndTime,
                  trace: trace, stepping: .adaptive(method, controller: controller), gradientMode: gradientMode,
                  regularization: regularization, seed: seed)
    }

    /// The current base time (moves when the end time is trained).
    public var baseTime: Double {
        guard let endTimeRoot else { return dataTime + fixedLength }
        let r = Double(endTimeRoot.value.scalar)
        return dataTime + sign * r * r
    }

    /// The members whose parameters this block has: `field.…` and, when trained, `sqrt_end_time`.
    public var namedMembers: [(name: String, member: Any)] {
        var members: [(name: String, member: Any)] = [("field", field)]
        if let endTimeRoot { members.append(("sqrt_end_time", endTimeRoot)) }
        return members
    }

    /// Integrates from one end to the other: data → base when `toBase`, else base → data.
    ///
    /// - Parameters:
    ///   - points: `[batch, dimensions]` at the starting end.
    ///   - toBase: the direction.
    ///   - regularized: whether to integrate RNODE's terms (only meaningful for training passes).
    /// - Returns: the points at the other end, ∫_{t_data}^{t_base} div f dt per point `[batch]`, and the RNODE
    ///   integrals `[R, batch]` (kinetic energy first; nil when R = 0).
    /// - Throws: `SolverError` or ``ODENetError`` when the solve fails.
    public func transform(_ points: Tensor<Scalar>, toBase: Bool, regularized: Bool = true) throws
        -> (points: Tensor<Scalar>, divergenceIntegral: Tensor<Scalar>, regularizers: Tensor<Scalar>?) {
        require(points.rank == 2 && points.shape[1] == dimensions,
                "CNFBlock: points must be [batch, \(dimensions)], got shape \(points.shape)")
        let batch = points.shape[0]
        let terms = regularized ? regularization : .none
        let needsProbe: Bool
        if case .hutchinson = trace { needsProbe = true } else { needsProbe = terms.hasJacobianFrobenius }
        var noise: Tensor<Scalar>? = nil
        if needsProbe {
            let kind: HutchinsonNoise
            if case .hutchinson(let k) = trace { kind = k } else { kind = .gaussian }
            noise = kind.sample([batch, dimensions], as: Scalar.self, using: &probeGenerator)
        }
        var length = fixedLength
        if toBase && regularized && endTimeJitter > 0 {
            let u = Double(probeGenerator.next() >> 11) * 0x1p-53   // uniform in [0, 1)
            length += sign * endTimeJitter * (2 * u - 1)
        }
        let dynamics = FlowDynamics(field: field, trace: trace, regularization: terms, dataTime: dataTime,
                                    fixedLength: length, endTimeRoot: endTimeRoot, sign: sign,
                                    dimensions: dimensions, batch: batch, noise: noise)
        let n = batch * dimensions, r = terms.columnCount
        let initial = concatenated([points.reshaped([n]), Tensor<Scalar>.zeros([batch * (1 + r)])], axis: 0)
        recorder = ODEStatisticsRecorder()
        let path = try solve(dynamics, from: initial, at: toBase ? [0, 1] : [1, 0],
                             stepping: errorControl.applied(to: stepping, batch: batch, dimensions: dimensions),
                             gradient: gradientMode, maximumSteps: maximumSteps, statistics: recorder)
        let end = path.sliced(1..<2, axis: 0).reshaped([n + batch * (1 + r)])
        let accumulated = end.sliced(n..<(n + batch))
        // c accumulates ∫ div dt from s = start: data → base it is the integral; base → data its negative.
        let integral = toBase ? accumulated : -accumulated
        let regularizers = r > 0 ? end.sliced((n + batch)..<(n + batch * (1 + r))).reshaped([r, batch]) : nil
        return (end.sliced(0..<n).reshaped([batch, dimensions]), integral, regularizers)
    }

    /// `CNFBlock(D, t_data → t_base, trace, stepping, gradient)`.
    public var description: String {
        "CNFBlock(\(dimensions) dims, \(dataTime) → \(baseTime)\(endTimeRoot == nil ? "" : " (trained)"), trace: \(trace), "
            + "\(stepping), gradient: \(gradientMode))"
    }
}
