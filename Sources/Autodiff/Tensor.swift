import Requirements

/// A row-major, contiguous n-dimensional array of `Float` or `Double` that records the operations
/// applied to it while a differential operator (`valueWithGradient`, `valueWithPullback`) runs.
///
/// ``Tensor`` has value semantics: operations return new tensors, and the mutating accessors copy the
/// buffer first when it is shared. A rank-0 tensor (shape `[]`) holds one scalar.
///
///     let x = Tensor<Float>([[1, 2], [3, 4]])
///     let y = (x * x).sum()          // 30
public struct Tensor<Scalar: TensorScalar>: @unchecked Sendable {
    /// The extent of each dimension, outermost first.
    public let shape: [Int]
    /// The buffer; shared between copies until one of them mutates.
    @usableFromInline var storage: TensorStorage<Scalar>
    /// Identity of the tape this tensor was recorded on (0: not recorded).
    @usableFromInline var tapeIdentity: Int
    /// This tensor's node on that tape.
    @usableFromInline var tapeNode: Int

    /// Wraps `storage` (whose count must match `shape`) as an unrecorded tensor.
    @inlinable
    package init(shape: [Int], storage: TensorStorage<Scalar>) {
        require(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        require(shape.reduce(1, *) == storage.count,
                "Tensor: shape \(shape) needs \(shape.reduce(1, *)) scalars, storage has \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.tapeIdentity = 0
        self.tapeNode = -1
    }

    /// Creates a tensor of the given shape from row-major scalars.
    ///
    /// - Parameters:
    ///   - shape: The extent of each dimension; an empty shape is a scalar.
    ///   - scalars: The elements in row-major order, as many as the shape's product.
    @inlinable
    public init(shape: [Int], scalars: [Scalar]) {
        require(shape.reduce(1, *) == scalars.count,
                "Tensor: shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        let storage = TensorStorage<Scalar>(uninitializedCount: scalars.count)
        scalars.withUnsafeBufferPointer { storage.pointer.initialize(from: $0.baseAddress!, count: $0.count) }
        self.init(shape: shape, storage: storage)
    }

    /// Creates a tensor of the given shape whose every element is `value`.
    ///
    /// - Parameters:
    ///   - value: The value of every element.
    ///   - shape: The extent of each dimension.
    @inlinable
    public init(repeating value: Scalar, shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(repeating: value, count: shape.reduce(1, *)))
    }

    /// Creates a rank-0 tensor holding `scalar`.
    ///
    /// - Parameter scalar: The value.
    @inlinable
    public init(_ scalar: Scalar) {
        self.init(shape: [], storage: TensorStorage(repeating: scalar, count: 1))
    }

    /// Creates a rank-1 tensor from `scalars`.
    ///
    /// - Parameter scalars: The elements.
    @inlinable
    public init(_ scalars: [Scalar]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// Creates a rank-2 tensor from rows of equal length.
    ///
    /// - Parameter rows: The rows, all of the same length.
    @inlinable
    public init(_ rows: [[Scalar]]) {
        let columns = rows.first?.count ?? 0
        require(rows.allSatisfy { $0.count == columns },
                "Tensor: rows of unequal lengths \(rows.map(\.count))")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// Creates a tensor filled with `value`.
    ///
    /// - Parameters:
    ///   - shape: The extent of each dimension.
    ///   - value: The value of every element.
    /// - Returns: A tensor of `shape` whose every element is `value`.
    @inlinable
    public static func full(_ shape: [Int], _ value: Scalar) -> Tensor {
        Tensor(repeating: value, shape: shape)
    }

    /// Creates a tensor of zeros.
    ///
    /// - Parameter shape: The extent of each dimension.
    /// - Returns: A tensor of `shape` whose every element is 0.
    @inlinable
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// Creates a tensor of ones.
    ///
    /// - Parameter shape: The extent of each dimension.
    /// - Returns: A tensor of `shape` whose every element is 1.
    @inlinable
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// Creates a tensor of zeros with the shape of `other`.
    ///
    /// - Parameter other: The tensor whose shape to take.
    /// - Returns: A tensor of `other`'s shape whose every element is 0.
    @inlinable
    public static func zeros(like other: Tensor) -> Tensor { Tensor(repeating: 0, shape: other.shape) }

    /// Number of dimensions.
    @inlinable public var rank: Int { shape.count }
    /// Number of elements.
    @inlinable public var scalarCount: Int { storage.count }
    /// The elements in row-major order (a copy).
    @inlinable public var scalars: [Scalar] { Array(UnsafeBufferPointer(start: storage.pointer, count: storage.count)) }

    /// The only element of a one-element tensor.
    @inlinable
    public var scalar: Scalar {
        require(scalarCount == 1, "Tensor.scalar: shape \(shape) has \(scalarCount) elements, not 1")
        return storage.pointer[0]
    }

    /// Calls `body` with the elements, read-only.
    ///
    /// - Parameter body: A closure that reads the elements in row-major order; the buffer is valid only during
    ///   the call.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) {
            try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
        }
    }

    /// Calls `body` with the elements for writing, copying the buffer first if it is shared. The result
    /// is no longer connected to any tape (a mutation is not a recorded operation).
    ///
    /// - Parameter body: A closure that reads and writes the elements in row-major order; the buffer is valid only
    ///   during the call.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        tapeIdentity = 0
        tapeNode = -1
        return try withExtendedLifetime(storage) { try body(storage.buffer) }
    }

    /// The element at a multi-dimensional index (a copy; not recorded).
    ///
    /// - Parameter indices: One index per dimension, each within its extent.
    /// - Returns: The element at `indices`.
    @inlinable
    public subscript(scalarAt indices: [Int]) -> Scalar {
        get { storage.pointer[flatIndex(indices)] }
        set {
            let index = flatIndex(indices)
            withUnsafeMutableBufferPointer { $0[index] = newValue }
        }
    }

    @inlinable
    func flatIndex(_ indices: [Int]) -> Int {
        require(indices.count == rank, "Tensor: index \(indices) has \(indices.count) components, shape \(shape) has rank \(rank)")
        var flat = 0
        for (axis, (index, extent)) in zip(indices, shape).enumerated() {
            require(index >= 0 && index < extent, "Tensor: index \(index) out of range 0..<\(extent) on axis \(axis) of shape \(shape)")
            flat = flat * extent + index
        }
        return flat
    }

    /// Adds `other` (same shape) into this tensor in place, copying first if the buffer is shared.
    @inlinable
    mutating func addInPlace(_ other: Tensor) {
        require(shape == other.shape, "Tensor.addInPlace: shapes \(shape) and \(other.shape) differ")
        other.withUnsafeBufferPointer { source in
            withUnsafeMutableBufferPointer { destination in
                Kernels.add(source.baseAddress!, destination.baseAddress!, destination.baseAddress!, count: source.count)
            }
        }
    }
}

extension Tensor: CustomStringConvertible {
    /// A nested-bracket rendering of the elements (long tensors abbreviated) with the shape.
    public var description: String {
        func render(_ offset: Int, _ axis: Int) -> String {
            if axis == rank { return "\(storage.pointer[offset])" }
            let extent = shape[axis]
            let stride = shape[(axis + 1)...].reduce(1, *)
            let shown = extent > 12 ? Array(0..<6) + [-1] + Array(extent - 6..<extent) : Array(0..<extent)
            return "[" + shown.map { $0 < 0 ? "…" : render(offset + $0 * stride, axis + 1) }.joined(separator: ", ") + "]"
        }
        return render(0, 0) + " (shape \(shape))"
    }
}

extension Tensor {
    /// Whether the two tensors have the same shape and every pair of elements satisfies
    /// `|a − b| ≤ max(absoluteTolerance, relativeTolerance · max(|a|, |b|))` (swift-numerics semantics:
    /// symmetric, not transitive). NaN is never close to anything.
    ///
    /// - Parameters:
    ///   - other: The tensor to compare with.
    ///   - absoluteTolerance: The largest difference accepted near zero.
    ///   - relativeTolerance: The largest difference accepted relative to the larger magnitude (√ε by default).
    /// - Returns: Whether the shapes are equal and every pair of elements is close.
    public func isApproximatelyEqual(to other: Tensor, absoluteTolerance: Scalar = 0,
                                     relativeTolerance: Scalar = Scalar.ulpOfOne.squareRoot()) -> Bool {
        guard shape == other.shape else { return false }
        return withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                for i in 0..<a.count {
                    let scale = Swift.max(abs(a[i]), abs(b[i]))
                    if !(abs(a[i] - b[i]) <= Swift.max(absoluteTolerance, relativeTolerance * scale)) { return false }
                }
                return true
            }
        }
    }
}
