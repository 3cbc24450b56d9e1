import FusedMultiplyAdd

/// The register-blocked inner kernels of GEMM: one tile of C, `rows × 32`, updated with
/// `A[rows × kc] · Bpanel[kc × 32]`, where the B panel is packed (32 contiguous scalars per k step) and
/// A is read in place: element (r, p) at `a[r * rowStride + p * columnStride]`.
///
/// Sixteen SIMD accumulators stay in registers for the whole k loop: Float uses 8 rows × 2 `SIMD16`,
/// Double 4 rows × 4 `SIMD8` (both fill 16 of the 32 AVX-512 registers, leaving room for the B vectors
/// and the A broadcasts). Every multiply-add goes through `multiplyAdd` (fused only in native builds).
extension Kernels {
    /// Rows of the Float microkernel.
    @usableFromInline static let floatTileRows = 8
    /// Rows of the Double microkernel.
    @usableFromInline static let doubleTileRows = 4
    /// Columns of every microkernel (the width of a packed B panel).
    @usableFromInline static let tileColumns = 32

    /// C[8 × 32] (+)= A[8 × kc] · B[kc × 32] in Float.
    @inline(__always)
    static func floatTile(kc: Int, a: UnsafePointer<Float>, rowStride rs: Int, columnStride cs: Int,
                          b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
                          accumulate: Bool) {
        typealias V = SIMD16<Float>
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> V {
            UnsafeRawPointer(p).loadUnaligned(as: V.self)
        }
        @inline(__always) func loadC(_ r: Int, _ h: Int) -> V {
            accumulate ? UnsafeRawPointer(c + r * ldc + 16 * h).loadUnaligned(as: V.self) : V()
        }
        var c00 = loadC(0, 0), c01 = loadC(0, 1), c10 = loadC(1, 0), c11 = loadC(1, 1)
        var c20 = loadC(2, 0), c21 = loadC(2, 1), c30 = loadC(3, 0), c31 = loadC(3, 1)
        var c40 = loadC(4, 0), c41 = loadC(4, 1), c50 = loadC(5, 0), c51 = loadC(5, 1)
        var c60 = loadC(6, 0), c61 = loadC(6, 1), c70 = loadC(7, 0), c71 = loadC(7, 1)
        var pa = a, pb = b
        for _ in 0..<kc {
            let b0 = load(pb), b1 = load(pb + 16)
            var x = V(repeating: pa[0])
            c00 = multiplyAdd(x, b0, c00); c01 = multiplyAdd(x, b1, c01)
            x = V(repeating: pa[rs])
            c10 = multiplyAdd(x, b0, c10); c11 = multiplyAdd(x, b1, c11)
            x = V(repeating: pa[2 * rs])
            c20 = multiplyAdd(x, b0, c20); c21 = multiplyAdd(x, b1, c21)
            x = V(repeating: pa[3 * rs])
            c30 = multiplyAdd(x, b0, c30); c31 = multiplyAdd(x, b1, c31)
            x = V(repeating: pa[4 * rs])
            c40 = multiplyAdd(x, b0, c40); c41 = multiplyAdd(x, b1, c41)
            x = V(repeating: pa[5 * rs])
            c50 = multiplyAdd(x, b0, c50); c51 = multiplyAdd(x, b1, c51)
            x = V(repeating: pa[6 * rs])
            c60 = multiplyAdd(x, b0, c60); c61 = multiplyAdd(x, b1, c61)
            x = V(repeating: pa[7 * rs])
            c70 = multiplyAdd(x, b0, c70); c71 = multiplyAdd(x, b1, c71)
            pa += cs
            pb += 32
        }
        @inline(__always) func store(_ v: V, _ r: Int, _ h: Int) {
            UnsafeMutableRawPointer(c + r * ldc + 16 * h).storeBytes(of: v, as: V.self)
        }
        store(c00, 0, 0); store(c01, 0, 1); store(c10, 1, 0); store(c11, 1, 1)
        store(c20, 2, 0); store(c21, 2, 1); store(c30, 3, 0); store(c31, 3, 1)
        store(c40, 4, 0); store(c41, 4, 1); store(c50, 5, 0); store(c51, 5, 1)
        store(c60, 6, 0); store(c61, 6, 1); store(c70, 7, 0); store(c71, 7, 1)
    }

