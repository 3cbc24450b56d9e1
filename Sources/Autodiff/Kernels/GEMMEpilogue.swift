import Glibc

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
            if S.self == Float.self {
                tanhInPlace(UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), count: count)
            } else {
                for i in 0..<count { y[i] = S(Glibc.tanh(Double(y[i]))) }
            }
        case .sigmoid:
            if S.self == Float.self {
                sigmoidInPlace(UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), count: count)
            } else {
                for i in 0..<count { y[i] = S(1 / (1 + Glibc.exp(-Double(y[i])))) }
            }
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

    /// Float tanh over a buffer. HOOK: replace with the shared SIMD tanh kernel when it lands.
    ///
    /// Written as a scalar loop without calls or branches so that it vectorises (16 lanes in native
    /// builds). |x| < 0.25: odd Taylor polynomial to x⁹ (truncation < 3e-9 relative). Otherwise
    /// 1 − 2/(e^{2|x|} + 1) with the sign restored, e^y from `fastExp`; the subtraction costs at most a
    /// few ulp near |x| = 0.25. Within 4 ulp of libm tanh (GEMMKernelTests).
    @inline(__always)
    static func tanhInPlace(_ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let x = y[i]
            let ax = Swift.abs(x)
            let e = fastExp(Swift.min(2 * ax, 40))
            let large = 1 - 2 / (e + 1)
            let x2 = x * x
            var p: Float = 62.0 / 2835
            p = multiplyAdd(p, x2, -17.0 / 315)
            p = multiplyAdd(p, x2, 2.0 / 15)
            p = multiplyAdd(p, x2, -1.0 / 3)
            let small = multiplyAdd(p * x2, x, x)
            y[i] = ax < 0.25 ? small : (x < 0 ? -large : large)
        }
    }

    /// Float logistic sigmoid 1/(1 + e^{−x}) over a buffer (e^{−x} from `fastExp`, argument clamped).
    @inline(__always)
    static func sigmoidInPlace(_ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            y[i] = 1 / (1 + fastExp(Swift.min(Swift.max(-y[i], -87), 87)))
        }
    }

    /// e^x for x in [−87, 87]: x = n·ln2 + r with |r| ≤ ln2/2, e^r by its Taylor polynomial to r⁷
    /// (truncation < 3e-9 relative), 2ⁿ assembled in the exponent bits. About 2 ulp. Branch-free, so
    /// loops calling it vectorise.
    @inline(__always)
    static func fastExp(_ x: Float) -> Float {
        let shifter: Float = 12_582_912  // 1.5·2²³: adding it rounds to an integer held in the low bits
        let t = multiplyAdd(x, 1.442_695_04, shifter)
        let n = t - shifter
        var r = multiplyAdd(n, -0.693_145_751_953_125, x)  // ln2 split into hi + lo
        r = multiplyAdd(n, -1.428_606_765_330_187e-6, r)
        var p: Float = 1.0 / 5040
        p = multiplyAdd(p, r, 1.0 / 720)
        p = multiplyAdd(p, r, 1.0 / 120)
        p = multiplyAdd(p, r, 1.0 / 24)
        p = multiplyAdd(p, r, 1.0 / 6)
        p = multiplyAdd(p, r, 0.5)
        p = multiplyAdd(p, r, 1)
        p = multiplyAdd(p, r, 1)
        let exponent = t.bitPattern &- shifter.bitPattern &+ 127
        return p * Float(bitPattern: exponent &<< 23)
    }
}
