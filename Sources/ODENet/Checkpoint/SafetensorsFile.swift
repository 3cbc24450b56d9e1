import Requirements

/// The contents of a safetensors file: named tensors as raw little-endian bytes plus string metadata.
///
/// The value is independent of any tensor type: each entry is a dtype, a shape and its bytes in
/// row-major order. Convenience accessors convert `[Float]` and `[Double]` in and out, checking the
/// dtype and, when given, the shape.
///
/// ```swift
/// var checkpoint = SafetensorsFile(metadata: ["format": "pt"])
/// checkpoint.setValues(weights, shape: [64, 784], forKey: "1.weight")
/// try checkpoint.write(to: "model.safetensors")
/// let loaded = try SafetensorsFile(contentsOf: "model.safetensors")
/// let w: [Float] = try loaded.values(forKey: "1.weight", shape: [64, 784])
/// ```
public struct SafetensorsFile: Equatable, Sendable {
    /// One tensor: its element type, shape and row-major little-endian bytes.
    public struct Entry: Equatable, Sendable {
        /// Element type.
        public let dtype: SafetensorsDType
        /// Dimension sizes, outermost first; `[]` is a scalar.
        public let shape: [Int]
        /// `shape.product × dtype.byteCount` bytes.
        public let bytes: [UInt8]

        /// Creates an entry; the byte count must match the shape and dtype (a programmer error otherwise).
        ///
        /// - Parameters:
        ///   - dtype: The element type.
        ///   - shape: The tensor's shape.
        ///   - bytes: The elements, row-major and little-endian.
        public init(dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) {
            require(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
            let size = TensorSize.byteCount(shape: shape, elementSize: dtype.byteCount)
            require(size != nil, "shape \(shape) of \(dtype.rawValue) has more than Int.max bytes")
            require(bytes.count == size, "\(bytes.count) bytes for shape \(shape) of \(dtype.rawValue)")
            self.dtype = dtype
            self.shape = shape
            self.bytes = bytes
        }
    }

    /// The `__metadata__` map of the header.
    public var metadata: [String: String]
    /// Where the value was read from ("<memory>" otherwise), used in error messages.
    public let origin: String
    private var storage: [String: Entry] = [:]
    private var order: [String] = []

    /// Creates an empty checkpoint with the given metadata.
    ///
    /// - Parameters:
    ///   - metadata: Free-form strings for the header's `__metadata__`.
    ///   - origin: What errors name as the file (the path for a file read from disk).
    public init(metadata: [String: String] = [:], origin: String = "<memory>") {
        self.metadata = metadata
        self.origin = origin
    }

    /// Tensor names in insertion order (for a decoded file: the order of its data section).
    public var keys: [String] { order }

    /// The entry named `key`, or nil; setting nil removes it.
    ///
    /// - Parameter key: The tensor's name.
    /// - Returns: Its entry, or nil when the file has none.
    public subscript(key: String) -> Entry? {
        get { storage[key] }
        set {
            if newValue != nil, storage[key] == nil { order.append(key) }
            if newValue == nil, storage[key] != nil { order.removeAll { $0 == key } }
            storage[key] = newValue
        }
    }

    /// Two checkpoints are equal when they hold the same tensors and metadata (origin and order ignored).
    ///
    /// - Parameters:
    ///   - lhs: A checkpoint.
    ///   - rhs: Another checkpoint.
    /// - Returns: Whether they hold the same tensors and metadata.
    public static func == (lhs: SafetensorsFile, rhs: SafetensorsFile) -> Bool {
        lhs.storage == rhs.storage && lhs.metadata == rhs.metadata
    }

    /// Stores `values` (F32 or F64 according to the element type) under `key`.
    ///
    /// - Parameters:
    ///   - values: The elements in row-major order.
    ///   - shape: The tensor's shape (its product is `values.count`).
    ///   - key: The tensor's name; an existing entry is replaced.
    public mutating func setValues<Scalar: SafetensorsScalar>(_ values: [Scalar], shape: [Int], forKey key: String) {
        require(shape.allSatisfy { $0 >= 0 } && values.count == TensorSize.byteCount(shape: shape, elementSize: 1),
                "\(values.count) values for shape \(shape) of '\(key)'")
        self[key] = Entry(dtype: Scalar.safetensorsDType, shape: shape, bytes: Scalar.littleEndianBytes(values))
    }

    /// The values stored under `key`, checking that the dtype matches `Scalar` and, if given, the shape.
    /// - Parameters:
    ///   - key: The tensor's name.
    ///   - shape: The shape the tensor must have, or nil for any.
    ///   - type: The element type (`Float` reads F32, `Double` F64).
    /// - Returns: The elements in row-major order.
    /// - Throws: `CheckpointError.missingKey`, `.dtypeMismatch` or `.shapeMismatch`.
    public func values<Scalar: SafetensorsScalar>(forKey key: String, shape: [Int]? = nil,
                                                  as type: Scalar.Type = Scalar.self) throws(CheckpointError) -> [Scalar] {
        let entry = try entry(forKey: key, shape: shape)
        guard entry.dtype == Scalar.safetensorsDType else {
            throw .dtypeMismatch(file: origin, key: key, expected: Scalar.safetensorsDType, found: entry.dtype)
        }
        return Scalar.values(fromLittleEndian: entry.bytes)
    }

    /// The entry named `key`, checking its shape when one is given.
    ///
    /// - Parameters:
    ///   - key: The tensor's name.
    ///   - shape: The shape the tensor must have, or nil for any.
    /// - Returns: The entry.
    /// - Throws: `CheckpointError.missingKey` or `.shapeMismatch`.
    public func entry(forKey key: String, shape: [Int]? = nil) throws(CheckpointError) -> Entry {
        guard let entry = storage[key] else { throw .missingKey(file: origin, key: key, available: order) }
        if let shape, shape != entry.shape {
            throw .shapeMismatch(file: origin, key: key, expected: shape, found: entry.shape)
        }
        return entry
    }

    /// Checks that the file holds exactly `expectedKeys`: a missing key is reported before an extra one.
    ///
    /// - Parameter expectedKeys: The names the file must hold, no more and no fewer.
    /// - Throws: `CheckpointError.missingKey` or `.unexpectedKey`.
    public func validateKeys(_ expectedKeys: some Sequence<String>) throws(CheckpointError) {
        let expected = Set(expectedKeys)
        if let missing = expected.subtracting(storage.keys).sorted().first {
            throw .missingKey(file: origin, key: missing, available: order)
        }
        if let extra = order.first(where: { !expected.contains($0) }) {
            throw .unexpectedKey(file: origin, key: extra)
        }
    }
}
