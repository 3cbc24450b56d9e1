extension Kernels {
    /// C = op(A)·op(B), or C += op(A)·op(B) when `accumulate`; row-major, with leading dimensions.
    /// op(A) is m×k (A stored k×m when `transposeA`), op(B) is k×n (B stored n×k when `transposeB`).
    ///
    /// Reference implementation (to be replaced by the packed, register-blocked, threaded kernel).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func gemm<S: TensorScalar>(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                      a: UnsafePointer<S>, lda: Int, b: UnsafePointer<S>, ldb: Int,
                                      c: UnsafeMutablePointer<S>, ldc: Int, accumulate: Bool) {
        for i in 0..<m {
            let row = c + i * ldc
            if !accumulate { for j in 0..<n { row[j] = 0 } }
            for p in 0..<k {
                let aip = transposeA ? a[p * lda + i] : a[i * lda + p]
                if transposeB {
                    for j in 0..<n { row[j] += aip * b[j * ldb + p] }
                } else {
                    let brow = b + p * ldb
                    for j in 0..<n { row[j] += aip * brow[j] }
                }
            }
        }
    }
}
