extension JSONValue {
    /// JSON text: compact, or indented by two spaces per level when `pretty`.
    ///
    /// Integral numbers up to 2^53 print without a fraction (`20`, not `20.0`); others use Swift's
    /// shortest representation that reads back to the same `Double`.
    package func serialized(pretty: Bool = false) -> String {
        var text = ""
        write(to: &text, pretty: pretty, indent: 0)
        return text
    }

    private func write(to text: inout String, pretty: Bool, indent: Int) {
        let newline = pretty ? "\n" + String(repeating: "  ", count: indent + 1) : ""
        let closing = pretty ? "\n" + String(repeating: "  ", count: indent) : ""
        switch self {
        case let .object(members):
            guard !members.isEmpty else { text += "{}"; return }
            text += "{"
            for (index, member) in members.enumerated() {
                text += (index > 0 ? "," : "") + newline
                Self.writeString(member.key, to: &text)
                text += pretty ? ": " : ":"
                member.value.write(to: &text, pretty: pretty, indent: indent + 1)
            }
            text += closing + "}"
        case let .array(elements):
            guard !elements.isEmpty else { text += "[]"; return }
            let scalars = elements.allSatisfy { if case .number = $0 { true } else { false } }
            text += "["
            for (index, element) in elements.enumerated() {
                text += index > 0 ? (scalars && pretty ? ", " : ",") : ""
                if !scalars { text += newline }
                element.write(to: &text, pretty: pretty, indent: indent + 1)
            }
            text += (scalars ? "" : closing) + "]"
        case let .string(value): Self.writeString(value, to: &text)
        case let .number(value): text += Self.format(value)
        case let .bool(value): text += value ? "true" : "false"
        case .null: text += "null"
        }
    }

    /// A number's JSON text: `null` when not finite (JSON has no NaN or infinity), an integer without
    /// a fraction up to 2^53, otherwise Swift's shortest text that reads back to the same `Double`.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) <= 9_007_199_254_740_992 { return String(Int64(value)) }
        return "\(value)"
    }

    /// A string literal as RFC 8259 §7 requires: the quotation mark, the reverse solidus and the
    /// control characters U+0000–U+001F escaped (the five with a short form as `\b \f \n \r \t`, the
    /// others as `\u00XX` with lowercase hex, as serde_json writes safetensors headers), everything
    /// else, non-ASCII included, as UTF-8.
    private static func writeString(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
