/// An event: a zero crossing of g(t, y) along the solution, located on the dense output, and what happens
/// there — stop the solve, record the crossing and go on, or change the state (a jump) and go on.
///
/// After each accepted step g is evaluated at `interiorPoints` equally spaced points of the step's dense
/// output and at its end, so that two crossings inside one step are not missed (SciML's `interp_points`). The
/// earliest sign change (in the chosen direction) of all the solve's events is located by the Illinois
/// variant of regula falsi on the continuous extension until the bracket is shorter than `timeTolerance`
/// (Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.6 "Event location"; Dowell & Jarratt, BIT 11 (1971)
/// 168–174 for the Illinois method). The reported time is the bracket's far end: g there has the sign after
/// the crossing (or is zero), so a solve that goes on never detects the same crossing again. The root is the
/// interpolant's: its error is that of the dense output, not of the step's end.
///
/// A zero of g is no sign: where g is exactly zero at the start of the solve, or at the restart point after
/// this event's own jump, the next non-zero value sets the sign from which crossings count.
public struct ODEEvent<State: ODEState> {
    /// Which sign changes count.
    public enum Direction: Sendable { case any, rising, falling }

    /// What the solve does at a crossing.
    public enum Action {
        /// Stop the solve there (a terminal event).
        case stop
        /// Record the crossing (time, state, which event) and go on.
        case record
        /// Record the crossing, replace the state by `map(t*, y⁻)` and go on from there: a fresh first stage
        /// (the step's last derivative belongs to the old state) and a fresh step-size estimate.
        case jump(_ map: (_ time: Double, _ state: State) throws -> State)
    }

    /// g(t, y).
    public var function: (_ time: Double, _ state: State) throws -> Double
    /// Which crossings count.
    public var direction: Direction
    /// The reported time is within this distance of the crossing of g along the dense output.
    public var timeTolerance: Double
    /// What happens at a crossing.
    public var action: Action
    /// Points inside each step, besides its end, where g is sampled (10, SciML's default); 0 checks the ends only.
    public var interiorPoints: Int

    /// An event; by default terminal (`.stop`), with a time tolerance of 1e-10 and 10 interior points per step.
    ///
    /// - Parameters:
    ///   - direction: Which sign changes count.
    ///   - timeTolerance: The reported time is within this distance of the crossing.
    ///   - action: What happens at a crossing (stop by default).
    ///   - interiorPoints: Points inside each step where g is sampled besides the step's end.
    ///   - function: g(t, y).
    public init(direction: Direction = .any, timeTolerance: Double = 1e-10, action: Action = .stop,
                interiorPoints: Int = 10, _ function: @escaping (_ time: Double, _ state: State) throws -> Double) {
        self.function = function
        self.direction = direction
        self.timeTolerance = timeTolerance
        self.action = action
        self.interiorPoints = interiorPoints
    }

    /// Whether this event ends the solve.
    @inlinable public var isTerminal: Bool {
        if case .stop = action { return true }
        return false
    }

    /// Whether g going from `g0` to `g1` is a crossing this event reports (g0 = 0 is no sign: never a crossing).
    @inlinable
    func isCrossing(from g0: Double, to g1: Double) -> Bool {
        guard g0 != 0 else { return false }
        let rising = g0 < 0 && g1 >= 0
        let falling = g0 > 0 && g1 <= 0
        switch direction {
        case .any: return rising || falling
        case .rising: return rising
        case .falling: return falling
        }
    }

    /// Checks the settings a solve relies on.
    @usableFromInline
    func validate(index: Int) throws {
        guard timeTolerance.isFinite && timeTolerance > 0 else {
            throw SolverError.invalidEventSetting(event: index, name: "timeTolerance", value: timeTolerance)
        }
        guard interiorPoints >= 0 && interiorPoints <= 1000 else {
            throw SolverError.invalidEventSetting(event: index, name: "interiorPoints", value: Double(interiorPoints))
        }
    }
}

extension Integrator {
    /// Locates the crossing of `event` between `start` (where g = `g0`) and `end` (g = `g1`) inside the last
    /// step: the far end of a bracket shorter than the event's time tolerance.
    @inlinable
    mutating func locate(_ event: ODEEvent<State>, from start: Double, g0: Double, to end: Double, g1: Double)
        throws -> Double {
        var a = start, ga = g0
        var b = end, gb = g1
        var side = 0
        var iterations = 0
        while abs(b - a) > event.timeTolerance && iterations < 200 {
            iterations += 1
            var t = (a * gb - b * ga) / (gb - ga)
            if !(t.isFinite) || (t - a) * (t - b) >= 0 { t = 0.5 * (a + b) }
            let g = try event.function(t, try state(at: t))
            if g == 0 { a = t; b = t; break }
            if (g > 0) == (gb > 0) {
                b = t; gb = g
                if side == -1 { ga *= 0.5 }
                side = -1
            } else {
                a = t; ga = g
                if side == 1 { gb *= 0.5 }
                side = 1
            }
            if iterations > 40 && iterations % 3 == 0 {   // guarantee progress: bisect now and then
                let m = 0.5 * (a + b)
                let gm = try event.function(m, try state(at: m))
                if (gm > 0) == (gb > 0) { b = m; gb = gm } else { a = m; ga = gm }
            }
        }
        return b
    }
}