    /// C[4 × 32] (+)= A[4 × kc] · B[kc × 32] in Double.
    @inline(__always)
    static func doubleTile(kc: Int, a: UnsafePointer<Double>, rowStride rs: Int, columnStride cs: Int,
                           b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>, ldc: Int,
                           accumulate: Bool) {
        typealias V = SIMD8<Double>
        @inline(__always) func load(_ p: UnsafePointer<Double>) -> V {
            UnsafeRawPointer(p).loadUnaligned(as: V.self)
        }
        @inline(__always) func loadC(_ r: Int, _ q: Int) -> V {
            accumulate ? UnsafeRawPointer(c + r * ldc + 8 * q).loadUnaligned(as: V.self) : V()
        }
        var c00 = loadC(0, 0), c01 = loadC(0, 1), c02 = loadC(0, 2), c03 = loadC(0, 3)
        var c10 = loadC(1, 0), c11 = loadC(1, 1), c12 = loadC(1, 2), c13 = loadC(1, 3)
        var c20 = loadC(2, 0), c21 = loadC(2, 1), c22 = loadC(2, 2), c23 = loadC(2, 3)
        var c30 = loadC(3, 0), c31 = loadC(3, 1), c32 = loadC(3, 2), c33 = loadC(3, 3)
        var pa = a, pb = b
        for _ in 0..<kc {
            let b0 = load(pb), b1 = load(pb + 8), b2 = load(pb + 16), b3 = load(pb + 24)
            var x = V(repeating: pa[0])
            c00 = multiplyAdd(x, b0, c00); c01 = multiplyAdd(x, b1, c01)
            c02 = multiplyAdd(x, b2, c02); c03 = multiplyAdd(x, b3, c03)
            x = V(repeating: pa[rs])
            c10 = multiplyAdd(x, b0, c10); c11 = multiplyAdd(x, b1, c11)
            c12 = multiplyAdd(x, b2, c12); c13 = multiplyAdd(x, b3, c13)
            x = V(repeating: pa[2 * rs])
            c20 = multiplyAdd(x, b0, c20); c21 = multiplyAdd(x, b1, c21)
            c22 = multiplyAdd(x, b2, c22); c23 = multiplyAdd(x, b3, c23)
            x = V(repeating: pa[3 * rs])
            c30 = multiplyAdd(x, b0, c30); c31 = multiplyAdd(x, b1, c31)
            c32 = multiplyAdd(x, b2, c32); c33 = multiplyAdd(x, b3, c33)
            pa += cs
            pb += 32
        }
        @inline(__always) func store(_ v: V, _ r: Int, _ q: Int) {
            UnsafeMutableRawPointer(c + r * ldc + 8 * q).storeBytes(of: v, as: V.self)
        }
        store(c00, 0, 0); store(c01, 0, 1); store(c02, 0, 2); store(c03, 0, 3)
        store(c10, 1, 0); store(c11, 1, 1); store(c12, 1, 2); store(c13, 1, 3)
        store(c20, 2, 0); store(c21, 2, 1); store(c22, 2, 2); store(c23, 2, 3)
        store(c30, 3, 0); store(c31, 3, 1); store(c32, 3, 2); store(c33, 3, 3)
    }

