/// Sizes of tensors whose shapes come from files, computed without overflow.
///
/// A shape read from a file is untrusted: its dimensions may multiply past `Int.max` even when one of
/// them is zero (`[2^32, 2^31, 0]` holds no element, but `shape.reduce(1, *)` traps on the first
/// product). A shape is accepted only when the product of its nonzero dimensions times the element size
/// fits in an `Int`; then every product of any of its dimensions, in any order, fits too, so code that
/// later multiplies them (element counts, strides) cannot overflow.
enum TensorSize {
    /// The number of bytes of a tensor of `shape` with elements of `elementSize` bytes, or nil when a
    /// dimension is negative or the product of the nonzero dimensions and `elementSize` exceeds `Int.max`.
    static func byteCount(shape: [Int], elementSize: Int) -> Int? {
        var product = elementSize
        var hasZero = false
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            if dimension == 0 { hasZero = true; continue }
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            product = next
        }
        return hasZero ? 0 : product
    }

    /// `terms` added up, or `UInt64.max` when the sum does not fit (for byte counts in messages).
    static func saturatingSum(_ terms: UInt64...) -> UInt64 {
        var sum: UInt64 = 0
        for term in terms {
            let (next, overflow) = sum.addingReportingOverflow(term)
            if overflow { return .max }
            sum = next
        }
        return sum
    }
}
