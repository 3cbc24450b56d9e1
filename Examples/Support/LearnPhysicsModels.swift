import Autodiff
import ODENet
import Solvers

/// The observations of torchdiffeq's `examples/learn_physics.py`: bouncing_ball.py's ball (dropped from 10,
/// gravity 9.8, radius 0.2, absorption 0.2) sampled from t = 0 and, in each flight from one collision t_a to the
/// next t_b, at the interior points of linspace(t_a, t_b, ⌊50·(t_b − t_a)⌋) and at t_b, over 4 bounces; the
/// first `count` of them (300 in learn_physics.py).
///
/// - Parameter count: How many observations to keep.
/// - Returns: The observation times and heights.
/// - Throws: What the solves throw.
public func learnPhysicsObservations(count: Int = 300) throws -> (times: [Double], heights: [Double]) {
    let truth = BouncingBallModel()
    let collisions = try withoutRecording(Double.self) { try truth.collisions(4).times.map(\.scalar) }
    var times = [0.0], previous = 0.0
    for collision in collisions {
        let points = Int((collision - previous) * 50)
        if points > 2 {
            times += (1..<(points - 1)).map { previous + (collision - previous) * Double($0) / Double(points - 1) }
        }
        times.append(collision)
        previous = collision
    }
    times = Array(times.prefix(count))
    // The height at each time, the collision times themselves being the contact height (the state reaching them).
    let path = try truth.trajectory(at: times, bounces: 5)
    return (times, path.heights)
}

/// learn_physics.py's `NeuralPhysics`: a ball with a learned constant acceleration tanh(Linear(1,1)(0))·scale
/// (scale from 10), a learned contact height ρ² (ρ from U(0, 1)) as the event function pos − ρ², and a learned
/// velocity map v ← −σ(Linear(1,1)(1))·v at each event; the initial position (10) and velocity (0) are
/// parameters too. The event parameters are the event function's own (torchdiffeq must put them in the state).
public final class EventPhysicsModel: Module {
    /// The initial height (10).
    public let initialPosition = Parameter(Tensor<Double>(10))
    /// The initial velocity (0).
    public let initialVelocity = Parameter(Tensor<Double>(0))
    /// Linear(1, 1) applied to 0: its bias sets the acceleration's direction and share of `scale`.
    public let acceleration: Linear<Double>
    /// The largest acceleration (10).
    public let scale = Parameter(Tensor<Double>(10))
    /// ρ: the contact height is ρ².
    public let radius: Parameter<Double>
    /// Linear(1, 1) applied to 1: the restitution is σ of it.
    public let velocityMap: Linear<Double>
    /// The tolerances of every solve (learn_physics.py: 1e-8).
    public var tolerance = 1e-8
    /// The most events one trajectory may have (learn_physics.py: 20).
    public var maximumEvents = 20

    /// A model with learn_physics.py's initialisation, drawn from `generator`.
    ///
    /// - Parameter generator: The source of the initial weights and ρ.
    public init(using generator: inout SeededGenerator) {
        acceleration = Linear(1, 1, using: &generator)
        radius = Parameter(Tensor.randomUniform([], lowerBound: 0, upperBound: 1, using: &generator))
        velocityMap = Linear(1, 1, using: &generator)
    }

    /// The parameters with learn_physics.py's names.
    public var namedMembers: [(name: String, member: Any)] {
        [("initial_pos", initialPosition), ("initial_vel", initialVelocity), ("dynamics_fn.dvel", acceleration),
         ("dynamics_fn.scale", scale), ("event_fn.radius", radius), ("inst_update.net", velocityMap)]
    }

    /// The learned gravity, −tanh(Linear(0))·scale.
    public var gravity: Double { -learnedAcceleration().scalar }
    /// The learned restitution, σ(Linear(1)).
    public var restitution: Double { withoutRecording(Double.self) { learnedRestitution().scalar } }
    /// The learned contact height, ρ².
    public var contactHeight: Double { radius.value.scalar * radius.value.scalar }

    func learnedAcceleration() -> Tensor<Double> {
        (tanh(acceleration(Tensor<Double>.zeros([1, 1]))) * scale.value).reshaped([1])
    }

    func learnedRestitution() -> Tensor<Double> { sigmoid(velocityMap(Tensor<Double>.ones([1, 1]))).reshaped([1]) }

