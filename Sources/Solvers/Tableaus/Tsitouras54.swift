extension ButcherTableau {
    /// Tsitouras 5(4) ("Tsit5"): order 5 propagated, order-4 error estimate, FSAL (6 evaluations per
    /// accepted step), coefficients optimised for a small principal error without the row-simplifying
    /// assumptions. Dense output: its free fourth-order interpolant (no extra evaluations).
    /// (Ch. Tsitouras, "Runge–Kutta pairs of order 5(4) satisfying only the first column simplifying
    /// assumption", Comput. Math. Appl. 62 (2011) 770–775. The coefficients are the published
    /// 16-digit values, so the order conditions hold to about 1e-15.)
    public static let tsitouras54: ButcherTableau = {
        let b: [Double] = [0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742,
                           -3.290069515436081, 2.324710524099774, 0]
        // b̂ − b as published; the error estimate's sign does not matter to the norm.
        let error: [Double] = [-0.00178001105222577714, -0.0008164344596567469, 0.007880878010261995,
                               -0.1447110071732629, 0.5823571654525552, -0.45808210592918697, 1.0 / 66]
        let dense: [[Double]] = [
            [1, -2.763706197274826, 2.9132554618219126, -1.0530884977290216],
            [0, 0.13169999999999998, -0.2234, 0.1017],
            [0, 3.9302962368947516, -5.941033872131505, 2.490627285651253],
            [0, -12.411077166933676, 30.33818863028232, -16.548102889244902],
            [0, 37.50931341651104, -88.1789048947664, 47.37952196281928],
            [0, -27.896526289197286, 65.09189467479366, -34.87065786149661],
            [0, 1.5, -4, 2.5],
        ]
        return ButcherTableau(
            name: "Tsitouras 5(4)",
            nodes: [0, 0.161, 0.327, 0.9, 0.9800255409045097, 1, 1],
            coefficients: [
                [],
                [0.161],
                [-0.008480655492356989, 0.335480655492357],
                [2.8971530571054935, -6.359448489975075, 4.3622954328695815],
                [5.325864828439257, -11.748883564062828, 7.4955393428898365, -0.09249506636175525],
                [5.86145544294642, -12.92096931784711, 8.159367898576159, -0.071584973281401,
                 -0.028269050394068383],
                Array(b[0..<6]),
            ],
            weights: b, order: 5,
            errorWeights: error, errorEstimateOrder: 4,
            continuousExtension: ContinuousExtension(order: 4, weightPolynomials: dense,
                                                     usesEndpointDerivative: false, firstExtraStage: 7))
    }()
}
