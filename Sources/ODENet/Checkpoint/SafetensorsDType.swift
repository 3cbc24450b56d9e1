/// The element types of the safetensors format, spelled as in the header's `dtype` field.
public enum SafetensorsDType: String, CaseIterable, Sendable {
    /// IEEE 754 double precision.
    case float64 = "F64"
    /// IEEE 754 single precision.
    case float32 = "F32"
    /// IEEE 754 half precision.
    case float16 = "F16"
    /// bfloat16 (the top half of a float32).
    case bfloat16 = "BF16"
    /// 8-bit float, 4 exponent and 3 mantissa bits.
    case float8E4M3 = "F8_E4M3"
    /// 8-bit float, 5 exponent and 2 mantissa bits.
    case float8E5M2 = "F8_E5M2"
    /// Signed integers of 64, 32, 16 and 8 bits.
    case int64 = "I64", int32 = "I32", int16 = "I16", int8 = "I8"
    /// Unsigned integers of 64, 32, 16 and 8 bits.
    case uint64 = "U64", uint32 = "U32", uint16 = "U16", uint8 = "U8"
    /// Booleans, one byte each.
    case bool = "BOOL"

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float64, .int64, .uint64: 8
        case .float32, .int32, .uint32: 4
        case .float16, .bfloat16, .int16, .uint16: 2
        case .float8E4M3, .float8E5M2, .int8, .uint8, .bool: 1
        }
    }
}