    /// C[8 × 16] (+)= A[8 × kc] · B[kc × 16] in Float: the left half of a packed panel, for edges ≤ 16 wide.
    @inline(__always)
    static func floatHalfTile(kc: Int, a: UnsafePointer<Float>, rowStride rs: Int, columnStride cs: Int,
                              b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
                              accumulate: Bool) {
        typealias V = SIMD16<Float>
        @inline(__always) func loadC(_ r: Int) -> V {
            accumulate ? UnsafeRawPointer(c + r * ldc).loadUnaligned(as: V.self) : V()
        }
        var c0 = loadC(0), c1 = loadC(1), c2 = loadC(2), c3 = loadC(3)
        var c4 = loadC(4), c5 = loadC(5), c6 = loadC(6), c7 = loadC(7)
        var pa = a, pb = b
        for _ in 0..<kc {
            let b0 = UnsafeRawPointer(pb).loadUnaligned(as: V.self)
            c0 = multiplyAdd(V(repeating: pa[0]), b0, c0)
            c1 = multiplyAdd(V(repeating: pa[rs]), b0, c1)
            c2 = multiplyAdd(V(repeating: pa[2 * rs]), b0, c2)
            c3 = multiplyAdd(V(repeating: pa[3 * rs]), b0, c3)
            c4 = multiplyAdd(V(repeating: pa[4 * rs]), b0, c4)
            c5 = multiplyAdd(V(repeating: pa[5 * rs]), b0, c5)
            c6 = multiplyAdd(V(repeating: pa[6 * rs]), b0, c6)
            c7 = multiplyAdd(V(repeating: pa[7 * rs]), b0, c7)
            pa += cs
            pb += 32
        }
        @inline(__always) func store(_ v: V, _ r: Int) {
            UnsafeMutableRawPointer(c + r * ldc).storeBytes(of: v, as: V.self)
        }
        store(c0, 0); store(c1, 1); store(c2, 2); store(c3, 3)
        store(c4, 4); store(c5, 5); store(c6, 6); store(c7, 7)
    }

    /// C[4 × 16] (+)= A[4 × kc] · B[kc × 16] in Double: the left half of a packed panel.
    @inline(__always)
    static func doubleHalfTile(kc: Int, a: UnsafePointer<Double>, rowStride rs: Int, columnStride cs: Int,
                               b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>, ldc: Int,
                               accumulate: Bool) {
        typealias V = SIMD8<Double>
        @inline(__always) func loadC(_ r: Int, _ q: Int) -> V {
            accumulate ? UnsafeRawPointer(c + r * ldc + 8 * q).loadUnaligned(as: V.self) : V()
        }
        var c00 = loadC(0, 0), c01 = loadC(0, 1), c10 = loadC(1, 0), c11 = loadC(1, 1)
        var c20 = loadC(2, 0), c21 = loadC(2, 1), c30 = loadC(3, 0), c31 = loadC(3, 1)
        var pa = a, pb = b
        for _ in 0..<kc {
            let b0 = UnsafeRawPointer(pb).loadUnaligned(as: V.self)
            let b1 = UnsafeRawPointer(pb + 8).loadUnaligned(as: V.self)
            var x = V(repeating: pa[0])
            c00 = multiplyAdd(x, b0, c00); c01 = multiplyAdd(x, b1, c01)
            x = V(repeating: pa[rs])
            c10 = multiplyAdd(x, b0, c10); c11 = multiplyAdd(x, b1, c11)
            x = V(repeating: pa[2 * rs])
            c20 = multiplyAdd(x, b0, c20); c21 = multiplyAdd(x, b1, c21)
            x = V(repeating: pa[3 * rs])
            c30 = multiplyAdd(x, b0, c30); c31 = multiplyAdd(x, b1, c31)
            pa += cs
            pb += 32
        }
        @inline(__always) func store(_ v: V, _ r: Int, _ q: Int) {
            UnsafeMutableRawPointer(c + r * ldc + 8 * q).storeBytes(of: v, as: V.self)
        }
        store(c00, 0, 0); store(c01, 0, 1); store(c10, 1, 0); store(c11, 1, 1)
        store(c20, 2, 0); store(c21, 2, 1); store(c30, 3, 0); store(c31, 3, 1)
    }
}
