/// The epilogue of a fused linear layer: bias and activation applied to the GEMM output in place, and
/// the activation's derivative (computed from the output) applied to a cotangent.
extension Kernels {
    /// y[r, j] = f(y[r, j] + bias[j]) for a `rows × columns` contiguous block.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func biasActivation<S: TensorScalar>(_ y: UnsafeMutablePointer<S>, rows: Int, columns: Int,
                                                bias: UnsafePointer<S>?, activation: Activation) {
        let count = rows * columns
        if let bias {
            for r in 0..<rows {
                let row = y + r * columns
                for j in 0..<columns { row[j] += bias[j] }
            }
        }
        switch activation {
        case .identity:
            break
        case .relu:
            for i in 0..<count { y[i] = Swift.max(y[i], 0) }
        case .tanh:
            tanh(y, y, count: count)
        case .sigmoid:
            sigmoid(y, y, count: count)
        }
    }

    /// out[i] = g[i] · f′ where f′ is the activation's derivative expressed through its output y.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func activationBackward<S: TensorScalar>(_ g: UnsafePointer<S>, output y: UnsafePointer<S>,
                                                    _ out: UnsafeMutablePointer<S>, count: Int,
                                                    activation: Activation) {
        switch activation {
        case .identity: out.update(from: g, count: count)
        case .tanh: for i in 0..<count { out[i] = g[i] * (1 - y[i] * y[i]) }
        case .relu: for i in 0..<count { out[i] = y[i] > 0 ? g[i] : 0 }
        case .sigmoid: for i in 0..<count { out[i] = g[i] * (y[i] * (1 - y[i])) }
        }
    }
}
