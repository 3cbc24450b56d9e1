/// The scalar types a ``Tensor`` can hold: `Float` and `Double`.
///
/// Kernels are written once, generically, and specialised for both types (`@_specialize`); where the
/// two types need different code (polynomial approximations, register blocking) a kernel branches on
/// `Scalar.self == Float.self`, which the specialiser folds away.
public protocol TensorScalar: BinaryFloatingPoint, SIMDScalar, Sendable, Codable, CustomStringConvertible {
    /// The name of this type in the safetensors format (`F32`, `F64`).
    static var safetensorsTypeName: String { get }
    /// Converts a `Double` (from a coefficient, a time, a hyperparameter) to this type.
    ///
    /// - Parameter value: The value, rounded to this type.
    init(_ value: Double)
}

extension TensorScalar {
    /// The per-thread slot that holds the tape currently recording operations on tensors of this type.
    ///
    /// A branch on the type, not a protocol requirement, so that the slot stays internal; the
    /// specialiser folds it away.
    @inlinable
    static var _tapeSlot: TapeSlot {
        if Self.self == Float.self { return .float }
        if Self.self == Double.self { return .double }
        fatalError("TensorScalar: \(Self.self) is not supported; tensors hold Float or Double")
    }

    /// The per-thread slot that holds the forward-mode tangent context of tensors of this type.
    @inlinable
    static var _tangentSlot: TapeSlot {
        if Self.self == Float.self { return .floatTangents }
        if Self.self == Double.self { return .doubleTangents }
        fatalError("TensorScalar: \(Self.self) is not supported; tensors hold Float or Double")
    }
}

extension Float: TensorScalar {
    /// `F32`.
    public static var safetensorsTypeName: String { "F32" }
}

extension Double: TensorScalar {
    /// `F64`.
    public static var safetensorsTypeName: String { "F64" }
}
