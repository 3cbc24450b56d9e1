/// `+ − × ÷` with NumPy broadcasting, scalars on either side, and negation.
/// Each pullback sums the cotangent back to its input's shape (`unbroadcast`); each tangent rule (native
/// forward mode) is the product rule written with the same ops.
extension Tensor {
    /// Applies `op` element by element to `a` and `b` broadcast together.
    @inlinable @inline(__always)
    static func broadcastingMap(_ a: Tensor, _ b: Tensor, _ op: (Scalar, Scalar) -> Scalar) -> Tensor {
        if a.shape == b.shape {
            let result = TensorStorage<Scalar>(uninitializedCount: a.scalarCount)
            let x = a.storage.pointer, y = b.storage.pointer, out = result.pointer
            for i in 0..<a.scalarCount { out[i] = op(x[i], y[i]) }
            return withExtendedLifetime((a, b)) { Tensor(shape: a.shape, storage: result) }
        }
        let shape = Broadcasting.shape(a.shape, b.shape)
        let result = TensorStorage<Scalar>(uninitializedCount: shape.reduce(1, *))
        let x = a.storage.pointer, y = b.storage.pointer, out = result.pointer
        Broadcasting.forEachRun(target: shape,
                                stridesA: Broadcasting.strides(of: a.shape, broadcastTo: shape),
                                stridesB: Broadcasting.strides(of: b.shape, broadcastTo: shape)) { n, oa, sa, ob, sb, oo in
            let xa = x + oa, yb = y + ob, o = out + oo
            if sa == 1 && sb == 1 {
                for i in 0..<n { o[i] = op(xa[i], yb[i]) }
            } else if sa == 1 && sb == 0 {
                let v = yb[0]
                for i in 0..<n { o[i] = op(xa[i], v) }
            } else if sa == 0 && sb == 1 {
                let u = xa[0]
                for i in 0..<n { o[i] = op(u, yb[i]) }
            } else {
                for i in 0..<n { o[i] = op(xa[i * sa], yb[i * sb]) }
            }
        }
        return withExtendedLifetime((a, b)) { Tensor(shape: shape, storage: result) }
    }

    /// Applies `op` to every element.
    @inlinable @inline(__always)
    func map(_ op: (Scalar) -> Scalar) -> Tensor {
        let result = TensorStorage<Scalar>(uninitializedCount: scalarCount)
        let x = storage.pointer, out = result.pointer
        for i in 0..<scalarCount { out[i] = op(x[i]) }
        return withExtendedLifetime(self) { Tensor(shape: shape, storage: result) }
    }

