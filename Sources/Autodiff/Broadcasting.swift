import Requirements

/// NumPy broadcasting: shapes are aligned at their last dimension; each pair of extents must be
/// equal or one of them 1, and the result takes the larger. The adjoint of broadcasting is a sum over
/// the broadcast dimensions (`unbroadcast`).
public enum Broadcasting {
    /// The broadcast shape of `a` and `b`. Precondition: they are compatible (the message names both).
    ///
    /// - Parameters:
    ///   - a: One shape.
    ///   - b: The other shape.
    /// - Returns: The shape both broadcast to.
    public static func shape(_ a: [Int], _ b: [Int]) -> [Int] {
        if a == b { return a }
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            require(x == y || x == 1 || y == 1, "broadcasting: shapes \(a) and \(b) are incompatible")
            result[i] = x == 1 ? y : x
        }
        return result
    }

    /// Element strides of a tensor of shape `shape` read as if broadcast to `target` (0 on broadcast axes).
    @usableFromInline
    static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        for i in (0..<target.count).reversed() {
            let j = i - (target.count - shape.count)
            if j >= 0 {
                strides[i] = shape[j] == 1 ? 0 : step
                step *= shape[j]
            }
        }
        return strides
    }

    /// Calls `body(count, offsetA, strideA, offsetB, strideB, outputOffset)` for runs along the last
    /// axis of `target`, covering every output element once in row-major order.
    @usableFromInline
    static func forEachRun(target: [Int], stridesA: [Int], stridesB: [Int],
                           _ body: (Int, Int, Int, Int, Int, Int) -> Void) {
        let rank = target.count
        if rank == 0 { body(1, 0, 0, 0, 0, 0); return }
        let inner = target[rank - 1]
        let outer = target.dropLast().reduce(1, *)
        if inner == 0 || outer == 0 { return }
        var index = [Int](repeating: 0, count: rank - 1)
        var offsetA = 0, offsetB = 0
        for run in 0..<outer {
            body(inner, offsetA, stridesA[rank - 1], offsetB, stridesB[rank - 1], run * inner)
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                offsetA += stridesA[axis]
                offsetB += stridesB[axis]
                if index[axis] < target[axis] { break }
                offsetA -= stridesA[axis] * target[axis]
                offsetB -= stridesB[axis] * target[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

extension Tensor {
    /// Sums `self` (the cotangent of a broadcast result) down to `shape`: the adjoint of broadcasting.
    /// Differentiable (its derivative is ``broadcast(to:)``): recorded as sums when `self` is recorded (or a
    /// native `jvp` propagates tangents).
    ///
    /// - Parameter shape: The shape `self` was broadcast from (compatible with `self`'s shape).
    /// - Returns: `self` summed over the broadcast dimensions, with shape `shape`.
    @inlinable
    public func unbroadcast(to shape: [Int]) -> Tensor {
        if self.shape == shape { return self }
        if isRecorded || Tensor.propagatesTangents { return unbroadcastRecorded(to: shape) }
        return Tensor.unbroadcastValue(self, to: shape)
    }

    /// `unbroadcast(to:)` as recorded sums: over the leading axes `shape` lacks, then (kept) over the
    /// axes where `shape` has extent 1.
    @usableFromInline
    func unbroadcastRecorded(to shape: [Int]) -> Tensor {
        let leading = rank - shape.count
        var result = leading > 0 ? sum(axes: Array(0..<leading)) : self
        let ones = shape.indices.filter { shape[$0] == 1 && result.shape[$0] != 1 }
        if !ones.isEmpty { result = result.sum(axes: ones, keepDims: true) }
        return result.reshaped(shape)
    }

    @usableFromInline
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func unbroadcastValue(_ gradient: Tensor, to shape: [Int]) -> Tensor {
        let count = shape.reduce(1, *)
        let result = TensorStorage<Scalar>(repeating: 0, count: count)
        gradient.withUnsafeBufferPointer { g in
            let source = g.baseAddress!
            let out = result.pointer
            if count == 1 {
                out[0] = Kernels.sum(source, count: g.count)
            } else if g.count % count == 0 && Array(gradient.shape.suffix(shape.count)) == shape {
                // Leading axes broadcast (a bias added to every row): add the rows together.
                for row in 0..<(g.count / count) {
                    Kernels.add(out, source + row * count, out, count: count)
                }
            } else {
                let target = gradient.shape
                let strides = Broadcasting.strides(of: shape, broadcastTo: target)
                let unit = [Int](repeating: 0, count: target.count)
                Broadcasting.forEachRun(target: target, stridesA: strides, stridesB: unit) { n, offset, stride, _, _, gOffset in
                    if stride == 0 {
                        out[offset] += Kernels.sum(source + gOffset, count: n)
                    } else {
                        for i in 0..<n { out[offset + i * stride] += source[gOffset + i] }
                    }
                }
            }
        }
        return Tensor(shape: shape, storage: result)
    }

    /// `self` repeated along the axes where `shape` is larger (NumPy broadcasting). Differentiable.
    ///
    /// - Parameter shape: The target shape; `self`'s shape must broadcast to it.
    /// - Returns: `self` broadcast to `shape`.
    public func broadcast(to shape: [Int]) -> Tensor {
        require(Broadcasting.shape(self.shape, shape) == shape,
                "broadcast(to:): shape \(self.shape) cannot be broadcast to \(shape)")
        if self.shape == shape { return self }
        let zero = Tensor.zeros(shape)
        return self + zero
    }
}
