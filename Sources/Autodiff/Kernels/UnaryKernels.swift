// Pointer-level entry points for the element-wise functions and their fused backward passes.
//
// Each kernel is generic over `TensorScalar` and dispatches once to the SIMD16<Float> or SIMD8<Double>
// implementation (`S.self == Float.self` folds away after specialisation). The tail (count not a
// multiple of the vector width) is padded with zeros and goes through the same vector code, so every
// element gets the same accuracy. Sources and destination may alias exactly, never partially.

import Requirements

/// The element-wise functions the vector loops can apply; a constant argument, so after inlining the
/// `switch` folds away and the loop body is the one function's straight-line code.
@usableFromInline
enum LaneFunction {
    case exp, expm1, log, sqrt, tanh, sigmoid, softplus, sin, cos
    case elu(alpha: Double)
}

/// The fused backward functions of two inputs (saved input or output, cotangent).
@usableFromInline
enum LanePairFunction {
    case tanhBackward, sigmoidBackward, softplusBackward, sinBackward, cosBackward
    case eluBackward(alpha: Double)
}

/// A SIMD vector type with kernels for every `LaneFunction`: SIMD16<Float> and SIMD8<Double>.
@usableFromInline
protocol KernelVector: SIMD where Scalar: TensorScalar {
    static func apply(_ function: LaneFunction, _ v: Self) -> Self
    static func apply(_ function: LanePairFunction, _ a: Self, _ b: Self) -> Self
}

extension SIMD16: KernelVector where Scalar == Float {
    @inlinable @inline(__always)
    static func apply(_ function: LaneFunction, _ v: Self) -> Self {
        switch function {
        case .exp: return Kernels.exp(v)
        case .expm1: return Kernels.expm1(v)
        case .log: return Kernels.log(v)
        case .sqrt: return Kernels.sqrt(v)
        case .tanh: return Kernels.tanh(v)
        case .sigmoid: return Kernels.sigmoid(v)
        case .softplus: return Kernels.softplus(v)
        case .sin: return Kernels.sin(v)
        case .cos: return Kernels.cos(v)
        case .elu(let alpha): return Kernels.elu(v, alpha: Float(alpha))
        }
    }

    @inlinable @inline(__always)
    static func apply(_ function: LanePairFunction, _ a: Self, _ g: Self) -> Self {
        switch function {
        case .tanhBackward: return g * (1 - a * a)
        case .sigmoidBackward: return g * a * (1 - a)
        case .softplusBackward: return g * Kernels.sigmoid(a)
        case .sinBackward: return g * Kernels.cos(a)
        case .cosBackward: return -g * Kernels.sin(a)
        case .eluBackward(let alpha):
            let negative = g * Float(alpha) * Kernels.exp(a.replacing(with: 0, where: a .> 0))
            return negative.replacing(with: g, where: a .> 0)
        }
    }
}

extension SIMD8: KernelVector where Scalar == Double {
    @inlinable @inline(__always)
    static func apply(_ function: LaneFunction, _ v: Self) -> Self {
        switch function {
        case .exp: return Kernels.exp(v)
        case .expm1: return Kernels.expm1(v)
        case .log: return Kernels.log(v)
        case .sqrt: return Kernels.sqrt(v)
        case .tanh: return Kernels.tanh(v)
        case .sigmoid: return Kernels.sigmoid(v)
        case .softplus: return Kernels.softplus(v)
        case .sin: return Kernels.sin(v)
        case .cos: return Kernels.cos(v)
        case .elu(let alpha): return Kernels.elu(v, alpha: alpha)
        }
    }

    @inlinable @inline(__always)
    static func apply(_ function: LanePairFunction, _ a: Self, _ g: Self) -> Self {
        switch function {
        case .tanhBackward: return g * (1 - a * a)
        case .sigmoidBackward: return g * a * (1 - a)
        case .softplusBackward: return g * Kernels.sigmoid(a)
        case .sinBackward: return g * Kernels.cos(a)
        case .cosBackward: return -g * Kernels.sin(a)
        case .eluBackward(let alpha):
            let negative = g * alpha * Kernels.exp(a.replacing(with: 0, where: a .> 0))
            return negative.replacing(with: g, where: a .> 0)
        }
    }
}

extension Kernels {
    /// Applies `function` to `count` elements, one vector at a time; the tail is padded with zeros
    /// into a full vector, so every element goes through the same code.
    @inlinable @inline(__always)
    static func forEachVector<V: KernelVector>(_ function: LaneFunction, _ a: UnsafePointer<V.Scalar>,
                                               _ out: UnsafeMutablePointer<V.Scalar>, count: Int, as _: V.Type) {
        let width = V.scalarCount
        var i = 0
        while i + width <= count {
            let v = UnsafeRawPointer(a + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: V.apply(function, v), as: V.self)
            i += width
        }
        if i < count {
            var v = V()
            for j in 0..<(count - i) { v[j] = a[i + j] }
            let y = V.apply(function, v)
            for j in 0..<(count - i) { out[i + j] = y[j] }
        }
    }

    /// Applies the two-input `function` element by element, one vector at a time.
    @inlinable @inline(__always)
    static func forEachVector<V: KernelVector>(_ function: LanePairFunction, _ a: UnsafePointer<V.Scalar>,
                                               _ b: UnsafePointer<V.Scalar>, _ out: UnsafeMutablePointer<V.Scalar>,
                                               count: Int, as _: V.Type) {
        let width = V.scalarCount
        var i = 0
        while i + width <= count {
            let u = UnsafeRawPointer(a + i).loadUnaligned(as: V.self)
            let v = UnsafeRawPointer(b + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: V.apply(function, u, v), as: V.self)
            i += width
        }
        if i < count {
            var u = V(), v = V()
            for j in 0..<(count - i) { u[j] = a[i + j]; v[j] = b[i + j] }
            let y = V.apply(function, u, v)
            for j in 0..<(count - i) { out[i + j] = y[j] }
        }
    }

