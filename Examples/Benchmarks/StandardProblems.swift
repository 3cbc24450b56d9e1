import Foundation
import Solvers

/// Seven standard non-stiff problems (Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.10 and DETEST, Hull et
/// al. 1972), each with a reference end state computed at tight tolerance by two methods that must agree.
struct StandardProblem {
    var name: String
    var problem: ODEProblem<[Double]>

    /// The problems (built on each use: `ODEProblem` holds a closure and is not `Sendable`).
    static var all: [StandardProblem] {
        [
            // y′ = A y, A the 10 × 10 tridiagonal [1, −2, 1] scaled by 0.5, plus a skew part: a linear system.
            StandardProblem(name: "linear10", problem: ODEProblem(
                timeSpan: TimeSpan(start: 0, end: 5), initialState: (0..<10).map { Double($0 + 1) / 10 }) { _, y, dy in
                    for i in 0..<10 {
                        let left = i > 0 ? y[i - 1] : 0, right = i < 9 ? y[i + 1] : 0
                        dy[i] = 0.5 * (left - 2 * y[i] + right) + 0.3 * (right - left)
                    }
                }),
            // Van der Pol, μ = 1 (non-stiff).
            StandardProblem(name: "vanderpol", problem: ODEProblem(
                timeSpan: TimeSpan(start: 0, end: 20), initialState: [2, 0]) { _, y, dy in
                    dy[0] = y[1]
                    dy[1] = (1 - y[0] * y[0]) * y[1] - y[0]
                }),
            // Lotka–Volterra, α = 1.5, β = 1, γ = 3, δ = 1.
            StandardProblem(name: "lotkavolterra", problem: ODEProblem(
                timeSpan: TimeSpan(start: 0, end: 15), initialState: [1, 1]) { _, y, dy in
                    dy[0] = 1.5 * y[0] - y[0] * y[1]
                    dy[1] = -3 * y[1] + y[0] * y[1]
                }),
            // The Arenstorf orbit over one period (HNW §II.0, eq. 0.1).
            StandardProblem(name: "arenstorf", problem: ODEProblem(
                timeSpan: TimeSpan(start: 0, end: 17.0652165601579625588917206249),
                initialState: [0.994, 0, 0, -2.00158510637908252240537862224]) { _, y, dy in
                    let mu = 0.012277471, mu1 = 1 - mu
                    let d1 = pow((y[0] + mu) * (y[0] + mu) + y[1] * y[1], 1.5)
                    let d2 = pow((y[0] - mu1) * (y[0] - mu1) + y[1] * y[1], 1.5)
                    dy[0] = y[2]
                    dy[1] = y[3]
                    dy[2] = y[0] + 2 * y[3] - mu1 * (y[0] + mu) / d1 - mu * (y[0] - mu1) / d2
                    dy[3] = y[1] - 2 * y[2] - mu1 * y[1] / d1 - mu * y[1] / d2
                }),
            // Kepler's problem, eccentricity 0.6 (DETEST D4), about three orbits.
            StandardProblem(name: "kepler", problem: ODEProblem(
                timeSpan: TimeSpan(start: 0, end: 20), initialState: [0.4, 0, 0, 2]) { _, y, dy in
                    let r3 = pow(y[0] * y[0] + y[1] * y[1], 1.5)
                    dy[0] = y[2]
                    dy[1] = y[3]
                    dy[2] = -y[0] / r3
                    dy[3] = -y[1] / r3
                }),
            // The cubic spiral of torchdiffeq's ode_demo (W1's field).
            StandardProblem(name: "spiral", problem: W1.problem),
            // A time-dependent scalar problem: y′ = y cos t, y = exp(sin t).
            StandardProblem(name: "scalar", problem: ODEProblem(
                timeSpan: TimeSpan(start: 0, end: 10), initialState: [1]) { t, y, dy in
                    dy[0] = y[0] * Foundation.cos(t)
                }),
        ]
    }

    /// The end state by DOP853 at rtol = atol = 1e-14, checked against Tsit5 at the same tolerance (which
    /// reaches about 1e-9 on the orbits): agreement to 1e-8 (relative to max(1, |y|)) catches a wrong
    /// reference, DOP853's own error is far below the errors measured against it.
    func reference() throws -> [Double] {
        var tight = StepSizeController(relativeTolerance: 1e-14, absoluteTolerance: 1e-14)
        tight.maximumFactor = 5
        let a = try solve(problem, using: .dormandPrince853, controller: tight, saveAt: .end).finalState
        let b = try solve(problem, using: .tsitouras54, controller: tight, saveAt: .end).finalState
        for (x, y) in zip(a, b) where abs(x - y) > 1e-8 * max(1, abs(x)) {
            throw BenchmarkFailure(message: "\(name): the two references differ, \(a) against \(b)")
        }
        return a
    }
}
