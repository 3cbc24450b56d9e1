import Requirements

/// Slicing and gathering along an axis. Both copy; their pullbacks scatter the cotangent back into a
/// zero tensor of the input's shape (adding, for gathers with repeated indices). When a derivative is
/// being differentiated, slicing's pullback is a recorded `concatenated` with zeros (whose pullback
/// slices), and gathering's is the recorded companion op `scatteringAdd` (whose pullback gathers).
extension Tensor {
    /// Copies `rows` blocks of `length` elements from `source` (consecutive blocks `sourceStride` apart)
    /// to `destination` (blocks `destinationStride` apart); adds instead of copying when `accumulate`.
    @inline(__always)
    static func copyBlocks(from source: UnsafePointer<Scalar>, sourceStride: Int,
                           to destination: UnsafeMutablePointer<Scalar>, destinationStride: Int,
                           rows: Int, length: Int, accumulate: Bool = false) {
        for r in 0..<rows {
            let s = source + r * sourceStride, d = destination + r * destinationStride
            if accumulate {
                Kernels.add(d, s, d, count: length)
            } else {
                d.update(from: s, count: length)
            }
        }
    }

    /// The elements whose index along `axis` lies in `range`; the result keeps the axis, with extent
    /// `range.count`.
    ///
    /// - Parameters:
    ///   - range: The indices to keep along `axis`, within its extent.
    ///   - axis: The axis to slice (negative counts from the back).
    /// - Returns: The slice, with extent `range.count` on `axis`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sliced(_ range: Range<Int>, axis: Int = 0) -> Tensor {
        let a = normalizedAxis(axis, "sliced")
        require(range.lowerBound >= 0 && range.upperBound <= shape[a],
                "sliced: range \(range) is out of bounds for axis \(axis) of shape \(shape)")
        if range.count == shape[a] { return self }
        let (outer, extent, inner) = Tensor.layout(of: shape, axis: a)
        var newShape = shape
        newShape[a] = range.count
        let result = TensorStorage<Scalar>(uninitializedCount: newShape.reduce(1, *))
        withUnsafeBufferPointer { x in
            Tensor.copyBlocks(from: x.baseAddress! + range.lowerBound * inner, sourceStride: extent * inner,
                              to: result.pointer, destinationStride: range.count * inner,
                              rows: outer, length: range.count * inner)
        }
        let originalShape = shape
        return Tensor.record(Tensor(shape: newShape, storage: result), input: self) { g in
            if Tensor.mustRecord(g) {
                // g padded with zeros along the axis, as a recorded join (whose pullback slices).
                var parts: [Tensor] = []
                var padding = originalShape
                if range.lowerBound > 0 {
                    padding[a] = range.lowerBound
                    parts.append(Tensor.zeros(padding))
                }
                parts.append(g)
                if range.upperBound < extent {
                    padding[a] = extent - range.upperBound
                    parts.append(Tensor.zeros(padding))
                }
                return concatenated(parts, axis: a)
            }
            let gradient = TensorStorage<Scalar>(repeating: 0, count: originalShape.reduce(1, *))
            g.withUnsafeBufferPointer { gp in
                Tensor.copyBlocks(from: gp.baseAddress!, sourceStride: range.count * inner,
                                  to: gradient.pointer + range.lowerBound * inner, destinationStride: extent * inner,
                                  rows: outer, length: range.count * inner)
            }
            return Tensor(shape: originalShape, storage: gradient)
        }
    }

    /// The elements whose first index lies in `range` (a slice along axis 0, keeping the axis).
    ///
    /// - Parameter range: The indices to keep along the first axis.
    /// - Returns: The slice, with extent `range.count` on the first axis.
    public subscript(_ range: Range<Int>) -> Tensor { sliced(range, axis: 0) }

    /// The slices at `indices` along `axis`, in that order (indices may repeat; negative indices count
    /// from the back). The result has extent `indices.count` on `axis`. The pullback adds the cotangent
    /// of every occurrence of an index into that slice.
    ///
    /// - Parameters:
    ///   - indices: The positions to gather along `axis`.
    ///   - axis: The axis to gather along (negative counts from the back).
    /// - Returns: The gathered slices, with extent `indices.count` on `axis`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func gathering(indices: [Int], axis: Int = 0) -> Tensor {
        let a = normalizedAxis(axis, "gathering")
        let (outer, extent, inner) = Tensor.layout(of: shape, axis: a)
        let resolved = indices.map { index in
            let i = index < 0 ? index + extent : index
            require(i >= 0 && i < extent, "gathering: index \(index) is out of range for axis \(axis) of shape \(shape)")
            return i
        }
        var newShape = shape
        newShape[a] = indices.count
        let count = indices.count
        let result = TensorStorage<Scalar>(uninitializedCount: newShape.reduce(1, *))
        withUnsafeBufferPointer { x in
            for (k, i) in resolved.enumerated() {
                Tensor.copyBlocks(from: x.baseAddress! + i * inner, sourceStride: extent * inner,
                                  to: result.pointer + k * inner, destinationStride: count * inner,
                                  rows: outer, length: inner)
            }
        }
        return Tensor.record(Tensor(shape: newShape, storage: result), input: self) { g in
            Tensor.mustRecord(g) ? g.scatteringAdd(indices: resolved, axis: a, extent: extent)
                                 : Tensor.scatterAddedValue(g, indices: resolved, axis: a, extent: extent)
        }
    }

    /// The adjoint of `gathering(indices:axis:)`, as an op of its own: a zero tensor of `self`'s shape
    /// with extent `extent` on `axis`, into which slice `k` of `self` along `axis` is added at position
    /// `indices[k]`. Its pullback is the gather, so the two are closed under differentiation.
    ///
    /// - Parameters:
    ///   - indices: Where each slice of `self` along `axis` goes (resolved: in `0..<extent`; may repeat).
    ///   - axis: The axis (resolved: in `0..<rank`), where `self` has extent `indices.count`.
    ///   - extent: The result's extent on `axis`.
    /// - Returns: The scattered sums, shaped like `self` with extent `extent` on `axis`.
    func scatteringAdd(indices: [Int], axis: Int, extent: Int) -> Tensor {
        Tensor.record(Tensor.scatterAddedValue(self, indices: indices, axis: axis, extent: extent), input: self) { g in
            g.gathering(indices: indices, axis: axis)
        }
    }

    /// `scatteringAdd(indices:axis:extent:)`'s value (not recorded): the pullback of a gather.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func scatterAddedValue(_ g: Tensor, indices: [Int], axis: Int, extent: Int) -> Tensor {
        var originalShape = g.shape
        originalShape[axis] = extent
        let (outer, count, inner) = Tensor.layout(of: g.shape, axis: axis)
        let gradient = TensorStorage<Scalar>(repeating: 0, count: originalShape.reduce(1, *))
        g.withUnsafeBufferPointer { gp in
            for (k, i) in indices.enumerated() {
                Tensor.copyBlocks(from: gp.baseAddress! + k * inner, sourceStride: count * inner,
                                  to: gradient.pointer + i * inner, destinationStride: extent * inner,
                                  rows: outer, length: inner, accumulate: true)
            }
        }
        return Tensor(shape: originalShape, storage: gradient)
    }
}
