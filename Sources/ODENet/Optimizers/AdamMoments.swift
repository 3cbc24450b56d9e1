import Autodiff
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The per-parameter state shared by ``Adam`` and ``AdamW``: step counts and first/second moment
/// estimates, with the update loop both use.
struct AdamMoments<Scalar: TensorScalar> {
    /// One parameter's state.
    struct Entry {
        var step: Int
        var firstMoment: Tensor<Scalar>
        var secondMoment: Tensor<Scalar>
    }

    /// Entries by parameter position (nil before the parameter's first step).
    var entries: [Entry?] = []

    /// One Adam step for every parameter. `l2` is added to the gradient as `l2·θ` (Adam's weight
    /// decay); `decoupled` scales θ by `1 − lr·decoupled` first (AdamW's).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    mutating func step(_ name: String, parameters: [Parameter<Scalar>], gradients: [Tensor<Scalar>],
                       learningRate: Double, beta1: Double, beta2: Double, epsilon: Double,
                       l2: Double, decoupled: Double) {
        validateUpdate(name, parameters: parameters, gradients: gradients,
                       stateShapes: entries.map { $0?.firstMoment.shape })
        padded(&entries, to: parameters.count)
        let b1 = Scalar(beta1), b2 = Scalar(beta2), oneMinusB1 = Scalar(1 - beta1), oneMinusB2 = Scalar(1 - beta2)
        let decay = Scalar(l2), shrink = Scalar(1 - learningRate * decoupled), eps = Scalar(epsilon)
        for (index, (parameter, gradient)) in zip(parameters, gradients).enumerated() {
            var entry = entries[index]
                ?? Entry(step: 0, firstMoment: .zeros(parameter.shape), secondMoment: .zeros(parameter.shape))
            entries[index] = nil
            entry.step += 1
            // Bias corrections in Double, as PyTorch computes them from Python floats.
            let t = Double(entry.step)
            let stepSize = Scalar(learningRate / (1 - pow(beta1, t)))
            let correction2 = Scalar((1 - pow(beta2, t)).squareRoot())
            parameter.value.withUnsafeMutableBufferPointer { theta in
                gradient.withUnsafeBufferPointer { g in
                    entry.firstMoment.withUnsafeMutableBufferPointer { m in
                        entry.secondMoment.withUnsafeMutableBufferPointer { v in
                            for i in 0..<theta.count {
                                if decoupled != 0 { theta[i] *= shrink }
                                var d = g[i]
                                if l2 != 0 { d += decay * theta[i] }
                                m[i] = b1 * m[i] + oneMinusB1 * d
                                v[i] = b2 * v[i] + oneMinusB2 * d * d
                                let denominator = v[i].squareRoot() / correction2 + eps
                                theta[i] -= stepSize * (m[i] / denominator)
                            }
                        }
                    }
                }
            }
            entries[index] = entry
        }
    }

    /// `state.<i>.step`, `state.<i>.exp_avg`, `state.<i>.exp_avg_sq` for every parameter with state.
    var tensors: [(name: String, value: Tensor<Scalar>)] {
        entries.enumerated().flatMap { index, entry -> [(name: String, value: Tensor<Scalar>)] in
            guard let entry else { return [] }
            return [(stateName(index, "step"), Tensor(Scalar(Double(entry.step)))),
                    (stateName(index, "exp_avg"), entry.firstMoment),
                    (stateName(index, "exp_avg_sq"), entry.secondMoment)]
        }
    }

    /// Reads the entries from `reader`.
    static func read(_ reader: OptimizerStateReader<Scalar>, count: Int) throws(OptimizerStateError) -> AdamMoments {
        var result = AdamMoments(entries: Array(repeating: nil, count: count))
        for position in reader.positions {
            result.entries[position] = Entry(step: try reader.step(at: position),
                                             firstMoment: try reader.tensor("exp_avg", at: position),
                                             secondMoment: try reader.tensor("exp_avg_sq", at: position))
        }
        return result
    }

    /// The fields `read` accepts.
    static var fields: Set<String> { ["step", "exp_avg", "exp_avg_sq"] }
}
