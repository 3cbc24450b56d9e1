/// The scalar types a `Tensor` can hold: `Float` and `Double`.
///
/// Kernels are written once, generically, and specialised for both types (`@_specialize`); where the
/// two types need different code (polynomial approximations, register blocking) a kernel branches on
/// `Scalar.self == Float.self`, which the specialiser folds away.
public protocol TensorScalar: BinaryFloatingPoint, SIMDScalar, Sendable, Codable, CustomStringConvertible {
    /// The name of this type in the safetensors format (`F32`, `F64`).
    static var safetensorsTypeName: String { get }
    /// Converts a `Double` (from a coefficient, a time, a hyperparameter) to this type.
    init(_ value: Double)
    /// The per-thread slot that holds the tape currently recording operations on tensors of this type.
    static var _tapeSlot: TapeSlot { get }
}

extension Float: TensorScalar {
    public static var safetensorsTypeName: String { "F32" }
    public static let _tapeSlot = TapeSlot()
}

extension Double: TensorScalar {
    public static var safetensorsTypeName: String { "F64" }
    public static let _tapeSlot = TapeSlot()
}
