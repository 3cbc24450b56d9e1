import FusedMultiplyAdd

extension Kernels {
    /// Work (2·m·n·k) below which `gemm` skips packing and blocking: the tiny products of small
    /// Neural-ODE networks (a batch of 20 through 2→50→2), where packing B into 32-wide panels and
    /// padding edge tiles costs far more than the arithmetic.
    @usableFromInline static let smallGEMMThreshold = 1 << 16

    /// C (+)= op(A)·op(B) by direct loops, vectorised along the contiguous dimension: rows of B when B
    /// is not transposed (axpy form), SIMD dot products along k when it is.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func smallGEMM<S: TensorScalar>(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                           a: UnsafePointer<S>, lda: Int, b: UnsafePointer<S>, ldb: Int,
                                           c: UnsafeMutablePointer<S>, ldc: Int, accumulate: Bool) {
        if n < 8 && !transposeA && !transposeB && k >= 16 {
            // Narrow output, long rows of A: transpose B (k×n, tiny) once so that every output is a SIMD
            // dot product along k (the input cotangent of a layer with few inputs).
            withUnsafeTemporaryAllocation(of: S.self, capacity: k * n) { packed in
                let bt = packed.baseAddress!
                for p in 0..<k { for j in 0..<n { bt[j * k + p] = b[p * ldb + j] } }
                smallGEMM(transposeA: false, transposeB: true, m: m, n: n, k: k, a: a, lda: lda,
                          b: bt, ldb: k, c: c, ldc: ldc, accumulate: accumulate)
            }
            return
        }
        if n < 8 && transposeA && m >= 8 {
            // Narrow output, wide in m with A stored k×m: compute Cᵀ = op(B)ᵀ·A (n×m, vectorised along
            // m in the axpy form), then write it transposed (the weight cotangent of a layer with few inputs).
            withUnsafeTemporaryAllocation(of: S.self, capacity: n * m) { transposed in
                let t = transposed.baseAddress!
                smallGEMM(transposeA: !transposeB, transposeB: false, m: n, n: m, k: k, a: b, lda: ldb,
                          b: a, ldb: lda, c: t, ldc: m, accumulate: false)
                for i in 0..<m {
                    let row = c + i * ldc
                    for j in 0..<n { row[j] = accumulate ? row[j] + t[j * m + i] : t[j * m + i] }
                }
            }
            return
        }
        if n < 8 && !(transposeB && !transposeA && k >= 16) {
            // Too narrow for vectors along n: one scalar dot product per output, any layout.
            let (ai, ap) = transposeA ? (1, lda) : (lda, 1)
            let (bp, bj) = transposeB ? (1, ldb) : (ldb, 1)
            for i in 0..<m {
                let row = c + i * ldc
                for j in 0..<n {
                    var s0: S = 0, s1: S = 0
                    var p = 0
                    while p + 2 <= k {
                        s0 = multiplyAdd(a[i * ai + p * ap], b[p * bp + j * bj], s0)
                        s1 = multiplyAdd(a[i * ai + (p + 1) * ap], b[(p + 1) * bp + j * bj], s1)
                        p += 2
                    }
                    if p < k { s0 = multiplyAdd(a[i * ai + p * ap], b[p * bp + j * bj], s0) }
                    row[j] = accumulate ? row[j] + (s0 + s1) : s0 + s1
                }
            }
            return
        }
        if transposeB && k < 16 {
            // Short dot products waste the SIMD lanes: transpose B (k×n, tiny) once and use the axpy form.
            withUnsafeTemporaryAllocation(of: S.self, capacity: k * n) { packed in
                let bt = packed.baseAddress!
                for j in 0..<n { for p in 0..<k { bt[p * n + j] = b[j * ldb + p] } }
                smallGEMM(transposeA: transposeA, transposeB: false, m: m, n: n, k: k, a: a, lda: lda,
                          b: bt, ldb: n, c: c, ldc: ldc, accumulate: accumulate)
            }
            return
        }
        for i in 0..<m {
            let row = c + i * ldc
            if !accumulate { row.update(repeating: 0, count: n) }
            if transposeB {
                // c[i, j] += Σ_p A(i, p) · B[j, p]: contiguous in p for both when A is not transposed.
                if !transposeA {
                    let ai = a + i * lda
                    for j in 0..<n { row[j] += dot(ai, b + j * ldb, count: k) }
                } else {
                    for j in 0..<n {
                        let bj = b + j * ldb
                        var s: S = 0
                        for p in 0..<k { s = multiplyAdd(a[p * lda + i], bj[p], s) }
                        row[j] += s
                    }
                }
            } else {
                for p in 0..<k {
                    let aip = transposeA ? a[p * lda + i] : a[i * lda + p]
                    if aip == 0 { continue }
                    axpy(aip, b + p * ldb, row, count: n)
                }
            }
        }
    }

    /// y += alpha · x over `count` elements.
    @inline(__always)
    static func axpy<S: TensorScalar>(_ alpha: S, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, count: Int) {
        var j = 0
        let va = SIMD8<S>(repeating: alpha)
        while j + 8 <= count {
            let vx = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<S>.self)
            let vy = UnsafeRawPointer(y + j).loadUnaligned(as: SIMD8<S>.self)
            UnsafeMutableRawPointer(y + j).storeBytes(of: multiplyAdd(va, vx, vy), as: SIMD8<S>.self)
            j += 8
        }
        while j < count { y[j] = multiplyAdd(alpha, x[j], y[j]); j += 1 }
    }

    /// Σ x[p]·y[p], with eight partial sums.
    @inline(__always)
    static func dot<S: TensorScalar>(_ x: UnsafePointer<S>, _ y: UnsafePointer<S>, count: Int) -> S {
        var acc = SIMD8<S>(repeating: 0)
        var p = 0
        while p + 8 <= count {
            acc = multiplyAdd(UnsafeRawPointer(x + p).loadUnaligned(as: SIMD8<S>.self),
                              UnsafeRawPointer(y + p).loadUnaligned(as: SIMD8<S>.self), acc)
            p += 8
        }
        var s = acc.sum()
        while p < count { s = multiplyAdd(x[p], y[p], s); p += 1 }
        return s
    }
}
