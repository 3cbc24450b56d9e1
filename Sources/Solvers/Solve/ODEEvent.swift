/// A terminal event: the solve stops where `function(t, y)` crosses zero, located on the dense output.
///
/// After each accepted step the function is evaluated at the step's end; a sign change (in the chosen
/// direction) is located by the Illinois variant of regula falsi on the continuous extension until the
/// bracket is shorter than `timeTolerance` (Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.6 "Event
/// location"; Dowell & Jarratt, BIT 11 (1971) 168–174 for the Illinois method). A zero at the initial
/// time does not count.
public struct ODEEvent<State: ODEState> {
    /// Which sign changes count.
    public enum Direction: Sendable { case any, rising, falling }
    /// g(t, y).
    public var function: (_ time: Double, _ state: State) throws -> Double
    /// Which crossings stop the solve.
    public var direction: Direction
    /// The reported time is within this distance of the crossing of g along the dense output.
    public var timeTolerance: Double

    /// An event; `timeTolerance` defaults to 1e-10.
    ///
    /// - Parameters:
    ///   - direction: Which sign changes stop the solve.
    ///   - timeTolerance: The reported time is within this distance of the crossing.
    ///   - function: g(t, y); the solve stops where it crosses zero.
    public init(direction: Direction = .any, timeTolerance: Double = 1e-10,
                _ function: @escaping (_ time: Double, _ state: State) throws -> Double) {
        self.function = function
        self.direction = direction
        self.timeTolerance = timeTolerance
    }

    /// Whether g going from `g0` to `g1` is a crossing this event reports.
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
}

extension Integrator {
    /// Locates the crossing of `event` inside the last step, given g at both ends.
    @inlinable
    mutating func locate(_ event: ODEEvent<State>, g0: Double, g1: Double, until end: Double)
        throws -> EventOccurrence<State> {
        var a = previousTime, ga = g0
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
        let t = b
        return EventOccurrence(time: t, state: try state(at: t))
    }
}
