#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Element-wise mathematical functions: exp, log, sqrt, pow, abs, square, sin, cos. Each op is one tape
// entry whose pullback is a single fused pass over the cotangent and the saved input or output.
// Activations (tanh, sigmoid, relu, …) are in ElementwiseActivations.swift.
//
// Second order: while a derivative is being differentiated (`Tensor.mustRecord`), each pullback takes a
// recorded path written with differentiable ops instead, recomputing what it needs from the recorded
// input (the saved output is not on the tape); masks such as sign(x) are constants there.

extension Tensor {
    /// A tensor of this shape whose elements `kernel(source, destination, count)` writes.
    @inlinable @inline(__always)
    func mappedByKernel(_ kernel: (UnsafePointer<Scalar>, UnsafeMutablePointer<Scalar>, Int) -> Void) -> Tensor {
        let result = TensorStorage<Scalar>(uninitializedCount: scalarCount)
        withUnsafeBufferPointer { kernel($0.baseAddress!, result.pointer, $0.count) }
        return Tensor(shape: shape, storage: result)
    }

    /// A tensor of the common shape of `a` and `b` (equal shapes) that `kernel(a, b, destination, count)`
    /// writes.
    @inlinable @inline(__always)
    static func zippedByKernel(_ a: Tensor, _ b: Tensor,
                       _ kernel: (UnsafePointer<Scalar>, UnsafePointer<Scalar>, UnsafeMutablePointer<Scalar>, Int) -> Void)
        -> Tensor {
        precondition(a.shape == b.shape, "element-wise pullback: shapes \(a.shape) and \(b.shape) differ")
        let result = TensorStorage<Scalar>(uninitializedCount: a.scalarCount)
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in kernel(x.baseAddress!, y.baseAddress!, result.pointer, x.count) }
        }
        return Tensor(shape: a.shape, storage: result)
    }

    /// The element-wise square, `self * self`, as one tape entry.
    ///
    /// - Returns: `self * self`, shaped like `self`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func squared() -> Tensor {
        let y = mappedByKernel { x, out, n in for i in 0..<n { out[i] = x[i] * x[i] } }
        return Tensor.recordElementwise(y, input: self) { [self] g in
            if Tensor.mustRecord(g, self) { return g * self * 2 }
            return Tensor.zippedByKernel(g, self) { g, x, out, n in for i in 0..<n { out[i] = 2 * x[i] * g[i] } }
        }
    }
}

/// Scalar libm power in `Double`, rounded to the tensor's type (correctly rounded for `Float` inputs
/// in all but rare cases).
@inlinable @inline(__always)
func scalarPower<S: TensorScalar>(_ x: S, _ p: S) -> S { S(pow(Double(x), Double(p))) }

/// Scalar libm natural logarithm in `Double`, rounded to the tensor's type.
@inlinable @inline(__always)
func scalarLogarithm<S: TensorScalar>(_ x: S) -> S { S(log(Double(x))) }

/// The exponential eˣ of every element (≤ 1 ulp; see `Kernels.exp`). Pullback: g·eˣ, from the output.
///
/// - Parameter x: A tensor.
/// - Returns: eˣ element by element, shaped like `x`.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func exp<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> {
    let y = x.mappedByKernel { Kernels.exp($0, $1, count: $2) }
    return Tensor.recordElementwise(y, input: x) { g in
        if Tensor.mustRecord(g, x) { return g * exp(x) }
        return Tensor.zippedByKernel(g, y) { Kernels.multiply($0, $1, $2, count: $3) }
    }
}

/// The natural logarithm of every element (≤ 1 ulp; log 0 = −∞, log of a negative number = NaN).
/// Pullback: g/x.
///
/// - Parameter x: A tensor.
/// - Returns: log x element by element, shaped like `x`.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func log<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> {
    let y = x.mappedByKernel { Kernels.log($0, $1, count: $2) }
    return Tensor.recordElementwise(y, input: x) { g in
        if Tensor.mustRecord(g, x) { return g / x }
        return Tensor.zippedByKernel(g, x) { Kernels.divide($0, $1, $2, count: $3) }
    }
}

