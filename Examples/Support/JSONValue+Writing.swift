import Foundation

extension JSONValue {
    /// JSON text: compact, or indented by two spaces per level when `pretty`.
    ///
    /// Integral numbers up to 2^53 print without a fraction (`20`, not `20.0`); others use Swift's
    /// shortest representation that reads back to the same `Double`.
    public func serialized(pretty: Bool = false) -> String {
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

    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) <= 9_007_199_254_740_992 { return String(Int64(value)) }
        return "\(value)"
    }

    private static func writeString(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    /// Writes the pretty JSON text plus a newline to `path` atomically (temporary file, then rename),
    /// creating the parent directory if needed.
    public func write(to path: String, pretty: Bool = true) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try AtomicWrite.write(Array((serialized(pretty: pretty) + "\n").utf8), to: path)
    }
}

/// Whole-file writes that never leave a half-written file behind.
public enum AtomicWrite {
    /// Writes `bytes` to a temporary file beside `path`, syncs it, and renames it into place.
    /// On failure the temporary file is removed and any existing file at `path` is left as it was.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory)
            + "/.\((path as NSString).lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        let descriptor = open(temporary, O_RDONLY)
        if descriptor >= 0 { _ = fsync(descriptor); close(descriptor) }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: reason])
        }
    }
}
