import Foundation
import XCTest
@testable import ODENet

final class SafetensorsTests: XCTestCase {
    /// Little-endian bytes of a 32- or 64-bit pattern.
    private func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    private func sample() -> SafetensorsFile {
        var file = SafetensorsFile(metadata: ["z": "1", "format": "pt"])
        file.setValues([Float(1), -2], shape: [2], forKey: "b")
        file.setValues([Float(0.5), 3], shape: [1, 2], forKey: "a")
        file.setValues([Double(7)], shape: [1], forKey: "c")
        return file
    }

    /// A file built by hand from the format description: compact header with `__metadata__` first,
    /// tensors by descending element size then name, spaces up to a multiple of 8, then the data.
    /// (The same bytes came out of Python `safetensors.numpy.save` 0.4.5 for this dict when checked once.)
    func testEncodingMatchesTheReferenceWriterByteForByte() {
        let header = #"{"__metadata__":{"format":"pt","z":"1"},"#
            + #""c":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"#
            + #""a":{"dtype":"F32","shape":[1,2],"data_offsets":[8,16]},"#
            + #""b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}}"#
        let padded = Array(header.utf8) + [UInt8](repeating: 0x20, count: (8 - header.utf8.count % 8) % 8)
        XCTAssertEqual(padded.count % 8, 0)
        var expected = le(UInt64(padded.count)) + padded
        expected += le(Double(7).bitPattern)
        expected += le(Float(0.5).bitPattern) + le(Float(3).bitPattern)
        expected += le(Float(1).bitPattern) + le(Float(-2).bitPattern)
        XCTAssertEqual(sample().encoded(), expected)
        XCTAssertEqual(padded.count, 0xD0)
    }

    func testRoundTripKeepsValuesShapesMetadataAndDataOrder() throws {
        let decoded = try SafetensorsFile(decoding: sample().encoded())
        XCTAssertEqual(decoded, sample())
        XCTAssertEqual(decoded.keys, ["c", "a", "b"])
        XCTAssertEqual(try decoded.values(forKey: "a", shape: [1, 2]), [Float(0.5), 3])
        XCTAssertEqual(try decoded.values(forKey: "c", as: Double.self), [7])
        XCTAssertEqual(decoded.metadata, ["format": "pt", "z": "1"])

        var empty = SafetensorsFile()
        empty.setValues([Float](), shape: [0, 3], forKey: "nothing")
        empty.setValues([Float(4)], shape: [], forKey: "scalar")
        XCTAssertEqual(try SafetensorsFile(decoding: empty.encoded()), empty)
    }

    func testAccessorsReportMissingKeysShapesAndDTypes() throws {
        let file = try SafetensorsFile(decoding: sample().encoded(), origin: "model.safetensors")
        XCTAssertThrowsError(try file.values(forKey: "d", as: Float.self)) {
            XCTAssertEqual($0 as? CheckpointError, .missingKey(file: "model.safetensors", key: "d", available: ["c", "a", "b"]))
        }
        XCTAssertThrowsError(try file.values(forKey: "a", shape: [2, 1], as: Float.self)) {
            XCTAssertEqual($0 as? CheckpointError, .shapeMismatch(file: "model.safetensors", key: "a", expected: [2, 1], found: [1, 2]))
        }
        XCTAssertThrowsError(try file.values(forKey: "c", as: Float.self)) {
            XCTAssertEqual($0 as? CheckpointError, .dtypeMismatch(file: "model.safetensors", key: "c", expected: .float32, found: .float64))
        }
        XCTAssertNoThrow(try file.validateKeys(["a", "b", "c"]))
        XCTAssertThrowsError(try file.validateKeys(["a", "b"])) {
            XCTAssertEqual($0 as? CheckpointError, .unexpectedKey(file: "model.safetensors", key: "c"))
        }
        XCTAssertThrowsError(try file.validateKeys(["a", "b", "c", "d"])) {
            guard case .missingKey(_, "d", _) = $0 as! CheckpointError else { return XCTFail("\($0)") }
        }
    }

    /// Builds a file from header text and data bytes, with the correct header length.
    private func file(header: String, data: [UInt8]) -> [UInt8] {
        le(UInt64(header.utf8.count)) + Array(header.utf8) + data
    }

    private func assertRejects(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line,
                               _ predicate: (CheckpointError) -> Bool) {
        do {
            let decoded = try SafetensorsFile(decoding: bytes, origin: "bad.safetensors")
            XCTFail("decoded \(decoded.keys), expected an error", file: file, line: line)
        } catch {
            XCTAssertTrue(predicate(error), "unexpected error: \(error)", file: file, line: line)
            XCTAssertTrue(error.description.contains("bad.safetensors"), file: file, line: line)
        }
    }

    func testTruncationAnywhereIsRejected() {
        let bytes = sample().encoded()
        for cut in 0..<bytes.count {
            assertRejects(Array(bytes[0..<cut])) { if case .truncated = $0 { true } else { false } }
        }
    }

    func testAbsurdHeaderLengthIsRejectedBeforeAllocating() {
        assertRejects(le(UInt64(1) << 62) + [0x7B]) {
            if case .headerLengthAbsurd(_, 1 << 62, 9, SafetensorsFile.maximumHeaderLength) = $0 { true } else { false }
        }
        assertRejects(le(UInt64(200_000_000)) + [UInt8](repeating: 0x20, count: 64)) {
            if case .headerLengthAbsurd = $0 { true } else { false }
        }
    }

