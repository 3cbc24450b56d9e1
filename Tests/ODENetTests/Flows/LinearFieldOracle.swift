import Foundation
import Autodiff
@testable import ODENet

/// Closed forms of the linear field f(z) = A z, computed in plain Swift: the oracles of the flow and
/// regularisation tests.
enum LinearFieldOracle {
    /// e^M for a small square matrix (row-major), by scaling and squaring a 30-term Taylor series.
    static func matrixExponential(_ m: [Double], size n: Int) -> [Double] {
        let norm = m.map(abs).max() ?? 0
        let squarings = max(0, Int(ceil(log2(max(norm * Double(n), 1)))) + 2)
        let scale = pow(2, -Double(squarings))
        let a = m.map { $0 * scale }
        var term = (0..<n * n).map { $0 % (n + 1) == 0 ? 1.0 : 0.0 }
        var sum = term
        for k in 1...30 {
            term = multiply(term, a, n).map { $0 / Double(k) }
            sum = zip(sum, term).map(+)
        }
        for _ in 0..<squarings { sum = multiply(sum, sum, n) }
        return sum
    }

    /// The row-major product of two n × n matrices.
    static func multiply(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
        (0..<n * n).map { ij in (0..<n).reduce(0) { $0 + a[ij / n * n + $1] * b[$1 * n + ij % n] } }
    }

    /// f(z) = z·Aᵀ (each row z ↦ A z), A a parameter.
    static func linearField(_ a: [Double], size n: Int) -> DynamicsFunction<Double> {
        let matrix = Parameter(Tensor<Double>(shape: [n, n], scalars: a))
        return DynamicsFunction(members: ["A": matrix]) { _, z in z.matmul(matrix.value.transposed()) }
    }

    /// RNODE's integrals over [0, length] for each row x of `points` (2-D states) under f(z) = A z, both
    /// divided by D = 2: the kinetic energy ∫ ½‖A e^{At} x‖² dt by Simpson's rule on 2,000 intervals, and the
    /// Jacobian term ∫ ‖εᵀA‖² dt = length · ‖εᵀA‖² (constant in t), ε the row's probe.
    static func regularizerIntegrals(_ a: [Double], points: [Double], probe: [Double], length: Double)
        -> (kineticEnergy: [Double], jacobianFrobenius: [Double]) {
        let rows = points.count / 2
        var kinetic = [Double](repeating: 0, count: rows), jacobian = [Double](repeating: 0, count: rows)
        let intervals = 2000, h = length / Double(intervals)
        for row in 0..<rows {
            let x = [points[2 * row], points[2 * row + 1]]
            var sum = 0.0
            for k in 0...intervals {
                let e = matrixExponential(a.map { $0 * Double(k) * h }, size: 2)
                let z = [e[0] * x[0] + e[1] * x[1], e[2] * x[0] + e[3] * x[1]]
                let f = [a[0] * z[0] + a[1] * z[1], a[2] * z[0] + a[3] * z[1]]
                let weight = k == 0 || k == intervals ? 1.0 : (k % 2 == 1 ? 4.0 : 2.0)
                sum += weight * 0.5 * (f[0] * f[0] + f[1] * f[1]) / 2
            }
            kinetic[row] = sum * h / 3
            let e = [probe[2 * row], probe[2 * row + 1]]
            let vjp = [e[0] * a[0] + e[1] * a[2], e[0] * a[1] + e[1] * a[3]]
            jacobian[row] = length * (vjp[0] * vjp[0] + vjp[1] * vjp[1]) / 2
        }
        return (kinetic, jacobian)
    }
}
