import Requirements

/// Matrix products with NumPy `matmul` semantics, on the GEMM kernel (`Kernels.gemm`).
///
/// The pullback of C = A·B is dA = G·Bᵀ and dB = Aᵀ·G, computed by the kernel's transpose flags
/// (no transposed copy is made), only for the inputs that need a cotangent; where a batch dimension
/// was broadcast, the products of the broadcast batches are accumulated into one output slice.

/// The matrix product of `lhs` and `rhs` (NumPy `matmul`).
///
/// - `[m, k] · [k, n] → [m, n]`.
/// - Batched: `[..., m, k] · [..., k, n] → [..., m, n]`; the batch dimensions broadcast (so
///   `[b, m, k] · [k, n]` multiplies every matrix of the batch by the same `[k, n]`).
/// - A rank-1 `lhs` `[k]` is a row vector and a rank-1 `rhs` `[k]` a column vector; the added
///   dimension is removed from the result (`[k] · [k]` is a rank-0 dot product).
///
/// ### See Also
/// ``Tensor/matmul(_:)``, ``linear(_:weight:bias:activation:)``.
///
/// - Parameters:
///   - lhs: The left factor, [..., m, k] (or [k]).
///   - rhs: The right factor, [..., k, n] (or [k]).
/// - Returns: The product, [..., m, n], with the broadcast batch dimensions.
@inlinable
public func matmul<Scalar>(_ lhs: Tensor<Scalar>, _ rhs: Tensor<Scalar>) -> Tensor<Scalar> {
    lhs.matmul(rhs)
}

