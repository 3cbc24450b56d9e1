extension ButcherTableau {
    /// Verner's "most efficient" 6(5) pair (SciML's `Vern6`): order 6 with 9 stages, the 9th being
    /// f(t₁, y₁) (first same as last), and an embedded fifth-order estimate. Dense output: Verner's
    /// sixth-order interpolant over the 9 stages and 3 extra stages, evaluated only for steps whose
    /// interior is asked for.
    /// (J. H. Verner, "Numerically optimal Runge–Kutta pairs with interpolants", Numer. Algorithms 53 (2010)
    /// 383–396, the coefficient sets that SciML uses as `Vern6`.
    /// The numbers here are the exact rationals of SciML OrdinaryDiffEq.jl's
    /// `Vern6Tableau`, `Vern6ExtraStages` and `Vern6InterpolationCoefficients` (the `where {T}` methods of
    /// lib/OrdinaryDiffEqVerner/src/verner_tableaus.jl, commit b211787), each rounded to the nearest Double.)
    public static let verner65: ButcherTableau = {
        let c = Verner65Data.self
        return ButcherTableau(
            name: "Verner 6(5)", nodes: c.nodes, coefficients: c.rows, weights: c.weights, order: 6,
            errorWeights: c.errorWeights, errorEstimateOrder: 5,
            continuousExtension: ContinuousExtension(
                order: 6, weightPolynomials: c.polynomials, usesEndpointDerivative: true,
                firstExtraStage: 9, extraNodes: c.extraNodes, extraCoefficients: c.extraRows))
    }()
}

/// The Verner 6(5) coefficients (the exact rationals or 40-digit decimals of the source, rounded to the nearest Double).
/// `errorWeights` are e = b − b̂; `polynomials` hold, per dense stage (the stages, f(t₁, y₁) and the extra stages),
/// the coefficients of θ¹, θ², … of its weight w_i(θ).
private enum Verner65Data {
    static let nodes: [Double] = [
        0, 0.06, 0.09593333333333333, 0.1439, 0.4973, 0.9725, 0.9995, 1.0, 1.0,
    ]
    static let rows: [[Double]] = [
        [],
        [0.06],
        [0.019239962962962962, 0.07669337037037037],
        [0.035975, 0, 0.107925],
        [1.3186834152331484, 0, -5.042058063628562, 4.220674648395414],
        [-41.872591664327516, 0, 159.4325621631375, -122.11921356501003, 5.531743066200054],
        [-54.430156935316504, 0, 207.06725136501848, -158.61081378459, 6.991816585950242,
         -0.018597231062203234],
        [-54.66374178728198, 0, 207.95280625538936, -159.2889574744995, 7.018743740796944,
         -0.018338785905045722, -0.0005119484997882099],
        [0.03438957868357036, 0, 0, 0.2582624555633503, 0.4209371189673537, 4.40539646966931,
         -176.48311902429865, 172.36413340141507],
    ]
    static let weights: [Double] = [
        0.03438957868357036, 0, 0, 0.2582624555633503, 0.4209371189673537, 4.40539646966931,
        -176.48311902429865, 172.36413340141507, 0,
    ]
    static let errorWeights: [Double] = [
        -0.008623404282200852, 0, 0, 0.019434029953152708, -0.028450072588037983, 2.109711061065291,
        -103.45854289996399, 101.39980461914911, -0.03333333333333333,
    ]
    static let extraNodes: [Double] = [
        0.5, 0.828, 0.28,
    ]
    static let extraRows: [[Double]] = [
        [0.016524159013572806, 0, 0, 0.3053128187514179, 0.2071200938201979, -1.293879140655123,
         57.11988411588149, -55.87979207510932, 0.024830028297766014],
        [0.038150081818627744, 0, 0, 0.2502358252513705, 0.3249441447817608, 1.8224606658327962,
         -67.7137233269262, 66.03587911808127, -0.0363881087495127, 0.106441599909888],
        [0.11178168039666012, 0, 0, 0.025757505109345213, 3.785140856363646, 92.34088993695727,
         -3819.461508432344, 3732.492711530704, -1.0756940209963033, -3.231539970732086, -4.7075390854586345],
    ]
    static let polynomials: [[Double]] = [
        [1.0, -7.778593856495575, 27.0524385722671, -45.780190114576975, 36.72377741043638,
         -11.183042432947357],
        [0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0],
        [0, 16.632102138279762, -86.25583404770623, 171.7330546182696, -149.67744091315947, 47.826380659879696],
        [0, 27.10835046149758, -140.58676162962996, 279.9044757968917, -243.95644583707966, 77.95131832728772],
        [0, 283.70753264670356, -1471.3371557366656, 2929.3928569314394, -2553.17199842168, 815.8141610498723],
        [0, -11365.512865164834, 58942.74718938947, -117353.43045697975, 102281.77209230464,
         -32682.059078573824],
        [0, 11100.250191051131, -57567.067013355576, 114614.48808378985, -99894.591091309, 31919.283963225014],
        [0, -3.0022825150732126, 14.946122435958785, -27.826954732510288, 21.824672217437076,
         -5.941557405812358],
        [0, -19.610347376201034, 93.13370014508226, -165.3493635542416, 129.73901617804057, -37.91300539268019],
        [0, -18.23029074639409, 96.74593449012313, -199.08634973839895, 180.85605899200485,
         -60.285352997334954],
        [0, -13.563796638614157, 90.62137973668116, -204.04515601697273, 190.48135937835858,
         -63.493786459452856],
    ]
}
