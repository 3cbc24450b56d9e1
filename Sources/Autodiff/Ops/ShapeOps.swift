import Requirements

/// Shape ops: reshaping (which shares the buffer), axis permutation, and adding or removing unit axes.
/// Negative axes count from the back (−1 is the last axis) everywhere.
extension Tensor {
    /// `axis` as an index in `0..<rank` (negative values count from the back). Precondition: in range;
    /// the message names the operation, the axis and the shape.
    @usableFromInline
    func normalizedAxis(_ axis: Int, _ operation: StaticString) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        require(resolved >= 0 && resolved < rank,
                "\(operation): axis \(axis) is out of range for shape \(shape) (rank \(rank))")
        return resolved
    }

    /// Element counts before, along and after `axis` of a row-major `shape`: the tensor read as
    /// `[outer, extent, inner]`.
    @usableFromInline
    static func layout(of shape: [Int], axis: Int) -> (outer: Int, extent: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// `shape` with its one allowed −1 replaced so that it holds `count` elements.
    static func resolvedShape(_ shape: [Int], count: Int, from original: [Int]) -> [Int] {
        let inferred = shape.indices.filter { shape[$0] == -1 }
        require(inferred.count <= 1, "reshaped: at most one −1 allowed in \(shape) (reshaping \(original))")
        require(shape.allSatisfy { $0 >= -1 }, "reshaped: negative extent in \(shape) (reshaping \(original))")
        var result = shape
        if let axis = inferred.first {
            let known = shape.enumerated().reduce(1) { $1.offset == axis ? $0 : $0 * $1.element }
            require(known > 0 && count % known == 0,
                    "reshaped: cannot infer the −1 in \(shape) for \(count) elements of shape \(original)")
            result[axis] = count / known
        }
        require(result.reduce(1, *) == count,
                "reshaped: shape \(shape) does not hold the \(count) elements of shape \(original)")
        return result
    }

    /// The same elements, in the same row-major order, with a new shape. One extent may be −1 and is
    /// inferred. The result shares this tensor's buffer (no copy).
    ///
    /// - Parameter newShape: The new extents, with the same product as the old ones (one may be −1).
    /// - Returns: The reshaped tensor.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let resolved = Tensor.resolvedShape(newShape, count: scalarCount, from: shape)
        if resolved == shape { return self }
        let original = shape
        return Tensor.record(Tensor(shape: resolved, storage: storage), input: self,
                             tangent: { t, _ in t.reshaped(resolved) }) { g in
            Tensor.mustRecord(g) ? g.reshaped(original) : Tensor(shape: original, storage: g.storage)
        }
    }

    /// The elements as a rank-1 tensor (shares the buffer).
    ///
    /// - Returns: The elements, [scalarCount].
    public func flattened() -> Tensor { reshaped([scalarCount]) }

    /// The axes from `startAxis` on merged into one (shares the buffer): `[2, 3, 4]` with `startAxis: 1`
    /// becomes `[2, 12]`.
    ///
    /// - Parameter startAxis: The first axis to merge (negative counts from the back).
    /// - Returns: The tensor of rank `startAxis + 1`.
    public func flattened(startAxis: Int) -> Tensor {
        let start = normalizedAxis(startAxis, "flattened(startAxis:)")
        return reshaped(Array(shape[..<start]) + [shape[start...].reduce(1, *)])
    }

    /// The tensor with a new axis of extent 1 inserted at `axis` (in `-(rank + 1)...rank`; −1 appends).
    ///
    /// - Parameter axis: Where the new axis goes.
    /// - Returns: The tensor, one rank higher.
    public func expandedDimensions(axis: Int) -> Tensor {
        let resolved = axis < 0 ? axis + rank + 1 : axis
        require(resolved >= 0 && resolved <= rank,
                "expandedDimensions: axis \(axis) is out of range for shape \(shape)")
        var newShape = shape
        newShape.insert(1, at: resolved)
        return reshaped(newShape)
    }

    /// The tensor with the axis `axis`, whose extent must be 1, removed.
    ///
    /// - Parameter axis: The axis to remove (negative counts from the back).
    /// - Returns: The tensor, one rank lower.
    public func squeezed(axis: Int) -> Tensor {
        let resolved = normalizedAxis(axis, "squeezed(axis:)")
        require(shape[resolved] == 1, "squeezed(axis:): axis \(axis) of shape \(shape) has extent \(shape[resolved]), not 1")
        var newShape = shape
        newShape.remove(at: resolved)
        return reshaped(newShape)
    }

    /// The tensor with every axis of extent 1 removed.
    ///
    /// - Returns: The tensor without its axes of extent 1.
    public func squeezed() -> Tensor { reshaped(shape.filter { $0 != 1 }) }

    /// The tensor with its axes reversed: the matrix transpose for rank 2.
    ///
    /// - Returns: The transposed tensor.
    public func transposed() -> Tensor { transposed(Array((0..<rank).reversed())) }

    /// The tensor with axis `permutation[i]` of `self` as its axis `i` (negative entries count from the
    /// back). Copies the elements.
    ///
    /// - Parameter permutation: A permutation of the axes.
    /// - Returns: The tensor with its axes permuted.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func transposed(_ permutation: [Int]) -> Tensor {
        require(permutation.count == rank,
                "transposed: permutation \(permutation) has \(permutation.count) axes, shape \(shape) has \(rank)")
        let axes = permutation.map { normalizedAxis($0, "transposed") }
        require(Set(axes).count == rank, "transposed: \(permutation) is not a permutation of the axes of shape \(shape)")
        if axes == Array(0..<rank) { return self }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, axis) in axes.enumerated() { inverse[axis] = i }
        return Tensor.record(Tensor.permutedValue(self, axes), input: self,
                             tangent: { t, _ in t.transposed(axes) }) { g in
            Tensor.mustRecord(g) ? g.transposed(inverse) : Tensor.permutedValue(g, inverse)
        }
    }

    /// Same as `transposed(_:)` (PyTorch's name).
    ///
    /// - Parameter permutation: A permutation of the axes.
    /// - Returns: The tensor with its axes permuted.
    public func permuted(_ permutation: [Int]) -> Tensor { transposed(permutation) }

    /// The elements of `x` rearranged so that output axis `i` is input axis `axes[i]` (not recorded).
    @usableFromInline
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func permutedValue(_ x: Tensor, _ axes: [Int]) -> Tensor {
        let rank = x.rank
        let newShape = axes.map { x.shape[$0] }
        let result = TensorStorage<Scalar>(uninitializedCount: x.scalarCount)
        var inputStrides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { inputStrides[i] = inputStrides[i + 1] * x.shape[i + 1] }
        x.withUnsafeBufferPointer { source in
            let src = source.baseAddress!, out = result.pointer
            let swapsLastTwo = rank >= 2 && axes[rank - 2] == rank - 1 && axes[rank - 1] == rank - 2
                && axes.prefix(rank - 2) == ArraySlice(0..<(rank - 2))
            if swapsLastTwo {
                // Batched matrix transpose, blocked for the cache.
                let rows = x.shape[rank - 2], columns = x.shape[rank - 1], matrix = rows * columns
                for b in 0..<(matrix == 0 ? 0 : x.scalarCount / matrix) {
                    transposeMatrix(src + b * matrix, rows: rows, columns: columns, into: out + b * matrix)
                }
                return
            }
            let strides = axes.map { inputStrides[$0] }
            Broadcasting.forEachRun(target: newShape, stridesA: strides,
                                    stridesB: [Int](repeating: 0, count: rank)) { n, offset, step, _, _, outOffset in
                let s = src + offset, o = out + outOffset
                if step == 1 { o.update(from: s, count: n) } else { for i in 0..<n { o[i] = s[i * step] } }
            }
        }
        return Tensor(shape: newShape, storage: result)
    }

    /// `out` (columns × rows) = transpose of `a` (rows × columns), both row-major, in 32 × 32 tiles.
    @inline(__always)
    static func transposeMatrix(_ a: UnsafePointer<Scalar>, rows: Int, columns: Int,
                                into out: UnsafeMutablePointer<Scalar>) {
        let tile = 32
        for i0 in stride(from: 0, to: rows, by: tile) {
            let i1 = Swift.min(i0 + tile, rows)
            for j0 in stride(from: 0, to: columns, by: tile) {
                let j1 = Swift.min(j0 + tile, columns)
                for i in i0..<i1 {
                    for j in j0..<j1 { out[j * rows + i] = a[i * columns + j] }
                }
            }
        }
    }
}
