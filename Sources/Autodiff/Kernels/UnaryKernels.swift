// Pointer-level entry points for the element-wise functions and their fused backward passes.
//
// Each kernel is generic over `TensorScalar` and dispatches once to the SIMD16<Float> or SIMD8<Double>
// implementation (`S.self == Float.self` folds away after specialisation). The tail (count not a
// multiple of the vector width) is padded with zeros and goes through the same vector code, so every
// element gets the same accuracy. Sources and destination may alias exactly, never partially.

extension Kernels {
    /// Applies `op` to `count` elements, one vector at a time.
    @inlinable @inline(__always)
    static func forEachVector<V: SIMD>(_ a: UnsafePointer<V.Scalar>, _ out: UnsafeMutablePointer<V.Scalar>,
                                       count: Int, _ op: (V) -> V) {
        let width = V.scalarCount
        var i = 0
        while i + width <= count {
            let v = UnsafeRawPointer(a + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: op(v), as: V.self)
            i += width
        }
        if i < count {
            var v = V()
            for j in 0..<(count - i) { v[j] = a[i + j] }
            let y = op(v)
            for j in 0..<(count - i) { out[i + j] = y[j] }
        }
    }

    /// Applies `op` to pairs of elements, one vector at a time.
    @inlinable @inline(__always)
    static func forEachVector<V: SIMD>(_ a: UnsafePointer<V.Scalar>, _ b: UnsafePointer<V.Scalar>,
                                       _ out: UnsafeMutablePointer<V.Scalar>, count: Int, _ op: (V, V) -> V) {
        let width = V.scalarCount
        var i = 0
        while i + width <= count {
            let u = UnsafeRawPointer(a + i).loadUnaligned(as: V.self)
            let v = UnsafeRawPointer(b + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: op(u, v), as: V.self)
            i += width
        }
        if i < count {
            var u = V(), v = V()
            for j in 0..<(count - i) { u[j] = a[i + j]; v[j] = b[i + j] }
            let y = op(u, v)
            for j in 0..<(count - i) { out[i + j] = y[j] }
        }
    }

