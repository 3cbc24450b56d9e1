import Foundation
import XCTest
@testable import ODENet

/// Crafted safetensors files whose numbers are chosen to overflow a size computation: each must end
/// in a typed error naming the file, never a trap (issue 14, items 1 and 2; the fuzz harness's
/// reproducers land here too).
final class SafetensorsHostileInputTests: XCTestCase {
    /// The boundary integers of the fuzz dictionary (Fuzz/safetensors.dict), as JSON number text.
    static let boundaryIntegers = ["0", "1", "2147483648", "4294967296", "4611686018427387904",
                                   "9223372036854775807", "9223372036854775808", "18446744073709551615"]

    /// Builds a file from header text and data bytes, with the correct 8-byte header length.
    private func file(header: String, data: [UInt8] = []) -> [UInt8] {
        let length = UInt64(header.utf8.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) } + Array(header.utf8) + data
    }

    /// Decodes `bytes`, expecting a `CheckpointError` that names the origin.
    private func assertTypedError(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line)
        -> CheckpointError? {
        do {
            let decoded = try SafetensorsFile(decoding: bytes, origin: "crafted.safetensors")
            XCTFail("decoded \(decoded.keys), expected an error", file: file, line: line)
            return nil
        } catch {
            XCTAssertTrue(error.description.contains("crafted.safetensors"), "\(error)", file: file, line: line)
            return error
        }
    }

    /// Issue 14, item 1: 83 bytes, a zero-size U8 tensor whose other dimensions multiply to 2^63.
    /// It trapped on integer overflow in `Entry.init` (`shape.reduce(1, *)`).
    func testZeroSizeTensorWhoseDimensionsOverflowIsATypedError() throws {
        let bytes = file(header: #"{"a":{"dtype":"U8","shape":[4294967296,2147483648,0],"data_offsets":[0,0]}}"#)
        XCTAssertEqual(bytes.count, 83)
        let error = try XCTUnwrap(assertTypedError(bytes))
        guard case let .invalidOffsets(_, key, _, _, reason) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(key, "a")
        XCTAssertTrue(reason.contains("[4294967296, 2147483648, 0]"), reason)
    }

    /// The same file through `ModuleCheckpoint.load`, from disk: a typed error, the model untouched.
    func testModuleCheckpointLoadOfTheOverflowingShapeLeavesTheModelUntouched() throws {
        let path = NSTemporaryDirectory() + "overflow-\(UUID().uuidString).safetensors"
        defer { unlink(path) }
        try Data(file(header: #"{"a":{"dtype":"F32","shape":[4294967296,2147483648,0],"data_offsets":[0,0]}}"#))
            .write(to: URL(fileURLWithPath: path))
        var generator = SeededGenerator(seed: 3)
        let model = Linear<Float>(2, 2, using: &generator)
        let before = model.parameters.map(\.value.scalars)
        XCTAssertThrowsError(try ModuleCheckpoint.load(into: model, from: path)) { error in
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
        XCTAssertEqual(model.parameters.map(\.value.scalars), before)
    }

    /// Issue 14, item 2: offsets near 2^64 made the byte count of the "truncated" error overflow.
    func testOffsetsNearTwoToThe64AreATypedError() {
        let huge = "18446744073709551615"
        let header = #"{"a":{"dtype":"U8","shape":["# + huge + #"],"data_offsets":[0,"# + huge + "]}}"
        _ = assertTypedError(file(header: header))
    }

    /// The largest offsets the reader accepts (just under 2^53) with a header near its 100 MB limit:
    /// the truncation message's byte count is computed without overflow and is exact.
    func testTruncationByteCountAtTheLargestAcceptedOffsets() throws {
        let end = (UInt64(1) << 53) - 1
        let header = #"{"a":{"dtype":"U8","shape":["# + "\(end)" + #"],"data_offsets":[0,"# + "\(end)]}}"
        let bytes = file(header: header)
        let error = try XCTUnwrap(assertTypedError(bytes))
        XCTAssertEqual(error, .truncated(file: "crafted.safetensors",
                                         expectedBytes: 8 + UInt64(header.utf8.count) + end, actualBytes: bytes.count))
    }

    /// Every boundary integer in every shape position and in the offsets, for 1- and 8-byte dtypes:
    /// a typed error or a valid file, never a trap; and any file that decodes re-encodes to itself.
    func testBoundaryIntegersInShapesAndOffsetsNeverTrap() throws {
        let values = Self.boundaryIntegers
        for dtype in ["U8", "F64"] {
            for a in values {
                for b in values {
                    for shape in ["[\(a)]", "[\(a),\(b)]", "[\(a),\(b),0]", "[0,\(a),\(b)]"] {
                        for offsets in ["[0,0]", "[0,\(a)]", "[\(b),\(a)]"] {
                            let header = #"{"a":{"dtype":""# + dtype + #"","shape":"# + shape
                                + #","data_offsets":"# + offsets + "}}"
                            let bytes = file(header: header)
                            if let decoded = try? SafetensorsFile(decoding: bytes) {
                                XCTAssertEqual(try SafetensorsFile(decoding: decoded.encoded()), decoded, header)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Zero-size tensors of ordinary shapes stay valid.
    func testOrdinaryZeroSizeTensorsDecode() throws {
        let decoded = try SafetensorsFile(decoding: file(header: #"{"e":{"dtype":"F32","shape":[0,1024,7],"data_offsets":[0,0]}}"#))
        XCTAssertEqual(decoded["e"]?.shape, [0, 1024, 7])
        XCTAssertEqual(decoded["e"]?.bytes, [])
    }
}