    func testInvalidJSONHeadersAreRejected() {
        let headers = [#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#,   // unterminated
                       #"["a"]   "#, #"{"a":1}"#, #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,
                       #"{"a":{"dtype":"F32","data_offsets":[0,4]}}"#, #"{"__metadata__":{"k":3}}"#,
                       #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                       "{\"a\u{01}\":1}", #"{} x"#]
        for header in headers {
            assertRejects(file(header: header, data: [0, 0, 128, 63])) {
                if case .invalidHeader = $0 { true } else { false }
            }
        }
    }

    /// Offsets and dimensions are read as JSON numbers; past 2^53 a number may have been rounded, so
    /// such a header is refused instead of being read with a neighbouring integer.
    func testIntegersBeyondTwoToThe53AreRejected() {
        let limit = UInt64(1) << 53
        for (shape, begin, end) in [("1", limit + 1, limit + 5), ("\(limit)", 0, 4), ("1", 0, limit)] {
            let header = #"{"w":{"dtype":"F32","shape":["# + shape + #"],"data_offsets":["# + "\(begin),\(end)]}}"
            assertRejects(file(header: header, data: [0, 0, 128, 63])) {
                if case let .invalidHeader(_, reason) = $0 { reason.contains("0..<2^53") } else { false }
            }
        }
    }

    /// Metadata text with quotes, backslashes and control characters survives the header, escaped as
    /// RFC 8259 requires and as the reference writer (serde_json) writes it.
    func testMetadataWithEscapedCharactersRoundTrips() throws {
        let text = "a\"b\\c\u{08}\u{0C}\n\r\t\u{01}\u{1F}é/"
        let bytes = SafetensorsFile(metadata: ["note": text]).encoded()
        let header = String(decoding: bytes[8...], as: UTF8.self)
        XCTAssertTrue(header.hasPrefix(#"{"__metadata__":{"note":"a\"b\\c\b\f\n\r\t\u0001\u001fé/"}}"#), header)
        XCTAssertEqual(try SafetensorsFile(decoding: bytes).metadata, ["note": text])
    }

    func testUnknownDTypeIsRejected() {
        assertRejects(file(header: #"{"w":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}"#,
                           data: [UInt8](repeating: 0, count: 16))) {
            if case .unknownDType(_, "w", "F128") = $0 { true } else { false }
        }
    }

    func testOffsetsThatDisagreeWithShapeOverlapOrLeaveGapsAreRejected() {
        let data = [UInt8](repeating: 0, count: 16)
        let cases: [(String, String)] = [
            (#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}"#, "needs 12 bytes"),
            (#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, "begin is after end"),
            (#"{"v":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[3],"data_offsets":[4,16]}}"#,
             "overlaps"),
            (#"{"v":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#,
             "gap"),
            (#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, "belong to no tensor"),
        ]
        for (header, reason) in cases {
            assertRejects(file(header: header, data: data)) { error in
                guard case let .invalidOffsets(_, _, _, _, text) = error else { return false }
                return text.contains(reason)
            }
        }
        assertRejects(file(header: #"{"w":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}}"#, data: data)) {
            if case .truncated(_, _, _) = $0 { true } else { false }
        }
    }

    func testEverySingleByteCorruptionIsHandledWithoutCrashing() {
        let bytes = sample().encoded()
        var rejected = 0
        for position in bytes.indices {
            for flip: UInt8 in [0x01, 0x20, 0x80] {
                var corrupted = bytes
                corrupted[position] ^= flip
                if (try? SafetensorsFile(decoding: corrupted)) == nil { rejected += 1 }
            }
        }
        // Flips inside the data section or in padding/string text may still decode; header-length
        // and structural flips must not. The count is a sanity check that most flips are caught.
        XCTAssertGreaterThan(rejected, bytes.count)
    }

    func testAtomicWriteReplacesFileAndLeavesNoTemporary() throws {
        let directory = NSTemporaryDirectory() + "checkpoint-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/model.safetensors"
        try sample().write(to: path)
        var changed = sample()
        changed.setValues([Float(9)], shape: [1], forKey: "d")
        try changed.write(to: path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["model.safetensors"])
        let loaded = try SafetensorsFile(contentsOf: path)
        XCTAssertEqual(loaded, changed)
        XCTAssertEqual(loaded.origin, path)
    }

    func testFailedWriteKeepsTheExistingFile() throws {
        let directory = NSTemporaryDirectory() + "checkpoint-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer {
            chmod(directory, 0o755)
            try? FileManager.default.removeItem(atPath: directory)
        }
        let path = directory + "/model.safetensors"
        try sample().write(to: path)
        chmod(directory, 0o555)
        var changed = sample()
        changed.setValues([Float(9)], shape: [1], forKey: "d")
        if access(directory, W_OK) == 0 {
            // Running as root: permissions do not stop writes, so make the rename target a directory instead.
            chmod(directory, 0o755)
            let blocked = directory + "/blocked.safetensors"
            try FileManager.default.createDirectory(atPath: blocked + "/inside", withIntermediateDirectories: true)
            XCTAssertThrowsError(try changed.write(to: blocked)) { XCTAssertTrue("\($0)".contains("rename")) }
        } else {
            XCTAssertThrowsError(try changed.write(to: path)) { XCTAssertTrue("\($0)".contains("create")) }
        }
        XCTAssertThrowsError(try changed.write(to: directory + "/missing/dir/model.safetensors"))
        XCTAssertEqual(try SafetensorsFile(contentsOf: path), sample())
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains("tmp") }
        XCTAssertEqual(leftovers, [])
    }
}