    /// Runs the `Float` or the `Double` vector function over the elements.
    @inlinable @inline(__always)
    static func unary<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int,
                                       float: (SIMD16<Float>) -> SIMD16<Float>,
                                       double: (SIMD8<Double>) -> SIMD8<Double>) {
        if S.self == Float.self {
            forEachVector(UnsafeRawPointer(a).assumingMemoryBound(to: Float.self),
                          UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self), count: count, float)
        } else if S.self == Double.self {
            forEachVector(UnsafeRawPointer(a).assumingMemoryBound(to: Double.self),
                          UnsafeMutableRawPointer(out).assumingMemoryBound(to: Double.self), count: count, double)
        } else {
            preconditionFailure("Kernels: unsupported scalar type \(S.self)")
        }
    }

    /// Runs the `Float` or the `Double` two-input vector function over the elements.
    @inlinable @inline(__always)
    static func binary<S: TensorScalar>(_ a: UnsafePointer<S>, _ b: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>,
                                        count: Int,
                                        float: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>,
                                        double: (SIMD8<Double>, SIMD8<Double>) -> SIMD8<Double>) {
        if S.self == Float.self {
            forEachVector(UnsafeRawPointer(a).assumingMemoryBound(to: Float.self),
                          UnsafeRawPointer(b).assumingMemoryBound(to: Float.self),
                          UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self), count: count, float)
        } else if S.self == Double.self {
            forEachVector(UnsafeRawPointer(a).assumingMemoryBound(to: Double.self),
                          UnsafeRawPointer(b).assumingMemoryBound(to: Double.self),
                          UnsafeMutableRawPointer(out).assumingMemoryBound(to: Double.self), count: count, double)
        } else {
            preconditionFailure("Kernels: unsupported scalar type \(S.self)")
        }
    }

    // MARK: Forward

    /// out[i] = e^a[i]
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func exp<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int) {
        unary(a, out, count: count, float: exp, double: exp)
    }

    /// out[i] = log a[i]
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func log<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int) {
        unary(a, out, count: count, float: log, double: log)
    }

    /// out[i] = √a[i]
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func sqrt<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int) {
        unary(a, out, count: count, float: sqrt, double: sqrt)
    }

    /// out[i] = tanh a[i]
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func tanh<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int) {
        unary(a, out, count: count, float: tanh, double: tanh)
    }

    /// out[i] = 1 / (1 + e^(−a[i]))
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func sigmoid<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int) {
        unary(a, out, count: count, float: sigmoid, double: sigmoid)
    }

    /// out[i] = log(1 + e^a[i])
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func softplus<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int) {
        unary(a, out, count: count, float: softplus, double: softplus)
    }

    /// out[i] = a[i] > 0 ? a[i] : α(e^a[i] − 1)
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func elu<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int, alpha: S) {
        let (f, d) = (Float(alpha), Double(alpha))
        unary(a, out, count: count, float: { elu($0, alpha: f) }, double: { elu($0, alpha: d) })
    }

    /// out[i] = sin a[i]
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func sin<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int) {
        unary(a, out, count: count, float: sin, double: sin)
    }

    /// out[i] = cos a[i]
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func cos<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int) {
        unary(a, out, count: count, float: cos, double: cos)
    }

    // MARK: Backward (one pass each: cotangent g and the saved input x or output y)

    /// out = g·(1 − y²), the tanh pullback from its output.
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func tanhBackward<S: TensorScalar>(output y: UnsafePointer<S>, cotangent g: UnsafePointer<S>,
                                              _ out: UnsafeMutablePointer<S>, count: Int) {
        binary(y, g, out, count: count, float: { y, g in g * (1 - y * y) }, double: { y, g in g * (1 - y * y) })
    }

    /// out = g·y·(1 − y), the sigmoid pullback from its output.
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func sigmoidBackward<S: TensorScalar>(output y: UnsafePointer<S>, cotangent g: UnsafePointer<S>,
                                                 _ out: UnsafeMutablePointer<S>, count: Int) {
        binary(y, g, out, count: count, float: { y, g in g * y * (1 - y) }, double: { y, g in g * y * (1 - y) })
    }

    /// out = g·σ(x), the softplus pullback from its input.
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func softplusBackward<S: TensorScalar>(input x: UnsafePointer<S>, cotangent g: UnsafePointer<S>,
                                                  _ out: UnsafeMutablePointer<S>, count: Int) {
        binary(x, g, out, count: count, float: { x, g in g * sigmoid(x) }, double: { x, g in g * sigmoid(x) })
    }

    /// out = g for x > 0, g·α·eˣ otherwise: the ELU pullback from its input.
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func eluBackward<S: TensorScalar>(input x: UnsafePointer<S>, cotangent g: UnsafePointer<S>,
                                             _ out: UnsafeMutablePointer<S>, count: Int, alpha: S) {
        let (f, d) = (Float(alpha), Double(alpha))
        binary(x, g, out, count: count,
               float: { x, g in (g * f * exp(x.replacing(with: 0, where: x .> 0))).replacing(with: g, where: x .> 0) },
               double: { x, g in (g * d * exp(x.replacing(with: 0, where: x .> 0))).replacing(with: g, where: x .> 0) })
    }

    /// out = g·cos x, the sine pullback.
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func sinBackward<S: TensorScalar>(input x: UnsafePointer<S>, cotangent g: UnsafePointer<S>,
                                             _ out: UnsafeMutablePointer<S>, count: Int) {
        binary(x, g, out, count: count, float: { x, g in g * cos(x) }, double: { x, g in g * cos(x) })
    }

    /// out = −g·sin x, the cosine pullback.
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func cosBackward<S: TensorScalar>(input x: UnsafePointer<S>, cotangent g: UnsafePointer<S>,
                                             _ out: UnsafeMutablePointer<S>, count: Int) {
        binary(x, g, out, count: count, float: { x, g in -g * sin(x) }, double: { x, g in -g * sin(x) })
    }
}
