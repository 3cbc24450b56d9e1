import Autodiff
import Solvers

/// The backward pass of the adjoint method: solves the augmented system from the last output time
/// back to the first, interval by interval (Chen et al. 2018, Algorithm 1 and Appendix B/C).
///
/// At each output time t_i (last to first) the incoming cotangent ∂L/∂z(t_i) is added to `a`, `z` is
/// restarted from the stored forward value (so drift does not accumulate over intervals), and the
/// output time's own gradient ∂L/∂t_i = ∂L/∂z(t_i) · f(t_i, z(t_i)) is taken off `a_t`.
struct AdjointBackward<Scalar: TensorScalar> {
    let augmented: AugmentedDynamics<Scalar>
    let configuration: SolveConfiguration
    let seminorm: Bool

    /// The gradients of the loss with respect to z(t_0), the output times, and each parameter, with
    /// the drift of each interval.
    struct Result {
        var initialState: Tensor<Scalar>
        var times: [Scalar]
        var parameters: [Tensor<Scalar>]
        var drift: [Double]
        var statistics: SolverStatistics
    }

    /// - Parameters:
    ///   - times: the output times t_0 … t_{T−1} (monotone, either direction).
    ///   - states: the forward solution at those times.
    ///   - cotangents: ∂L/∂z(t_i) for each output time.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func run(times: [Double], states: [Tensor<Scalar>], cotangents: [Tensor<Scalar>]) throws -> Result {
        let n = augmented.stateCount
        let p = augmented.parameterCount
        var y = [Scalar](repeating: 0, count: augmented.augmentedCount)
        var timeGradients = [Scalar](repeating: 0, count: times.count)
        var drift: [Double] = []
        var statistics = SolverStatistics()
        let last = times.count - 1
        var timeAdjoint: Scalar = 0
        for i in stride(from: last, through: 1, by: -1) {
            // Restart z from the forward solution and add this time's incoming cotangent to a.
            y.withUnsafeMutableBufferPointer { out in
                states[i].withUnsafeBufferPointer { z in out.baseAddress!.update(from: z.baseAddress!, count: n) }
                cotangents[i].withUnsafeBufferPointer { g in for j in 0..<n { out[n + j] += g[j] } }
            }
            let f = try augmented.field(time: times[i], state: states[i])
            let direct = dot(f, cotangents[i])
            timeGradients[i] = direct
            timeAdjoint -= direct
            y[augmented.timeAdjointIndex] = timeAdjoint
            let solved = try configuration.integrateAdjoint(augmented.vectorField, from: y, start: times[i], end: times[i - 1],
                                                            adjointComponents: 2 * n, seminorm: seminorm)
            statistics.functionEvaluations += solved.statistics.functionEvaluations
            statistics.acceptedSteps += solved.statistics.acceptedSteps
            statistics.rejectedSteps += solved.statistics.rejectedSteps
            y = solved.state
            timeAdjoint = y[augmented.timeAdjointIndex]
            drift.append(configuration.drift(between: Array(y[0..<n]), and: states[i - 1]))
        }
        // The first output time: its own cotangent goes straight into a.
        cotangents[0].withUnsafeBufferPointer { g in for j in 0..<n { y[n + j] += g[j] } }
        timeGradients[0] = timeAdjoint
        let shape = augmented.stateShape
        let initial = y.withUnsafeBufferPointer { Tensor<Scalar>(copying: $0.baseAddress! + n, shape: shape) }
        var parameterGradients: [Tensor<Scalar>] = []
        var offset = 2 * n
        y.withUnsafeBufferPointer { buffer in
            for parameter in augmented.parameters {
                parameterGradients.append(Tensor(copying: buffer.baseAddress! + offset, shape: parameter.shape))
                offset += parameter.value.scalarCount
            }
        }
        precondition(offset == 2 * n + p)
        return Result(initialState: initial, times: timeGradients, parameters: parameterGradients,
                      drift: drift, statistics: statistics)
    }

    private func dot(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Scalar {
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                var s: Scalar = 0
                for i in 0..<x.count { s += x[i] * y[i] }
                return s
            }
        }
    }
}
