import Foundation

extension JSONValue {
    /// Parses JSON text (RFC 8259). Numbers are read with correct rounding to `Double`.
    /// - Throws: `JSONParseError` with the byte offset of the first problem.
    package init(parsing text: String) throws(JSONParseError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// Parses UTF-8 JSON bytes (RFC 8259), as `init(parsing:)` does text.
    /// - Throws: `JSONParseError` with the byte offset of the first problem.
    package init(parsing bytes: [UInt8]) throws(JSONParseError) {
        var terminated = bytes
        terminated.append(0)  // strtod needs a terminator; the parser never reads past `bytes.count`
        let result: Result<JSONValue, JSONParseError> = terminated.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer.baseAddress!, count: bytes.count)
            return Result { () throws(JSONParseError) -> JSONValue in try parser.parseDocument() }
        }
        self = try result.get()
    }
}

/// Recursive-descent parser over a NUL-terminated byte buffer.
private struct JSONParser {
    let bytes: UnsafePointer<UInt8>
    let count: Int
    var index = 0
    var depth = 0

    init(bytes: UnsafePointer<UInt8>, count: Int) {
        self.bytes = bytes
        self.count = count
    }

    func failure(_ reason: String) -> JSONParseError { JSONParseError(offset: index, reason: reason, file: nil) }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        let value = try parseValue()
        skipWhitespace()
        guard index == count else { throw failure("unexpected text after the value") }
        return value
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < count {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            index += 1
        }
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard index < count else { throw failure("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw failure("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
        }
    }

    mutating func expect(_ word: StaticString) throws(JSONParseError) {
        let length = word.utf8CodeUnitCount
        guard index + length <= count, memcmp(bytes + index, word.utf8Start, length) == 0 else {
            throw failure("invalid literal")
        }
        index += length
    }

    mutating func nest() throws(JSONParseError) {
        depth += 1
        guard depth <= 512 else { throw failure("nesting deeper than 512 levels") }
    }

    mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try nest()
        defer { depth -= 1 }
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if index < count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard index < count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':' after key") }
            index += 1
            members.append((key, try parseValue()))
            skipWhitespace()
            guard index < count else { throw failure("unterminated object") }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            guard bytes[index] == UInt8(ascii: ",") else { throw failure("expected ',' or '}' in object") }
            index += 1
        }
    }

    mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try nest()
        defer { depth -= 1 }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            guard index < count else { throw failure("unterminated array") }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            guard bytes[index] == UInt8(ascii: ",") else { throw failure("expected ',' or ']' in array") }
            index += 1
        }
    }

    /// Checks the JSON number grammar, then converts with `strtod` (correctly rounded).
    mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = index
        func digits(_ parser: inout JSONParser) -> Int {
            let first = parser.index
            while parser.index < parser.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.index]) {
                parser.index += 1
            }
            return parser.index - first
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits(&self)
        guard integerDigits > 0 else { throw failure("expected digits in number") }
        guard integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else {
            index = start
            throw failure("leading zero in number")
        }
        if index < count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw failure("expected digits after '.'") }
        }
        if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw failure("expected digits in exponent") }
        }
        if index - start == integerDigits, integerDigits <= 15 {
            var value = 0
            for offset in start..<index { value = value * 10 + Int(bytes[offset] - UInt8(ascii: "0")) }
            return Double(value)
        }
        return bytes.withMemoryRebound(to: CChar.self, capacity: count + 1) { strtod($0 + start, nil) }
    }

    mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        while index < count {  // fast path: no escapes
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: UnsafeBufferPointer(start: bytes + start, count: index - 1 - start), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            index += 1
        }
        index = start
        var utf8: [UInt8] = []
        while index < count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return String(decoding: utf8, as: UTF8.self) }
            if byte < 0x20 { index -= 1; throw failure("control character in string") }
            guard byte == UInt8(ascii: "\\") else { utf8.append(byte); continue }
            guard index < count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "u"): utf8 += Array(String(Character(try parseUnicodeEscape())).utf8)
            default: index -= 2; throw failure("invalid escape '\\\(Character(Unicode.Scalar(escape)))'")
            }
        }
        throw failure("unterminated string")
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < count, let digit = Character(Unicode.Scalar(bytes[index])).hexDigitValue else {
                throw failure("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    mutating func parseUnicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
        let high = try hex4()
        if (0xD800..<0xDC00).contains(high) {
            guard index + 1 < count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw failure("unpaired surrogate")
            }
            index += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate") }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
        }
        guard let scalar = Unicode.Scalar(high) else { throw failure("unpaired surrogate") }
        return scalar
    }
}
