import Solvers

/// A stiff test problem with its analytic Jacobian (Hairer & Wanner, *Solving ODEs II*, §IV.10, and the
/// Test Set for IVP Solvers of Mazzia & Magherini), the same four as `Examples/Peers/stiff_scipy.py`.
struct StiffProblem {
    let name: String
    let problem: ODEProblem<[Double]>
    let jacobian: JacobianSource<[Double]>

    static var all: [StiffProblem] { [robertson(end: 1e5), vanDerPol, hires, oregonator] }

    /// Robertson's chemical kinetics (rate constants 0.04, 3e7, 1e4).
    static func robertson(end: Double) -> StiffProblem {
        StiffProblem(
            name: "robertson",
            problem: ODEProblem(timeSpan: TimeSpan(start: 0, end: end), initialState: [1, 0, 0]) { _, y, dy in
                dy[0] = -0.04 * y[0] + 1e4 * y[1] * y[2]
                dy[2] = 3e7 * y[1] * y[1]
                dy[1] = -dy[0] - dy[2]
            },
            jacobian: .analytic(timeDerivative: .zero) { _, y, j in
                j[0, 0] = -0.04; j[0, 1] = 1e4 * y[2]; j[0, 2] = 1e4 * y[1]
                j[1, 0] = 0.04; j[1, 1] = -1e4 * y[2] - 6e7 * y[1]; j[1, 2] = -1e4 * y[1]
                j[2, 1] = 6e7 * y[1]
            })
    }

    /// Van der Pol with μ = 1000 on [0, 3000].
    static var vanDerPol: StiffProblem { StiffProblem(
        name: "vanderpol1000",
        problem: ODEProblem(timeSpan: TimeSpan(start: 0, end: 3000), initialState: [2, 0]) { _, y, dy in
            dy[0] = y[1]
            dy[1] = 1000 * (1 - y[0] * y[0]) * y[1] - y[0]
        },
        jacobian: .analytic(timeDerivative: .zero) { _, y, j in
            j[0, 1] = 1
            j[1, 0] = -2000 * y[0] * y[1] - 1
            j[1, 1] = 1000 * (1 - y[0] * y[0])
        }) }

    /// HIRES: eight reactions of plant physiology (Schäfer 1975), on [0, 321.8122].
    static var hires: StiffProblem { StiffProblem(
        name: "hires",
        problem: ODEProblem(timeSpan: TimeSpan(start: 0, end: 321.8122), initialState: [1, 0, 0, 0, 0, 0, 0, 0.0057]) {
            _, y, dy in
            dy[0] = -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007
            dy[1] = 1.71 * y[0] - 8.75 * y[1]
            dy[2] = -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4]
            dy[3] = 8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3]
            dy[4] = -1.745 * y[4] + 0.43 * y[5] + 0.43 * y[6]
            dy[5] = -280 * y[5] * y[7] + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6]
            dy[6] = 280 * y[5] * y[7] - 1.81 * y[6]
            dy[7] = -280 * y[5] * y[7] + 1.81 * y[6]
        },
        jacobian: .analytic(timeDerivative: .zero) { _, y, j in
            j[0, 0] = -1.71; j[0, 1] = 0.43; j[0, 2] = 8.32
            j[1, 0] = 1.71; j[1, 1] = -8.75
            j[2, 2] = -10.03; j[2, 3] = 0.43; j[2, 4] = 0.035
            j[3, 1] = 8.32; j[3, 2] = 1.71; j[3, 3] = -1.12
            j[4, 4] = -1.745; j[4, 5] = 0.43; j[4, 6] = 0.43
            j[5, 3] = 0.69; j[5, 4] = 1.71; j[5, 5] = -0.43 - 280 * y[7]; j[5, 6] = 0.69; j[5, 7] = -280 * y[5]
            j[6, 5] = 280 * y[7]; j[6, 6] = -1.81; j[6, 7] = 280 * y[5]
            j[7, 5] = -280 * y[7]; j[7, 6] = 1.81; j[7, 7] = -280 * y[5]
        }) }

    /// The Oregonator (Field & Noyes 1974, Hairer & Wanner's OREGO) on [0, 360].
    static var oregonator: StiffProblem { StiffProblem(
        name: "oregonator",
        problem: ODEProblem(timeSpan: TimeSpan(start: 0, end: 360), initialState: [1, 2, 3]) { _, y, dy in
            dy[0] = 77.27 * (y[1] + y[0] * (1 - 8.375e-6 * y[0] - y[1]))
            dy[1] = (y[2] - (1 + y[0]) * y[1]) / 77.27
            dy[2] = 0.161 * (y[0] - y[2])
        },
        jacobian: .analytic(timeDerivative: .zero) { _, y, j in
            j[0, 0] = 77.27 * (1 - 2 * 8.375e-6 * y[0] - y[1]); j[0, 1] = 77.27 * (1 - y[0])
            j[1, 0] = -y[1] / 77.27; j[1, 1] = -(1 + y[0]) / 77.27; j[1, 2] = 1 / 77.27
            j[2, 0] = 0.161; j[2, 2] = -0.161
        }) }
}
