/// Encoding to the safetensors byte layout.
extension SafetensorsFile {
    /// Order of tensors in the data section: larger elements first, then by name, which is the
    /// reference writer's order for the usual float dtypes (and plain name order for a single dtype).
    var layoutOrder: [String] {
        keys.sorted { a, b in
            let (sizeA, sizeB) = (self[a]!.dtype.byteCount, self[b]!.dtype.byteCount)
            return sizeA != sizeB ? sizeA > sizeB : a < b
        }
    }

    /// The file's bytes: 8-byte little-endian header length, the compact JSON header padded with
    /// spaces to a multiple of 8 bytes, then the tensors' bytes back to back.
    ///
    /// The header lists `__metadata__` first (keys sorted; omitted when empty), then each tensor with
    /// `dtype`, `shape` and `data_offsets`, in data order, so equal checkpoints give identical bytes.
    ///
    /// - Returns: The bytes of a safetensors file.
    public func encoded() -> [UInt8] {
        var members: [(key: String, value: JSONValue)] = []
        if !metadata.isEmpty {
            members.append(("__metadata__", .object(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        var offset = 0
        let names = layoutOrder
        for name in names {
            let entry = self[name]!
            let info: [(key: String, value: JSONValue)] = [
                ("dtype", .string(entry.dtype.rawValue)),
                ("shape", .array(entry.shape.map { JSONValue($0) })),
                ("data_offsets", .array([JSONValue(offset), JSONValue(offset + entry.bytes.count)])),
            ]
            members.append((name, .object(info)))
            offset += entry.bytes.count
        }
        var header = Array(JSONValue.object(members).serialized().utf8)
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + header.count + offset)
        bytes += (0..<8).map { UInt8(truncatingIfNeeded: UInt64(header.count) >> (8 * UInt64($0))) }
        bytes += header
        for name in names { bytes += self[name]!.bytes }
        return bytes
    }
}