    /// Element-wise sum, broadcasting.
    ///
    /// - Parameters:
    ///   - lhs: A tensor.
    ///   - rhs: A tensor whose shape broadcasts with `lhs`'s.
    /// - Returns: `lhs + rhs`, with the broadcast shape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        let (ls, rs) = (lhs.shape, rhs.shape)
        return record(broadcastingMap(lhs, rhs, +), inputs: lhs, rhs, tangent: { a, b, y in
            if let a, let b { return a + b }
            return (a ?? b!).broadcast(to: y.shape)
        }) { g, needsL, needsR in
            (needsL ? g.unbroadcast(to: ls) : nil, needsR ? g.unbroadcast(to: rs) : nil)
        }
    }

    /// Element-wise difference, broadcasting.
    ///
    /// - Parameters:
    ///   - lhs: A tensor.
    ///   - rhs: A tensor whose shape broadcasts with `lhs`'s.
    /// - Returns: `lhs − rhs`, with the broadcast shape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        let (ls, rs) = (lhs.shape, rhs.shape)
        return record(broadcastingMap(lhs, rhs, -), inputs: lhs, rhs, tangent: { a, b, y in
            if let a, let b { return a - b }
            return a?.broadcast(to: y.shape) ?? (-b!).broadcast(to: y.shape)
        }) { g, needsL, needsR in
            (needsL ? g.unbroadcast(to: ls) : nil, needsR ? (-g).unbroadcast(to: rs) : nil)
        }
    }

    /// Element-wise product, broadcasting.
    ///
    /// - Parameters:
    ///   - lhs: A tensor.
    ///   - rhs: A tensor whose shape broadcasts with `lhs`'s.
    /// - Returns: `lhs × rhs` element by element, with the broadcast shape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        record(broadcastingMap(lhs, rhs, *), inputs: lhs, rhs, tangent: { a, b, _ in
            if let a, let b { return a * rhs + lhs * b }
            return a.map { $0 * rhs } ?? lhs * b!
        }) { g, needsL, needsR in
            (needsL ? (g * rhs).unbroadcast(to: lhs.shape) : nil,
             needsR ? (g * lhs).unbroadcast(to: rhs.shape) : nil)
        }
    }

    /// Element-wise quotient, broadcasting.
    ///
    /// - Parameters:
    ///   - lhs: The dividends.
    ///   - rhs: The divisors, in a shape that broadcasts with `lhs`'s.
    /// - Returns: `lhs ÷ rhs` element by element, with the broadcast shape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
        record(broadcastingMap(lhs, rhs, /), inputs: lhs, rhs, tangent: { a, b, _ in
            let fromDivisor = b.map { -(lhs * $0) / (rhs * rhs) }
            if let a { return fromDivisor.map { a / rhs + $0 } ?? a / rhs }
            return fromDivisor!
        }) { g, needsL, needsR in
            (needsL ? (g / rhs).unbroadcast(to: lhs.shape) : nil,
             needsR ? (-(g * lhs) / (rhs * rhs)).unbroadcast(to: rhs.shape) : nil)
        }
    }

    /// Negation.
    ///
    /// - Parameter operand: A tensor.
    /// - Returns: `−operand`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static prefix func - (operand: Tensor) -> Tensor {
        recordElementwise(operand.map { -$0 }, input: operand) { -$0 }
    }

    /// Adds a scalar to every element.
    ///
    /// - Parameters:
    ///   - lhs: A tensor.
    ///   - rhs: The scalar to add.
    /// - Returns: `lhs + rhs`, shaped like `lhs`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (lhs: Tensor, rhs: Scalar) -> Tensor {
        recordElementwise(lhs.map { $0 + rhs }, input: lhs) { $0 }
    }

    /// Adds a scalar to every element.
    ///
    /// - Parameters:
    ///   - lhs: The scalar to add.
    ///   - rhs: A tensor.
    /// - Returns: `lhs + rhs`, shaped like `rhs`.
    public static func + (lhs: Scalar, rhs: Tensor) -> Tensor { rhs + lhs }

    /// Subtracts a scalar from every element.
    ///
    /// - Parameters:
    ///   - lhs: A tensor.
    ///   - rhs: The scalar to subtract.
    /// - Returns: `lhs − rhs`, shaped like `lhs`.
    public static func - (lhs: Tensor, rhs: Scalar) -> Tensor { lhs + (-rhs) }

    /// Subtracts every element from a scalar.
    ///
    /// - Parameters:
    ///   - lhs: The scalar to subtract from.
    ///   - rhs: A tensor.
    /// - Returns: `lhs − rhs`, shaped like `rhs`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func - (lhs: Scalar, rhs: Tensor) -> Tensor {
        recordElementwise(rhs.map { lhs - $0 }, input: rhs) { -$0 }
    }

    /// Multiplies every element by a scalar.
    ///
    /// - Parameters:
    ///   - lhs: A tensor.
    ///   - rhs: The factor.
    /// - Returns: `lhs × rhs`, shaped like `lhs`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (lhs: Tensor, rhs: Scalar) -> Tensor {
        recordElementwise(lhs.map { $0 * rhs }, input: lhs) { $0 * rhs }
    }

    /// Multiplies every element by a scalar.
    ///
    /// - Parameters:
    ///   - lhs: The factor.
    ///   - rhs: A tensor.
    /// - Returns: `lhs × rhs`, shaped like `rhs`.
    public static func * (lhs: Scalar, rhs: Tensor) -> Tensor { rhs * lhs }

    /// Divides every element by a scalar.
    ///
    /// - Parameters:
    ///   - lhs: The dividends.
    ///   - rhs: The divisor.
    /// - Returns: `lhs ÷ rhs`, shaped like `lhs`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func / (lhs: Tensor, rhs: Scalar) -> Tensor {
        recordElementwise(lhs.map { $0 / rhs }, input: lhs) { $0 / rhs }
    }

    /// Divides a scalar by every element.
    ///
    /// - Parameters:
    ///   - lhs: The dividend.
    ///   - rhs: The divisors.
    /// - Returns: `lhs ÷ rhs`, shaped like `rhs`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func / (lhs: Scalar, rhs: Tensor) -> Tensor {
        recordElementwise(rhs.map { lhs / $0 }, input: rhs) { g in -(g * lhs) / (rhs * rhs) }
    }

    /// `lhs = lhs + rhs`.
    ///
    /// - Parameters:
    ///   - lhs: The tensor to update; its shape becomes the broadcast shape.
    ///   - rhs: A tensor whose shape broadcasts with `lhs`'s.
    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs = lhs + rhs }
    /// `lhs = lhs − rhs`.
    ///
    /// - Parameters:
    ///   - lhs: The tensor to update; its shape becomes the broadcast shape.
    ///   - rhs: A tensor whose shape broadcasts with `lhs`'s.
    public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs - rhs }
    /// `lhs = lhs × rhs`.
    ///
    /// - Parameters:
    ///   - lhs: The tensor to update; its shape becomes the broadcast shape.
    ///   - rhs: A tensor whose shape broadcasts with `lhs`'s.
    public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs * rhs }
    /// `lhs = lhs ÷ rhs`.
    ///
    /// - Parameters:
    ///   - lhs: The tensor to update; its shape becomes the broadcast shape.
    ///   - rhs: A tensor whose shape broadcasts with `lhs`'s.
    public static func /= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs / rhs }
    /// `lhs = lhs × rhs`.
    ///
    /// - Parameters:
    ///   - lhs: The tensor to update.
    ///   - rhs: The factor.
    public static func *= (lhs: inout Tensor, rhs: Scalar) { lhs = lhs * rhs }
}
