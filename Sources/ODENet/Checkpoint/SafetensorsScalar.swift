/// A floating-point type that converts to and from a safetensors dtype (`Float` ↔ F32, `Double` ↔ F64).
public protocol SafetensorsScalar: BinaryFloatingPoint, Sendable {
    /// The dtype this type is stored as.
    static var safetensorsDType: SafetensorsDType { get }
}

extension Float: SafetensorsScalar {
    /// `Float` is stored as F32.
    public static var safetensorsDType: SafetensorsDType { .float32 }
}

extension Double: SafetensorsScalar {
    /// `Double` is stored as F64.
    public static var safetensorsDType: SafetensorsDType { .float64 }
}

extension SafetensorsScalar {
    static func littleEndianBytes(_ values: [Self]) -> [UInt8] {
        let size = MemoryLayout<Self>.size
        var bytes = [UInt8](repeating: 0, count: values.count * size)
        bytes.withUnsafeMutableBytes { raw in
            values.withUnsafeBytes { source in raw.copyMemory(from: source) }
            #if _endian(big)
            for start in stride(from: 0, to: raw.count, by: size) { raw[start..<start + size].reverse() }
            #endif
        }
        return bytes
    }

    static func values(fromLittleEndian bytes: [UInt8]) -> [Self] {
        var bytes = bytes
        #if _endian(big)
        let size = MemoryLayout<Self>.size
        for start in stride(from: 0, to: bytes.count, by: size) { bytes[start..<start + size].reverse() }
        #endif
        let count = bytes.count / MemoryLayout<Self>.size
        return [Self](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            initialized = count
        }
    }
}