    /// The height at `times` (increasing from 0) and the event times, differentiable with respect to every
    /// parameter.
    ///
    /// - Parameters:
    ///   - times: The observation times.
    ///   - gradient: The gradient mode of the solves between events.
    /// - Returns: The heights [times.count] and the event times that occurred.
    /// - Throws: What the solves throw (a tangential contact among them).
    public func trajectory(at times: [Double], gradient: GradientMode) throws -> (heights: Tensor<Double>, events: [Double]) {
        let dynamics = DynamicsFunction<Double>(members: ["acceleration": acceleration, "scale": scale]) { [self] _, z in
            concatenated([z.sliced(1..<2), learnedAcceleration()], axis: 0)
        }
        let contact = DifferentiableEvent<Double>(direction: .any, timeTolerance: 1e-12, jump: { [self] _, z in
            concatenated([z.sliced(0..<1), -learnedRestitution() * z.sliced(1..<2)], axis: 0)
        }) { [radius] _, z in z.sliced(0..<1).reshaped([]) - radius.value * radius.value }
        let start = concatenated([initialPosition.value.reshaped([1]), initialVelocity.value.reshaped([1])], axis: 0)
        let stepping = Stepping.adaptive(.dormandPrince54,
                                         controller: StepSizeController(relativeTolerance: tolerance, absoluteTolerance: tolerance))
        let solution = try solve(dynamics, from: start, startTime: Tensor(times[0]), until: contact,
                                 occurrences: maximumEvents, saveAt: times, maximumTime: times[times.count - 1],
                                 allowingFewerOccurrences: true, stepping: stepping, gradient: gradient)
        let count = solution.counts[0]
        return (solution.savedStates!.sliced(0..<1, axis: 1).reshaped([times.count]),
                solution.times.prefix(count).map(\.scalar))
    }
}

/// learn_physics.py's `--no_events` baseline: a Neural ODE on [position, 2 augmented dimensions] with a
/// 3-64-64-3 MLP of sine activations (weights uniform on ±2/√fan_in, biases 0), the initial position (10) and
/// augmented state (0) learned.
public final class AugmentedODEModel: Module {
    /// The initial height (10).
    public let initialPosition = Parameter(Tensor<Double>([10]))
    /// The initial augmented dimensions (0, 0).
    public let initialAugmentation = Parameter(Tensor<Double>.zeros([2]))
    /// The field.
    public let field: Sequential<Double>
    /// The tolerances of the solve (learn_physics.py: 1e-8).
    public var tolerance = 1e-8

    /// A model with learn_physics.py's initialisation, drawn from `generator`.
    ///
    /// - Parameter generator: The source of the initial weights.
    public init(using generator: inout SeededGenerator) {
        func layer(_ input: Int, _ output: Int) -> Linear<Double> {
            let bound = 2 / Double(input).squareRoot()
            return Linear(weight: Initialization.uniform([output, input], bound: bound, using: &generator),
                          bias: Tensor.zeros([output]))
        }
        let sine = { Lambda<Double>("Sine") { sin($0) } }
        field = Sequential(layer(3, 64), sine(), layer(64, 64), sine(), layer(64, 3))
    }

    /// The parameters with learn_physics.py's names.
    public var namedMembers: [(name: String, member: Any)] {
        [("initial_pos", initialPosition), ("initial_aug", initialAugmentation), ("odefunc", field)]
    }

    /// The height at `times` (increasing from 0).
    ///
    /// - Parameters:
    ///   - times: The observation times.
    ///   - gradient: The gradient mode.
    /// - Returns: The heights [times.count].
    /// - Throws: What the solve throws.
    public func trajectory(at times: [Double], gradient: GradientMode) throws -> Tensor<Double> {
        let dynamics = DynamicsFunction<Double>(members: ["field": field]) { [field] _, z in
            try field(z.reshaped([1, 3])).reshaped([3])
        }
        let start = concatenated([initialPosition.value, initialAugmentation.value], axis: 0)
        let stepping = Stepping.adaptive(.dormandPrince54,
                                         controller: StepSizeController(relativeTolerance: tolerance, absoluteTolerance: tolerance))
        let path = try solve(dynamics, from: start, at: times, stepping: stepping, gradient: gradient)
        return path.sliced(0..<1, axis: 1).reshaped([times.count])
    }
}
