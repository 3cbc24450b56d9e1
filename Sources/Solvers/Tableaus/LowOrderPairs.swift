// Low-order methods that torchdiffeq offers: Heun's third-order method (fixed steps, `heun3`), and the
// embedded pairs Heun–Euler 2(1) (`adaptive_heun`) and Fehlberg 2(1) (`fehlberg2`). Their dense output is the
// cubic Hermite interpolant.

extension ButcherTableau {
    /// Heun's third-order method (torchdiffeq's `heun3`): c = (0, 1/3, 2/3), b = (1/4, 0, 3/4).
    /// (K. Heun, "Neue Methode zur approximativen Integration der Differentialgleichungen einer unabhängigen
    /// Veränderlichen", Z. Math. Phys. 45 (1900) 23–38; Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.1,
    /// Table 1.1.)
    public static let heun3 = fixedStep(
        name: "Heun 3", nodes: [0, 1.0 / 3, 2.0 / 3], coefficients: [[], [1.0 / 3], [0, 2.0 / 3]],
        weights: [1.0 / 4, 0, 3.0 / 4], order: 3)

    /// Heun–Euler 2(1) (torchdiffeq's `adaptive_heun`): Heun's method propagated, the difference from the
    /// Euler step its error estimate. Dense output: the cubic Hermite interpolant, which needs f(t₁, y₁) (one
    /// more evaluation on steps that produce output).
    public static let heunEuler21: ButcherTableau = {
        let b: [Double] = [1.0 / 2, 1.0 / 2]
        return ButcherTableau(
            name: "Heun–Euler 2(1)", nodes: [0, 1], coefficients: [[], [1]], weights: b, order: 2,
            errorWeights: [b[0] - 1, b[1] - 0], errorEstimateOrder: 1,
            continuousExtension: .hermite(weights: b, isFirstSameAsLast: false))
    }()

    /// Fehlberg 2(1) (torchdiffeq's `fehlberg2`): Fehlberg's RK1(2) pair with the second-order solution
    /// propagated, b = (1/512, 255/256, 1/512), b̂ = (1/256, 255/256, 0). (E. Fehlberg, "Low-order classical
    /// Runge–Kutta formulas with stepsize control and their application to some heat transfer problems",
    /// NASA TR R-315, 1969, Table III.)
    public static let fehlberg21: ButcherTableau = {
        let b: [Double] = [1.0 / 512, 255.0 / 256, 1.0 / 512]
        let bHat: [Double] = [1.0 / 256, 255.0 / 256, 0]
        return ButcherTableau(
            name: "Fehlberg 2(1)", nodes: [0, 1.0 / 2, 1], coefficients: [[], [1.0 / 2], [1.0 / 256, 255.0 / 256]],
            weights: b, order: 2, errorWeights: zip(b, bHat).map { $0 - $1 }, errorEstimateOrder: 1,
            continuousExtension: .hermite(weights: b, isFirstSameAsLast: false))
    }()
}