extension Tensor {
    /// The matrix product `self · other` (NumPy `matmul`; see ``matmul(_:_:)``).
    ///
    /// - Parameter other: The right factor.
    /// - Returns: `matmul(self, other)`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func matmul(_ other: Tensor) -> Tensor {
        require(rank >= 1 && other.rank >= 1,
                "matmul: shapes \(shape) and \(other.shape) must both have rank ≥ 1")
        let lhsShape = rank == 1 ? [1, shape[0]] : shape
        let rhsShape = other.rank == 1 ? [other.shape[0], 1] : other.shape
        let m = lhsShape[lhsShape.count - 2], k = lhsShape[lhsShape.count - 1]
        let n = rhsShape[rhsShape.count - 1]
        require(rhsShape[rhsShape.count - 2] == k,
                "matmul: shapes \(shape) and \(other.shape) have mismatched inner dimensions")
        let lhsBatch = Array(lhsShape.dropLast(2)), rhsBatch = Array(rhsShape.dropLast(2))
        let batch = Broadcasting.shape(lhsBatch, rhsBatch)
        var resultShape = batch
        if rank > 1 { resultShape.append(m) }
        if other.rank > 1 { resultShape.append(n) }
        let value = Tensor.batchedProduct(self, batch: lhsBatch, transposeA: false,
                                          other, batch: rhsBatch, transposeB: false,
                                          m: m, n: n, k: k, fullBatch: batch, resultBatch: batch,
                                          resultShape: resultShape)
        let (shapeA, shapeB) = (shape, other.shape)
        return Tensor.record(value, inputs: self, other, tangent: { a, b, _ in
            let fromRight = b.map { self.matmul($0) }
            if let a { return fromRight.map { a.matmul(other) + $0 } ?? a.matmul(other) }
            return fromRight!
        }) { g, needsA, needsB in
            if Tensor.mustRecord(g, self) || Tensor.mustRecord(other) {
                return Tensor.matmulRecordedPullback(g, self, other, needsA: needsA, needsB: needsB,
                                                     lhsShape: lhsShape, rhsShape: rhsShape,
                                                     resultShape: batch + [m, n])
            }
            // dA = G·Bᵀ (m × k), dB = Aᵀ·G (k × n), each summed over the batches it was broadcast to.
            let da = needsA ? Tensor.batchedProduct(g, batch: batch, transposeA: false,
                                                    other, batch: rhsBatch, transposeB: true,
                                                    m: m, n: k, k: n, fullBatch: batch, resultBatch: lhsBatch,
                                                    resultShape: shapeA) : nil
            let db = needsB ? Tensor.batchedProduct(self, batch: lhsBatch, transposeA: true,
                                                    g, batch: batch, transposeB: false,
                                                    m: k, n: n, k: m, fullBatch: batch, resultBatch: rhsBatch,
                                                    resultShape: shapeB) : nil
            return (da, db)
        }
    }

    /// The pullback of `matmul` with differentiable operations (recorded, so that it can be
    /// differentiated again): dA = G·Bᵀ and dB = Aᵀ·G as matrix products of the operands read as
    /// matrices (`lhsShape`, `rhsShape`: rank-1 operands with their unit axis), each summed over the
    /// batch axes its operand was broadcast along, then given its operand's shape.
    static func matmulRecordedPullback(_ g: Tensor, _ a: Tensor, _ b: Tensor, needsA: Bool, needsB: Bool,
                                       lhsShape: [Int], rhsShape: [Int], resultShape: [Int]) -> (Tensor?, Tensor?) {
        let g = g.reshaped(resultShape)
        let da = needsA ? g.matmul(b.reshaped(rhsShape).transposingLastTwoAxes())
            .unbroadcast(to: lhsShape).reshaped(a.shape) : nil
        let db = needsB ? a.reshaped(lhsShape).transposingLastTwoAxes().matmul(g)
            .unbroadcast(to: rhsShape).reshaped(b.shape) : nil
        return (da, db)
    }

    /// The tensor with its last two axes swapped (recorded): the transpose of every matrix of a batch.
    func transposingLastTwoAxes() -> Tensor {
        var permutation = Array(0..<rank)
        permutation.swapAt(rank - 2, rank - 1)
        return transposed(permutation)
    }

    /// For every batch index of `fullBatch`: C[resultBatch index] (+)= op(A[index]) · op(B[index]), where
    /// op(A) is m × k and op(B) is k × n, and A, B, C read their batch index broadcast from their own
    /// batch shapes (C accumulates over the batches it was broadcast over). Unrecorded.
    @usableFromInline
    static func batchedProduct(_ a: Tensor, batch batchA: [Int], transposeA: Bool,
                               _ b: Tensor, batch batchB: [Int], transposeB: Bool,
                               m: Int, n: Int, k: Int, fullBatch: [Int], resultBatch: [Int],
                               resultShape: [Int]) -> Tensor {
        let count = fullBatch.reduce(1, *)
        let countA = batchA.reduce(1, *), countB = batchB.reduce(1, *), countC = resultBatch.reduce(1, *)
        let result = TensorStorage<Scalar>(uninitializedCount: countC * m * n)
        let pa = a.storage.pointer, pb = b.storage.pointer, pc = result.pointer
        let (lda, ldb) = (transposeA ? m : k, transposeB ? k : n)
        if count == 0 || count == 1 {
            if count == 0 { pc.initialize(repeating: 0, count: countC * m * n) } else {
                Kernels.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                             a: pa, lda: lda, b: pb, ldb: ldb, c: pc, ldc: n, accumulate: false)
            }
        } else if countA == count && countB == 1 && countC == count && !transposeA {
            // Every A and C matrix against one B: stack the A rows into one product.
            Kernels.gemm(transposeA: false, transposeB: transposeB, m: count * m, n: n, k: k,
                         a: pa, lda: lda, b: pb, ldb: ldb, c: pc, ldc: n, accumulate: false)
        } else if countA == count && countB == count && countC == 1 && transposeA && !transposeB {
            // Σ_batch A_iᵀ B_i: the batch joins the contraction.
            Kernels.gemm(transposeA: true, transposeB: false, m: m, n: n, k: count * k,
                         a: pa, lda: lda, b: pb, ldb: ldb, c: pc, ldc: n, accumulate: false)
        } else {
            let stridesA = Broadcasting.strides(of: batchA, broadcastTo: fullBatch)
            let stridesB = Broadcasting.strides(of: batchB, broadcastTo: fullBatch)
            let stridesC = Broadcasting.strides(of: resultBatch, broadcastTo: fullBatch)
            var written = [Bool](repeating: false, count: countC)
            var index = [Int](repeating: 0, count: fullBatch.count)
            var (ia, ib, ic) = (0, 0, 0)
            for _ in 0..<count {
                Kernels.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                             a: pa + ia * m * k, lda: lda, b: pb + ib * k * n, ldb: ldb,
                             c: pc + ic * m * n, ldc: n, accumulate: written[ic])
                written[ic] = true
                var axis = fullBatch.count - 1
                while axis >= 0 {  // advance the batch multi-index, carrying the three offsets
                    index[axis] += 1
                    ia += stridesA[axis]; ib += stridesB[axis]; ic += stridesC[axis]
                    if index[axis] < fullBatch[axis] { break }
                    ia -= stridesA[axis] * fullBatch[axis]
                    ib -= stridesB[axis] * fullBatch[axis]
                    ic -= stridesC[axis] * fullBatch[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        return withExtendedLifetime((a, b)) { Tensor(shape: resultShape, storage: result) }
    }
}
