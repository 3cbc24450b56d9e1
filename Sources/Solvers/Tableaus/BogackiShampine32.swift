extension ButcherTableau {
    /// Bogacki–Shampine 3(2): order 3 with an embedded order-2 estimate, FSAL, 3 evaluations per step.
    /// Dense output: the cubic Hermite interpolant (third order, free thanks to FSAL).
    /// (P. Bogacki & L. F. Shampine, "A 3(2) pair of Runge–Kutta formulas", Appl. Math. Lett. 2 (1989) 321–325.)
    public static let bogackiShampine32: ButcherTableau = {
        let b: [Double] = [2.0 / 9, 1.0 / 3, 4.0 / 9, 0]
        let bHat: [Double] = [7.0 / 24, 1.0 / 4, 1.0 / 3, 1.0 / 8]
        return ButcherTableau(
            name: "Bogacki–Shampine 3(2)",
            nodes: [0, 1.0 / 2, 3.0 / 4, 1],
            coefficients: [[], [1.0 / 2], [0, 3.0 / 4], [2.0 / 9, 1.0 / 3, 4.0 / 9]],
            weights: b, order: 3,
            errorWeights: zip(b, bHat).map { $0 - $1 }, errorEstimateOrder: 2,
            continuousExtension: .hermite(weights: b, isFirstSameAsLast: true))
    }()
}