/// The square root of every element (correctly rounded). Pullback: g/(2√x), +∞ at 0 as in PyTorch.
///
/// - Parameter x: A tensor.
/// - Returns: √x element by element, shaped like `x`.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func sqrt<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> {
    let y = x.mappedByKernel { Kernels.sqrt($0, $1, count: $2) }
    return Tensor.recordElementwise(y, input: x) { g in
        if Tensor.mustRecord(g, x) { return g / (sqrt(x) * 2) }
        return Tensor.zippedByKernel(g, y) { g, y, out, n in for i in 0..<n { out[i] = g[i] / (2 * y[i]) } }
    }
}

/// The square of every element; the same as `x.squared()`. Pullback: 2x·g.
///
/// - Parameter x: A tensor.
/// - Returns: x² element by element, shaped like `x`.
public func square<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> { x.squared() }

/// The absolute value of every element. Pullback: g·sign(x), with sign(0) = 0 (PyTorch's convention).
///
/// - Parameter x: A tensor.
/// - Returns: |x| element by element, shaped like `x`.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func abs<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> {
    let y = x.mappedByKernel { x, out, n in for i in 0..<n { out[i] = x[i].magnitude } }
    return Tensor.recordElementwise(y, input: x) { g in
        // sign(x) is a constant: its derivative is 0 away from x = 0.
        if Tensor.mustRecord(g) { return g * x.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) } }
        return Tensor.zippedByKernel(g, x) { g, x, out, n in
            for i in 0..<n { out[i] = x[i] > 0 ? g[i] : (x[i] < 0 ? -g[i] : 0) }
        }
    }
}

/// Every element raised to the power `exponent`: xᵖ. Exponents 0, 0.5, 1, 2 and 3 are computed
/// exactly or with `sqrt`; others with libm `pow` in `Double` (negative bases give NaN unless p is an
/// integer). Pullback: g·p·xᵖ⁻¹ (zero for p = 0).
///
/// - Parameters:
///   - x: The bases.
///   - exponent: The power p, the same for every element.
/// - Returns: xᵖ element by element, shaped like `x`.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func pow<S: TensorScalar>(_ x: Tensor<S>, _ exponent: S) -> Tensor<S> {
    let p = exponent
    let y: Tensor<S>
    switch p {
    case 0: y = x.mappedByKernel { _, out, n in for i in 0..<n { out[i] = 1 } }
    case 0.5: y = x.mappedByKernel { Kernels.sqrt($0, $1, count: $2) }
    case 1: y = x.mappedByKernel { x, out, n in out.update(from: x, count: n) }
    case 2: y = x.mappedByKernel { x, out, n in for i in 0..<n { out[i] = x[i] * x[i] } }
    case 3: y = x.mappedByKernel { x, out, n in for i in 0..<n { out[i] = x[i] * x[i] * x[i] } }
    default: y = x.mappedByKernel { x, out, n in for i in 0..<n { out[i] = scalarPower(x[i], p) } }
    }
    return Tensor.recordElementwise(y, input: x) { g in
        if Tensor.mustRecord(g, x) {
            switch p {
            case 0: return Tensor.zeros(x.shape)
            case 1: return g
            case 2: return g * x * 2
            default: return g * pow(x, p - 1) * p
            }
        }
        return Tensor.zippedByKernel(g, x) { g, x, out, n in
            switch p {
            case 0: for i in 0..<n { out[i] = 0 }
            case 1: out.update(from: g, count: n)
            case 2: for i in 0..<n { out[i] = 2 * x[i] * g[i] }
            case 3: for i in 0..<n { out[i] = 3 * x[i] * x[i] * g[i] }
            default: for i in 0..<n { out[i] = g[i] * p * scalarPower(x[i], p - 1) }
            }
        }
    }
}

