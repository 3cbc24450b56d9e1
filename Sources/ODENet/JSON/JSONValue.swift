/// A JSON document (RFC 8259): objects keep their key order, numbers are `Double`.
///
/// The package's one JSON codec: safetensors headers are read and written with it, and the examples
/// build their summaries and read the peers' files with it. It is `package`, not public API.
///
/// Build documents with literals (`["loss": 0.1, "steps": 20, "ok": true]` keeps the written key order)
/// and read them with the typed accessors, which return nil on a type mismatch. Integers are exact up
/// to 2^53 − 1, the range in which every integer is a `Double` (`exactUnsignedInteger`).
package enum JSONValue: Equatable, Sendable {
    /// An object whose members keep their order (duplicate keys are kept as written).
    case object([(key: String, value: JSONValue)])
    /// An array.
    case array([JSONValue])
    /// A string.
    case string(String)
    /// A number; non-finite values are written as `null`, since JSON has no NaN or infinity.
    case number(Double)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null

    /// Member-wise equality; objects compare key order too.
    package static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case let (.object(a), .object(b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(a), .array(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.bool(a), .bool(b)): a == b
        case (.null, .null): true
        default: false
        }
    }

    /// The value of the first member named `key` of an object, or nil.
    package subscript(key: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The element at `index` of an array, or nil when out of range or not an array.
    package subscript(index: Int) -> JSONValue? {
        guard case let .array(elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The number, if this is one.
    package var doubleValue: Double? { if case let .number(value) = self { value } else { nil } }
    /// The number as an exact integer, if this is an integral number in `Int` range.
    package var intValue: Int? { doubleValue.flatMap { Int(exactly: $0) } }
    /// The string, if this is one.
    package var stringValue: String? { if case let .string(value) = self { value } else { nil } }
    /// The Boolean, if this is one.
    package var boolValue: Bool? { if case let .bool(value) = self { value } else { nil } }
    /// The elements, if this is an array.
    package var arrayValue: [JSONValue]? { if case let .array(value) = self { value } else { nil } }

    /// The number as a non-negative integer, if it is an integral number below 2^53: a literal in that
    /// range converts exactly, and a larger one may have been rounded, so it is refused rather than guessed.
    package var exactUnsignedInteger: UInt64? {
        guard let value = doubleValue, value >= 0, value < 9_007_199_254_740_992, value.rounded() == value else {
            return nil
        }
        return UInt64(value)
    }

    /// The numbers of an array of numbers (nil if any element is not a number).
    package var doubles: [Double]? {
        guard let elements = arrayValue else { return nil }
        var result = [Double]()
        result.reserveCapacity(elements.count)
        for element in elements {
            guard case let .number(value) = element else { return nil }
            result.append(value)
        }
        return result
    }

    /// The numbers of an array of numbers rounded to `Float` (nil if any element is not a number).
    package var floats: [Float]? { doubles?.map { Float($0) } }

    /// A rectangular array of arrays of numbers flattened row-major, with its shape.
    /// Nested deeper arrays are flattened too (shape gains a dimension per level); ragged input gives nil.
    package var flattenedNumbers: (values: [Double], shape: [Int])? {
        if case let .number(value) = self { return ([value], []) }
        guard let elements = arrayValue else { return nil }
        var values: [Double] = []
        var innerShape: [Int]?
        for element in elements {
            guard let (inner, shape) = element.flattenedNumbers, innerShape == nil || innerShape == shape else { return nil }
            innerShape = shape
            values += inner
        }
        return (values, [elements.count] + (innerShape ?? []))
    }
}

extension JSONValue: ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByStringLiteral,
    ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral {
    /// An object with the members in the written order.
    package init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements.map { ($0.0, $0.1) }) }
    /// An array.
    package init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// A string.
    package init(stringLiteral value: String) { self = .string(value) }
    /// A number.
    package init(floatLiteral value: Double) { self = .number(value) }
    /// A number.
    package init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// A Boolean.
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    /// `null`.
    package init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// A number from any binary floating-point or integer value.
    package init(_ value: some BinaryFloatingPoint) { self = .number(Double(value)) }
    /// A number from an integer.
    package init(_ value: some BinaryInteger) { self = .number(Double(value)) }
    /// An array of numbers.
    package init(_ values: [some BinaryFloatingPoint]) { self = .array(values.map { .number(Double($0)) }) }
}
