// Fixed-step explicit Runge–Kutta methods. Their dense output is the cubic Hermite interpolant.

extension ButcherTableau {
    /// Builds a fixed-step tableau whose dense output is the cubic Hermite interpolant.
    static func fixedStep(name: String, nodes: [Double], coefficients: [[Double]], weights: [Double],
                          order: Int) -> ButcherTableau {
        let s = nodes.count
        let fsal = s > 1 && nodes[s - 1] == 1 && weights[s - 1] == 0 && coefficients[s - 1] == Array(weights[0..<(s - 1)])
        return ButcherTableau(name: name, nodes: nodes, coefficients: coefficients, weights: weights, order: order,
                              continuousExtension: .hermite(weights: weights, isFirstSameAsLast: fsal))
    }

    /// The explicit (forward) Euler method, order 1. (Euler, *Institutionum calculi integralis*, 1768.)
    public static let euler = fixedStep(name: "Euler", nodes: [0], coefficients: [[]], weights: [1], order: 1)

    /// The explicit midpoint method, order 2 (Runge 1895). (Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.1.)
    public static let midpoint = fixedStep(
        name: "Midpoint", nodes: [0, 1.0 / 2], coefficients: [[], [1.0 / 2]], weights: [0, 1], order: 2)

    /// Heun's method (explicit trapezoidal rule), order 2. (Heun 1900; HNW *Solving ODEs I*, §II.1.)
    public static let heun = fixedStep(
        name: "Heun", nodes: [0, 1], coefficients: [[], [1]], weights: [1.0 / 2, 1.0 / 2], order: 2)

    /// The classic fourth-order Runge–Kutta method. (Kutta 1901; HNW *Solving ODEs I*, §II.1, Table 1.2.)
    public static let rk4 = fixedStep(
        name: "Classic RK4", nodes: [0, 1.0 / 2, 1.0 / 2, 1],
        coefficients: [[], [1.0 / 2], [0, 1.0 / 2], [0, 0, 1]],
        weights: [1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6], order: 4)

    /// Kutta's 3/8-rule, order 4: a slightly smaller error constant than classic RK4 at the same cost.
    /// This is torchdiffeq's `rk4`. (Kutta 1901; HNW *Solving ODEs I*, §II.1, Table 1.2.)
    public static let rk38 = fixedStep(
        name: "3/8-rule RK4", nodes: [0, 1.0 / 3, 2.0 / 3, 1],
        coefficients: [[], [1.0 / 3], [-1.0 / 3, 1], [1, -1, 1]],
        weights: [1.0 / 8, 3.0 / 8, 3.0 / 8, 1.0 / 8], order: 4)
}