/// `base` raised to `exponent` element by element, broadcasting (libm `pow` in `Double`).
/// Pullbacks: g·p·xᵖ⁻¹ for the base, g·xᵖ·log x for the exponent (zero where x = 0, as in PyTorch).
///
/// - Parameters:
///   - base: The bases.
///   - exponent: The powers, in a shape that broadcasts with `base`'s.
/// - Returns: baseᵉˣᵖᵒⁿᵉⁿᵗ element by element, with the broadcast shape.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func pow<S: TensorScalar>(_ base: Tensor<S>, _ exponent: Tensor<S>) -> Tensor<S> {
    let y = Tensor.broadcastingMap(base, exponent) { scalarPower($0, $1) }
    return Tensor.record(y, inputs: base, exponent) { g, needsBase, needsExponent in
        if Tensor.mustRecord([g, base, exponent]) {
            return powRecordedPullback(g, base: base, exponent: exponent, needs: (needsBase, needsExponent))
        }
        let gb = needsBase
            ? (g * Tensor.broadcastingMap(base, exponent) { x, p in p * scalarPower(x, p - 1) })
                .unbroadcast(to: base.shape) : nil
        let ge = needsExponent
            ? (g * Tensor.broadcastingMap(base, exponent) { x, p in x == 0 ? 0 : scalarPower(x, p) * scalarLogarithm(x) })
                .unbroadcast(to: exponent.shape) : nil
        return (gb, ge)
    }
}

/// The recorded (differentiable) cotangents of `pow(base, exponent)`: g·p·xᵖ⁻¹ and g·xᵖ·log x, the
/// latter zero where x = 0, as on the fast path. There the base is replaced by 1 (so that neither xᵖ
/// nor log x is infinite) and the term multiplied by the constant 0, so it and its derivatives vanish.
func powRecordedPullback<S: TensorScalar>(_ g: Tensor<S>, base: Tensor<S>, exponent: Tensor<S>,
                                          needs: (base: Bool, exponent: Bool)) -> (Tensor<S>?, Tensor<S>?) {
    let gb = needs.base ? (g * exponent * pow(base, exponent - 1)).unbroadcast(to: base.shape) : nil
    var ge: Tensor<S>?
    if needs.exponent {
        let atZero = base.map { $0 == 0 ? 1 : 0 }, awayFromZero = base.map { $0 == 0 ? 0 : 1 }
        let safeBase = base + atZero
        ge = (g * pow(safeBase, exponent) * (log(safeBase) * awayFromZero)).unbroadcast(to: exponent.shape)
    }
    return (gb, ge)
}

/// The sine of every element (≤ 1 ulp in `Double`, correctly rounded in `Float` but for rare cases,
/// for |x| ≤ 10⁵; libm beyond). Pullback: g·cos x.
///
/// - Parameter x: A tensor of angles in radians.
/// - Returns: sin x element by element, shaped like `x`.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func sin<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> {
    let y = x.mappedByKernel { Kernels.sin($0, $1, count: $2) }
    return Tensor.recordElementwise(y, input: x) { g in
        if Tensor.mustRecord(g, x) { return g * cos(x) }
        return Tensor.zippedByKernel(x, g) { Kernels.sinBackward(input: $0, cotangent: $1, $2, count: $3) }
    }
}

/// The cosine of every element (accuracy as ``sin(_:)``). Pullback: −g·sin x.
///
/// - Parameter x: A tensor of angles in radians.
/// - Returns: cos x element by element, shaped like `x`.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func cos<S: TensorScalar>(_ x: Tensor<S>) -> Tensor<S> {
    let y = x.mappedByKernel { Kernels.cos($0, $1, count: $2) }
    return Tensor.recordElementwise(y, input: x) { g in
        if Tensor.mustRecord(g, x) { return -(g * sin(x)) }
        return Tensor.zippedByKernel(x, g) { Kernels.cosBackward(input: $0, cotangent: $1, $2, count: $3) }
    }
}
