import Autodiff
import ODENet
import Solvers

/// torchdiffeq's `examples/bouncing_ball.py` as a model: a ball of radius r = exp(log_radius) dropped from
/// `initial_position` with `initial_velocity` under `gravity`, bouncing with the velocity map v ← −(1 −
/// absorption)·v at each contact (position = r), all five quantities parameters. Unlike torchdiffeq's, the
/// radius is a parameter of the event function (not smuggled into the state), and the jump needs no `pos +
/// 1e-7` (a zero of the event function at a restart does not fire it again). Shared by the `bouncing-ball`
/// example and the `events.bouncing_ball` benchmarks.
public final class BouncingBallModel: Module {
    /// g, 9.8.
    public let gravity = Parameter(Tensor<Double>(9.8))
    /// log r, log 0.2.
    public let logRadius = Parameter(Tensor<Double>(log(0.2) as Double))
    /// The initial height, 10.
    public let initialPosition = Parameter(Tensor<Double>(10))
    /// The initial velocity, 0.
    public let initialVelocity = Parameter(Tensor<Double>(0))
    /// The share of the speed lost at each bounce, 0.2.
    public let absorption = Parameter(Tensor<Double>(0.2))
    /// The tolerances of every solve (bouncing_ball.py: 1e-8).
    public var tolerance = 1e-8

    /// The model at bouncing_ball.py's values.
    public init() {}

    /// The parameters with torchdiffeq's names.
    public var namedMembers: [(name: String, member: Any)] {
        [("gravity", gravity), ("log_radius", logRadius), ("init_pos", initialPosition), ("init_vel", initialVelocity),
         ("absorption", absorption)]
    }

    /// The collision times of the first `bounces` bounces and the states after each (differentiable with respect
    /// to every parameter).
    ///
    /// - Parameters:
    ///   - bounces: How many collisions.
    ///   - gradient: The gradient mode of the solves between collisions.
    /// - Returns: The event solution.
    /// - Throws: What the solves throw.
    public func collisions(_ bounces: Int, gradient: GradientMode = .direct) throws -> EventSolution<Double> {
        let gravity = self.gravity, logRadius = self.logRadius, absorption = self.absorption
        let fall = DynamicsFunction<Double>(members: ["gravity": gravity]) { _, z in
            concatenated([z.sliced(1..<2), -gravity.value.reshaped([1])], axis: 0)
        }
        let contact = DifferentiableEvent<Double>(direction: .falling, timeTolerance: 1e-12, jump: { _, z in
            concatenated([z.sliced(0..<1), (absorption.value - 1).reshaped([1]) * z.sliced(1..<2)], axis: 0)
        }) { _, z in z.sliced(0..<1).reshaped([]) - exp(logRadius.value) }
        let start = concatenated([initialPosition.value.reshaped([1]), initialVelocity.value.reshaped([1])], axis: 0)
        let stepping = Stepping.adaptive(.dormandPrince54,
                                         controller: StepSizeController(relativeTolerance: tolerance, absoluteTolerance: tolerance))
        return try solve(fall, from: start, startTime: Tensor(0), until: contact, occurrences: bounces,
                         stepping: stepping, gradient: gradient)
    }

    /// The ball's height at `times` over `bounces` bounces (plain arrays, for pictures).
    ///
    /// - Parameters:
    ///   - times: Increasing times from 0.
    ///   - bounces: Stop after this many collisions.
    /// - Returns: The height at each time up to the last collision, and the collision times.
    /// - Throws: What the solve throws.
    public func trajectory(at times: [Double], bounces: Int) throws -> (times: [Double], heights: [Double], collisions: [Double]) {
        let g = gravity.value.scalar, r = exp(logRadius.value.scalar), keep = 1 - absorption.value.scalar
        let problem = ODEProblem(timeSpan: TimeSpan(start: 0, end: .infinity),
                                 initialState: [initialPosition.value.scalar, initialVelocity.value.scalar]) { _, y, dy in
            dy[0] = y[1]
            dy[1] = -g
        }
        let contact = ODEEvent<[Double]>(direction: .falling, timeTolerance: 1e-12,
                                         action: .jump { _, y in [y[0], -keep * y[1]] }) { _, y in y[0] - r }
        let solution = try solve(problem, using: .dormandPrince54,
                                 controller: StepSizeController(relativeTolerance: tolerance, absoluteTolerance: tolerance),
                                 saveAt: .times(times), events: [contact], maximumEvents: bounces)
        return (solution.times, solution.states.map { $0[0] }, solution.events.map(\.time))
    }
}
