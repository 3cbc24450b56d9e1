// The one multiply-add of the package's kernels (Autodiff's and Solvers'): `package`, not public API.

/// `a * b + c`, lane by lane, as one fused instruction where the build targets a CPU with FMA.
///
/// Swift's default x86-64 target has no FMA, and there `addingProduct` becomes a call to `fmaf` per
/// lane (~100× slower). The native toolset (`native.json`: `-target-cpu native -D NATIVE_FMA`) selects
/// the fused form; every other build gets a plain multiply and add, never the library call.
@inlinable @inline(__always)
package func multiplyAdd<V: SIMD>(_ a: V, _ b: V, _ c: V) -> V where V.Scalar: BinaryFloatingPoint {
    #if NATIVE_FMA
    return c.addingProduct(a, b)
    #else
    return c + a * b
    #endif
}

/// Scalar `a * b + c`, fused only in native builds (see the SIMD overload).
@inlinable @inline(__always)
package func multiplyAdd<S: BinaryFloatingPoint>(_ a: S, _ b: S, _ c: S) -> S {
    #if NATIVE_FMA
    return c.addingProduct(a, b)
    #else
    return c + a * b
    #endif
}
