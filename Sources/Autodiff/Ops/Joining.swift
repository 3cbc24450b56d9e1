import Requirements

/// Joining tensors along an axis: ``concatenated(_:axis:)`` and ``stacked(_:axis:)``. One tape entry each;
/// the pullback cuts the cotangent back into the pieces (with the recorded `sliced` when a derivative is
/// being differentiated).

/// The tensors joined along `axis` (negative counts from the back). All must have the same rank and
/// the same extents on every other axis.
///
///     concatenated([a, b], axis: 1)   // [2, 3] and [2, 5] → [2, 8]
///
/// - Parameters:
///   - tensors: The tensors to join, at least one.
///   - axis: The axis to join along.
/// - Returns: The joined tensor, whose extent on `axis` is the sum of the inputs'.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func concatenated<Scalar>(_ tensors: [Tensor<Scalar>], axis: Int = 0) -> Tensor<Scalar> {
    require(!tensors.isEmpty, "concatenated: needs at least one tensor")
    let first = tensors[0]
    let a = first.normalizedAxis(axis, "concatenated")
    for t in tensors {
        require(t.rank == first.rank && t.shape.enumerated().allSatisfy { $0.offset == a || $0.element == first.shape[$0.offset] },
                "concatenated: shapes \(first.shape) and \(t.shape) differ outside axis \(axis)")
    }
    return Tensor.joined(tensors, axis: a, extents: tensors.map { $0.shape[a] }, resultShape: {
        var shape = first.shape
        shape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        return shape
    }())
}

/// The tensors, which must all have the same shape, stacked along a new axis `axis` (in
/// `-(rank + 1)...rank`): `n` tensors of shape `[2, 3]` stacked at axis 0 give `[n, 2, 3]`.
///
/// - Parameters:
///   - tensors: The tensors to stack, at least one, all of one shape.
///   - axis: Where the new axis goes.
/// - Returns: The stacked tensor, with extent `tensors.count` on the new axis.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func stacked<Scalar>(_ tensors: [Tensor<Scalar>], axis: Int = 0) -> Tensor<Scalar> {
    require(!tensors.isEmpty, "stacked: needs at least one tensor")
    let shape = tensors[0].shape
    for t in tensors {
        require(t.shape == shape, "stacked: shapes \(shape) and \(t.shape) differ")
    }
    let a = axis < 0 ? axis + shape.count + 1 : axis
    require(a >= 0 && a <= shape.count, "stacked: axis \(axis) is out of range for shape \(shape)")
    var resultShape = shape
    resultShape.insert(tensors.count, at: a)
    return Tensor.joined(tensors, axis: a, extents: Array(repeating: 1, count: tensors.count), resultShape: resultShape)
}

extension Tensor {
    /// Joins `parts` along `axis` of `resultShape`, part `i` contributing `extents[i]` there (its own shape
    /// need not contain that axis: stacking passes extent 1). Records one entry.
    @usableFromInline
    static func joined(_ parts: [Tensor], axis: Int, extents: [Int], resultShape: [Int]) -> Tensor {
        let (outer, total, inner) = layout(of: resultShape, axis: axis)
        let result = TensorStorage<Scalar>(uninitializedCount: resultShape.reduce(1, *))
        var offset = 0
        for (part, extent) in zip(parts, extents) {
            part.withUnsafeBufferPointer { x in
                copyBlocks(from: x.baseAddress!, sourceStride: extent * inner,
                           to: result.pointer + offset * inner, destinationStride: total * inner,
                           rows: outer, length: extent * inner)
            }
            offset += extent
        }
        let shapes = parts.map(\.shape)
        return record(Tensor(shape: resultShape, storage: result), inputs: parts) { g, needs in
            if mustRecord(g) {
                // Each piece is a recorded slice of g (whose pullback pads with zeros by joining again).
                var start = 0
                return zip(shapes, extents).enumerated().map { i, item in
                    let (shape, extent) = item
                    defer { start += extent }
                    guard needs[i] else { return nil }
                    return g.sliced(start..<(start + extent), axis: axis).reshaped(shape)
                }
            }
            var start = 0
            return zip(shapes, extents).enumerated().map { i, item in
                let (shape, extent) = item
                defer { start += extent }
                guard needs[i] else { return nil }
                let piece = TensorStorage<Scalar>(uninitializedCount: shape.reduce(1, *))
                g.withUnsafeBufferPointer { gp in
                    copyBlocks(from: gp.baseAddress! + start * inner, sourceStride: total * inner,
                               to: piece.pointer, destinationStride: extent * inner,
                               rows: outer, length: extent * inner)
                }
                return Tensor(shape: shape, storage: piece)
            }
        }
    }
}
