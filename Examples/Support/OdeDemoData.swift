import Autodiff
import ODENet
import Solvers

/// The ode_demo spiral: dy/dt = (y³)·A with A = [[-0.1, 2], [-2, -0.1]] (y a row vector), y(0) = [2, 0],
/// observed at 1000 evenly spaced times on [0, 25]. The trajectory is kept in Float, as ode_demo's.
public struct SpiralData {
    /// The observation times (Float values, held as Double for the solver).
    public let times: [Double]
    /// The true states, row-major [times.count, 2].
    public let states: [Float]

    /// Number of observation times.
    public var count: Int { times.count }

    /// The initial state as a [1, 2] tensor (ode_demo's `true_y0`).
    public var initialState: Tensor<Float> { Tensor(shape: [1, 2], scalars: Array(states[0..<2])) }

    /// The whole trajectory as [count, 1, 2], the shape of a solve from `initialState`.
    public var trajectory: Tensor<Float> { Tensor(shape: [count, 1, 2], scalars: states) }

    /// x and y of the trajectory as Double, for plots.
    public var xs: [Double] { stride(from: 0, to: states.count, by: 2).map { Double(states[$0]) } }
    /// y of the trajectory as Double.
    public var ys: [Double] { stride(from: 1, to: states.count, by: 2).map { Double(states[$0]) } }

    /// The true vector field dy/dt = (y³)·A.
    public static func trueField(_ x: Double, _ y: Double) -> (Double, Double) {
        let a = x * x * x, b = y * y * y
        return (-0.1 * a - 2 * b, 2 * a - 0.1 * b)
    }

    /// Solves the true dynamics in Double with Dormand–Prince (ode_demo: dopri5, rtol 1e-7, atol 1e-9)
    /// and rounds the states to Float. Times are `Float(25·i/(n−1))`, like a float32 `linspace`.
    public static func generate(count: Int = 1000, end: Double = 25, relativeTolerance: Double = 1e-7,
                         absoluteTolerance: Double = 1e-9) throws -> SpiralData {
        let times = (0..<count).map { Double(Float(end * Double($0) / Double(count - 1))) }
        let problem = ODEProblem<[Double]>(timeSpan: TimeSpan(start: times[0], end: times[count - 1]),
                                           initialState: [2, 0]) { _, y, dy in
            let (u, v) = trueField(y[0], y[1])
            dy[0] = u
            dy[1] = v
        }
        var controller = StepSizeController(relativeTolerance: .scalar(relativeTolerance),
                                            absoluteTolerance: .scalar(absoluteTolerance))
        controller.acceptedStepsNeverShrink = true  // as torchdiffeq's dopri5, which made the peers' data
        let solution = try solve(problem, using: EmbeddedRungeKutta.dormandPrince54, controller: controller,
                                 saveAt: .times(times))
        return SpiralData(times: times, states: solution.states.flatMap { $0.map { Float($0) } })
    }

    /// Reads `{"t": [...], "true_y": [[x, y], ...]}` (../shared/peers/data/spiral_data.json).
    public static func load(_ path: String) throws -> SpiralData {
        let json = try JSONValue(contentsOf: path)
        guard let times = json["t"]?.doubles, let (values, shape) = json["true_y"]?.flattenedNumbers,
              shape.count == 2, shape[1] == 2, shape[0] == times.count, times.count >= 2 else {
            throw ExampleError("\(path): expected {\"t\": [n numbers], \"true_y\": [n × [x, y]]}")
        }
        return SpiralData(times: times, states: values.map { Float($0) })
    }

    /// A training batch as ode_demo's `get_batch`: the states at `starts` ([m, 2]) and the true
    /// trajectory pieces from them over `length` times ([length, m, 2]).
    public func batch(starts: [Int], length: Int) -> (initial: Tensor<Float>, target: Tensor<Float>) {
        var initial = [Float](), target = [Float]()
        initial.reserveCapacity(2 * starts.count)
        target.reserveCapacity(2 * starts.count * length)
        for s in starts { initial += states[2 * s ..< 2 * s + 2] }
        for i in 0..<length {
            for s in starts { target += states[2 * (s + i) ..< 2 * (s + i) + 2] }
        }
        return (Tensor(shape: [starts.count, 2], scalars: initial),
                Tensor(shape: [length, starts.count, 2], scalars: target))
    }
}