    /// Runs `function` over the elements with the `Float` or the `Double` vector kernels.
    @inlinable @inline(__always)
    static func unary<S: TensorScalar>(_ function: LaneFunction, _ a: UnsafePointer<S>,
                                       _ out: UnsafeMutablePointer<S>, count: Int) {
        if S.self == Float.self {
            forEachVector(function, UnsafeRawPointer(a).assumingMemoryBound(to: Float.self),
                          UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self), count: count,
                          as: SIMD16<Float>.self)
        } else if S.self == Double.self {
            forEachVector(function, UnsafeRawPointer(a).assumingMemoryBound(to: Double.self),
                          UnsafeMutableRawPointer(out).assumingMemoryBound(to: Double.self), count: count,
                          as: SIMD8<Double>.self)
        } else {
            requirementFailure("Kernels: unsupported scalar type \(S.self)")
        }
    }

    /// Runs the two-input `function` over the elements with the `Float` or the `Double` vector kernels.
    @inlinable @inline(__always)
    static func binary<S: TensorScalar>(_ function: LanePairFunction, _ a: UnsafePointer<S>, _ b: UnsafePointer<S>,
                                        _ out: UnsafeMutablePointer<S>, count: Int) {
        if S.self == Float.self {
            forEachVector(function, UnsafeRawPointer(a).assumingMemoryBound(to: Float.self),
                          UnsafeRawPointer(b).assumingMemoryBound(to: Float.self),
                          UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self), count: count,
                          as: SIMD16<Float>.self)
        } else if S.self == Double.self {
            forEachVector(function, UnsafeRawPointer(a).assumingMemoryBound(to: Double.self),
                          UnsafeRawPointer(b).assumingMemoryBound(to: Double.self),
                          UnsafeMutableRawPointer(out).assumingMemoryBound(to: Double.self), count: count,
                          as: SIMD8<Double>.self)
        } else {
            requirementFailure("Kernels: unsupported scalar type \(S.self)")
        }
    }

    // MARK: Forward

    /// out[i] = e^a[i]
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func exp<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int) {
        unary(.exp, a, out, count: count)
    }

    /// out[i] = e^a[i] − 1
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func expm1<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int) {
        unary(.expm1, a, out, count: count)
    }

    /// out[i] = log a[i]
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func log<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int) {
        unary(.log, a, out, count: count)
    }

    /// out[i] = √a[i]
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func sqrt<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int) {
        unary(.sqrt, a, out, count: count)
    }

    /// out[i] = tanh a[i]
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func tanh<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int) {
        unary(.tanh, a, out, count: count)
    }

    /// out[i] = 1 / (1 + e^(−a[i]))
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func sigmoid<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int) {
        unary(.sigmoid, a, out, count: count)
    }

    /// out[i] = log(1 + e^a[i])
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func softplus<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int) {
        unary(.softplus, a, out, count: count)
    }

    /// out[i] = a[i] > 0 ? a[i] : α(e^a[i] − 1)
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func elu<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int, alpha: S) {
        unary(.elu(alpha: Double(alpha)), a, out, count: count)
    }

    /// out[i] = sin a[i]
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func sin<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int) {
        unary(.sin, a, out, count: count)
    }

    /// out[i] = cos a[i]
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func cos<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, count: Int) {
        unary(.cos, a, out, count: count)
    }

    // MARK: Backward (one pass each: cotangent g and the saved input x or output y)

    /// out = g·(1 − y²), the tanh pullback from its output.
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func tanhBackward<S: TensorScalar>(output y: UnsafePointer<S>, cotangent g: UnsafePointer<S>,
                                              _ out: UnsafeMutablePointer<S>, count: Int) {
        binary(.tanhBackward, y, g, out, count: count)
    }

    /// out = g·y·(1 − y), the sigmoid pullback from its output.
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func sigmoidBackward<S: TensorScalar>(output y: UnsafePointer<S>, cotangent g: UnsafePointer<S>,
                                                 _ out: UnsafeMutablePointer<S>, count: Int) {
        binary(.sigmoidBackward, y, g, out, count: count)
    }

    /// out = g·σ(x), the softplus pullback from its input.
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func softplusBackward<S: TensorScalar>(input x: UnsafePointer<S>, cotangent g: UnsafePointer<S>,
                                                  _ out: UnsafeMutablePointer<S>, count: Int) {
        binary(.softplusBackward, x, g, out, count: count)
    }

    /// out = g for x > 0, g·α·eˣ otherwise: the ELU pullback from its input.
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func eluBackward<S: TensorScalar>(input x: UnsafePointer<S>, cotangent g: UnsafePointer<S>,
                                             _ out: UnsafeMutablePointer<S>, count: Int, alpha: S) {
        binary(.eluBackward(alpha: Double(alpha)), x, g, out, count: count)
    }

    /// out = g·cos x, the sine pullback.
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func sinBackward<S: TensorScalar>(input x: UnsafePointer<S>, cotangent g: UnsafePointer<S>,
                                             _ out: UnsafeMutablePointer<S>, count: Int) {
        binary(.sinBackward, x, g, out, count: count)
    }

    /// out = −g·sin x, the cosine pullback.
    @inlinable @_specialize(where S == Float) @_specialize(where S == Double)
    static func cosBackward<S: TensorScalar>(input x: UnsafePointer<S>, cotangent g: UnsafePointer<S>,
                                             _ out: UnsafeMutablePointer<S>, count: Int) {
        binary(.cosBackward, x, g, out, count: count)
    }
}
