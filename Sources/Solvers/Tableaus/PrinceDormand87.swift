extension ButcherTableau {
    /// Prince & Dormand's RK8(7)13M (c₂ = 1/18; torchdiffeq's `dopri8`, diffrax's `Dopri8`): order 8 with
    /// 13 stages and an embedded seventh-order estimate. Dense output: the interpolant torchdiffeq and diffrax
    /// carry (degree 6 in θ over the 13 stages and f(t₁, y₁), no extra stages; credited by diffrax to
    /// Bogacki & Shampine 1990), which is of order 5: it satisfies every order condition up to order 5 at
    /// interior θ, and fails at order 6 (checked in `ButcherTableauTests`).
    /// (P. J. Prince & J. R. Dormand, "High order embedded Runge–Kutta formulae", J. Comput. Appl. Math. 7
    /// (1981) 67–75, whose rational coefficients satisfy the order conditions to about 1e-17; the numbers
    /// here are those rationals as listed in torchdiffeq's torchdiffeq/_impl/dopri8.py (A, B, C_sol, C_err,
    /// commit 657943a), each rounded to the nearest Double, and its C_mid polynomial coefficients
    /// (20 significant digits; the same numbers are diffrax's `_Dopri8Interpolation.eval_coeffs`). Beware:
    /// `RungeKuttaMethod.dormandPrince853` is a different method.)
    public static let princeDormand87: ButcherTableau = {
        let c = PrinceDormand87Data.self
        return ButcherTableau(
            name: "Prince–Dormand 8(7)", nodes: c.nodes, coefficients: c.rows, weights: c.weights, order: 8,
            errorWeights: c.errorWeights, errorEstimateOrder: 7,
            continuousExtension: ContinuousExtension(
                order: 5, weightPolynomials: c.polynomials, usesEndpointDerivative: true,
                firstExtraStage: 14))
    }()
}

/// The Prince–Dormand 8(7) coefficients (the rationals rounded to the nearest Double; C_mid to 20 digits).
/// `errorWeights` are e = b − b̂; `polynomials` hold, per dense stage (the stages, then f(t₁, y₁)),
/// the coefficients of θ¹, θ², … of its weight w_i(θ).
private enum PrinceDormand87Data {
    static let nodes: [Double] = [
        0, 0.05555555555555555, 0.08333333333333333, 0.125, 0.3125, 0.375, 0.1475, 0.465, 0.5648654513822595,
        0.65, 0.9246562776405044, 1.0, 1.0,
    ]
    static let rows: [[Double]] = [
        [],
        [0.05555555555555555],
        [0.020833333333333332, 0.0625],
        [0.03125, 0, 0.09375],
        [0.3125, 0, -1.171875, 1.171875],
        [0.0375, 0, 0, 0.1875, 0.15],
        [0.04791013711111111, 0, 0, 0.11224871277777777, -0.02550567377777778, 0.012846823888888888],
        [0.01691798978729228, 0, 0, 0.3878482784860432, 0.03597736985150033, 0.19697021421566607,
         -0.17271385234050185],
        [0.0690957533591923, 0, 0, -0.6342479767288541, -0.16119757522460407, 0.13865030945882525,
         0.9409286140357562, 0.21163632648194397],
        [0.1835569968390454, 0, 0, -2.4687680843155926, -0.29128688781630047, -0.026473020233117376,
         2.8478387641928005, 0.2813873314698498, 0.12374489986331466],
        [-1.2154248173958881, 0, 0, 16.672608665945774, 0.915741828416818, -6.056605804357471,
         -16.00357359415618, 14.849303086297663, -13.371575735289849, 5.134182648179638],
        [0.25886091643826425, 0, 0, -4.774485785489205, -0.4350930137770325, -3.0494833320722416,
         5.5779200399360995, 6.15583158986104, -5.062104586736939, 2.193926173180679, 0.13462799865933495],
        [0.8224275996265075, 0, 0, -11.658673257277664, -0.7576221166909362, 0.7139735881595816,
         12.075774986890057, -2.127659113920403, 1.9901662070489554, -0.23428647154404028, 0.17589857770794226,
         0],
    ]
    static let weights: [Double] = [
        0.041747491141530244, 0, 0, 0, 0, -0.05545232861123931, 0.2393128072011801, 0.703510669403443,
        -0.7597596138144609, 0.6605630309222863, 0.15818748251012332, -0.2381095387528628, 0.25,
    ]
    static let errorWeights: [Double] = [
        0.012194277465176748, 0, 0, 0, 0, 0.7731539478765578, -0.07192809284993823, -1.763834521196444,
        1.787182038027448, -0.7829855527544889, 0.07877188662899605, -0.28255398319730723, 0.25,
    ]
    static let polynomials: [[Double]] = [
        [1.0, -6.6910181737837595, 19.999006933368396, -30.061056828966645, 22.139650499809406,
         -6.34483493928604],
        [0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0],
        [0, -7.6142658045872675, 52.227353279294555, -121.49996277313346, 116.44221495503422,
         -39.61079198522025],
        [0, 10.728139263042886, -46.89191641810936, 83.17210046398478, -67.14513188259572, 20.376121380879145],
        [0, 0.5526637063753649, -0.18908932250105956, 9.572450755599366, -16.56722435274965, 7.334709882679536],
        [0, 4.218656262566515, -35.70759759462221, 87.84060576772056, -89.9916014847245, 32.88017743524592],
        [0, -0.6627209125361597, 6.273644808324035, -17.415210777076297, 22.623748964853284,
         -10.158899052642676],
        [0, -1.2636789001135462, 10.316088127245076, -28.590328951479098, 32.23623401673554,
         -12.540126809878256],
        [0, 5.410603789859042, -34.76507698666118, 81.66309505843414, -82.10203154883598, 29.555300148451604],
        [0, -7.032137906794574, 47.745797107822554, -114.93752913770093, 116.26621857911195,
         -41.79234864243906],
        [0, 2.3537586759714983, -19.008209934160803, 50.255836422617605, -53.90207774663854,
         20.300692582210083],
    ]
}
