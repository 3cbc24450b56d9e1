import Foundation
import XCTest
import Solvers

/// Least-squares slope of log(error) against log(h).
func logLogSlope(_ hs: [Double], _ errors: [Double]) -> Double {
    let x = hs.map { Foundation.log($0) }
    let y = errors.map { Foundation.log($0) }
    let mx = x.reduce(0, +) / Double(x.count)
    let my = y.reduce(0, +) / Double(y.count)
    var num = 0.0, den = 0.0
    for i in x.indices { num += (x[i] - mx) * (y[i] - my); den += (x[i] - mx) * (x[i] - mx) }
    return num / den
}

func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

/// A 4×4 skew-symmetric matrix (pure rotation: the exact flow preserves the norm).
let skewMatrix: [[Double]] = [
    [0, 1.0, -0.5, 0.3],
    [-1.0, 0, 0.7, -0.2],
    [0.5, -0.7, 0, 1.1],
    [-0.3, 0.2, -1.1, 0],
]
let linearInitialState: [Double] = [1, 0.5, -0.25, 0.75]

func matrixVector(_ m: [[Double]], _ v: [Double]) -> [Double] {
    m.map { row in zip(row, v).reduce(0) { $0 + $1.0 * $1.1 } }
}

func matrixProduct(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
    let n = a.count
    return (0..<n).map { i in (0..<n).map { j in (0..<n).reduce(0) { $0 + a[i][$1] * b[$1][j] } } }
}

/// exp(t·M) by scaling and squaring with a 20-term Taylor series.
func matrixExponential(_ m: [[Double]], _ t: Double) -> [[Double]] {
    let n = m.count
    let norm = m.map { $0.map(abs).reduce(0, +) }.max()! * abs(t)
    var squarings = 0
    while norm / Double(1 << squarings) > 0.25 { squarings += 1 }
    let scale = t / Double(1 << squarings)
    let a = m.map { $0.map { $0 * scale } }
    var result = (0..<n).map { i in (0..<n).map { j in i == j ? 1.0 : 0.0 } }
    var term = result
    for k in 1...20 {
        term = matrixProduct(term, a).map { $0.map { $0 / Double(k) } }
        for i in 0..<n { for j in 0..<n { result[i][j] += term[i][j] } }
    }
    for _ in 0..<squarings { result = matrixProduct(result, result) }
    return result
}

func linearExact(_ t: Double) -> [Double] { matrixVector(matrixExponential(skewMatrix, t), linearInitialState) }

func linearProblem(start: Double = 0, end: Double) -> ODEProblem<[Double]> {
    ODEProblem(timeSpan: TimeSpan(start: start, end: end), initialState: start == 0 ? linearInitialState : linearExact(start)) {
        _, y, dy in
        for i in 0..<4 {
            var s = 0.0
            for j in 0..<4 { s += skewMatrix[i][j] * y[j] }
            dy[i] = s
        }
    }
}

/// torchdiffeq's SineODE: y' = 2y/t + t⁴ sin 2t − t² + 4t³.
func sineExact(_ t: Double) -> Double {
    -0.5 * pow(t, 4) * cos(2 * t) + 0.5 * pow(t, 3) * sin(2 * t) + 0.25 * t * t * cos(2 * t) - pow(t, 3)
        + 2 * pow(t, 4) + (Double.pi - 0.25) * t * t
}

func sineField(_ t: Double, _ y: Double) -> Double { 2 * y / t + pow(t, 4) * sin(2 * t) - t * t + 4 * pow(t, 3) }

func sineProblem(end: Double = 2) -> ODEProblem<[Double]> {
    ODEProblem(timeSpan: TimeSpan(start: 1, end: end), initialState: [sineExact(1)]) { t, y, dy in
        dy[0] = sineField(t, y[0])
    }
}

/// The Kepler problem q'' = −q/|q|³ with eccentricity 0.2 (state q₁, q₂, p₁, p₂; period 2π): the exact
/// solution from Kepler's equation E − e sin E = t, solved by Newton's method to rounding. (At eccentricity
/// 0.5 the perihelion passage keeps fixed-step errors pre-asymptotic down to the rounding plateau.)
let keplerEccentricity = 0.2

func keplerExact(_ t: Double) -> [Double] {
    let e = keplerEccentricity
    var anomaly = t
    for _ in 0..<50 {
        let step = (anomaly - e * sin(anomaly) - t) / (1 - e * cos(anomaly))
        anomaly -= step
        if abs(step) < 1e-16 { break }
    }
    let root = (1 - e * e).squareRoot()
    let denominator = 1 - e * cos(anomaly)
    return [cos(anomaly) - e, root * sin(anomaly), -sin(anomaly) / denominator, root * cos(anomaly) / denominator]
}

func keplerProblem(end: Double) -> ODEProblem<[Double]> {
    ODEProblem(timeSpan: TimeSpan(start: 0, end: end), initialState: keplerExact(0)) { _, y, dy in
        let r2 = y[0] * y[0] + y[1] * y[1]
        let r3 = r2 * r2.squareRoot()
        dy[0] = y[2]
        dy[1] = y[3]
        dy[2] = -y[0] / r3
        dy[3] = -y[1] / r3
    }
}

let allMethods: [any RungeKuttaMethod] = [
    ExplicitRungeKutta.euler, ExplicitRungeKutta.midpoint, ExplicitRungeKutta.heun, ExplicitRungeKutta.rk4,
    ExplicitRungeKutta.rk38, EmbeddedRungeKutta.bogackiShampine32, EmbeddedRungeKutta.dormandPrince54,
    EmbeddedRungeKutta.dormandPrince54Torchdiffeq, EmbeddedRungeKutta.tsitouras54, EmbeddedRungeKutta.dormandPrince853,
    EmbeddedRungeKutta.verner65, EmbeddedRungeKutta.verner76, EmbeddedRungeKutta.verner87, EmbeddedRungeKutta.verner98,
    EmbeddedRungeKutta.princeDormand87, ExplicitRungeKutta.heun3, EmbeddedRungeKutta.heunEuler21,
    EmbeddedRungeKutta.fehlberg21,
]

let adaptiveMethods: [EmbeddedRungeKutta] = [.bogackiShampine32, .dormandPrince54, .dormandPrince54Torchdiffeq,
                                             .tsitouras54, .dormandPrince853, .verner65, .verner76, .verner87,
                                             .verner98, .princeDormand87]
