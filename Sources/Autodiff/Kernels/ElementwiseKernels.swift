/// Contiguous element-wise loops on raw pointers: the arithmetic behind the tensor ops.
///
/// Written generically and specialised for `Float` and `Double`; the loops are simple enough for the
/// compiler to vectorise. Sources and destination may alias exactly (in-place), never partially.
@usableFromInline
enum Kernels {
    @inlinable
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func add<S: TensorScalar>(_ a: UnsafePointer<S>, _ b: UnsafePointer<S>,
                                     _ out: UnsafeMutablePointer<S>, count: Int) {
        for i in 0..<count { out[i] = a[i] + b[i] }
    }

    @inlinable
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func subtract<S: TensorScalar>(_ a: UnsafePointer<S>, _ b: UnsafePointer<S>,
                                          _ out: UnsafeMutablePointer<S>, count: Int) {
        for i in 0..<count { out[i] = a[i] - b[i] }
    }

    @inlinable
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func multiply<S: TensorScalar>(_ a: UnsafePointer<S>, _ b: UnsafePointer<S>,
                                          _ out: UnsafeMutablePointer<S>, count: Int) {
        for i in 0..<count { out[i] = a[i] * b[i] }
    }

    @inlinable
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func divide<S: TensorScalar>(_ a: UnsafePointer<S>, _ b: UnsafePointer<S>,
                                        _ out: UnsafeMutablePointer<S>, count: Int) {
        for i in 0..<count { out[i] = a[i] / b[i] }
    }

    /// out[i] = a[i] * scale + shift
    @inlinable
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func affine<S: TensorScalar>(_ a: UnsafePointer<S>, scale: S, shift: S,
                                        _ out: UnsafeMutablePointer<S>, count: Int) {
        for i in 0..<count { out[i] = a[i] * scale + shift }
    }

    /// Sum of all elements (pairwise in blocks, for accuracy and speed).
    @inlinable
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func sum<S: TensorScalar>(_ a: UnsafePointer<S>, count: Int) -> S {
        if count <= 256 {
            var s0: S = 0, s1: S = 0, s2: S = 0, s3: S = 0
            var i = 0
            while i + 4 <= count {
                s0 += a[i]; s1 += a[i + 1]; s2 += a[i + 2]; s3 += a[i + 3]
                i += 4
            }
            while i < count { s0 += a[i]; i += 1 }
            return (s0 + s1) + (s2 + s3)
        }
        let half = (count / 2) & ~7
        return sum(a, count: half) + sum(a + half, count: count - half)
    }
}
