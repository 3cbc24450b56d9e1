import Foundation
import XCTest
@testable import ExampleSupport

final class JSONTests: XCTestCase {
    func testWriterKeepsKeyOrderAndFormatsNumbers() {
        let value: JSONValue = ["name": "spirals", "loss": 0.125, "steps": 20, "ok": true, "none": nil,
                                "series": [1, 2.5, -3e-7], "nested": ["a": []]]
        XCTAssertEqual(value.serialized(),
                       #"{"name":"spirals","loss":0.125,"steps":20,"ok":true,"none":null,"series":[1,2.5,-3e-07],"nested":{"a":[]}}"#)
        XCTAssertEqual(JSONValue.number(.nan).serialized(), "null")
        XCTAssertEqual(JSONValue.string("a\"b\\c\nd\u{01}é").serialized(), #""a\"b\\c\nd\u0001é""#)
    }

    func testRoundTripThroughParserIsExact() throws {
        let values: [Double] = (0..<200).map { (i: Int) -> Double in
            let base = Double(i) * 0.1 - 3
            return base + 1e-9 * Double(i * i)
        }
        let value: JSONValue = ["values": JSONValue(values), "text": "ü \u{1F600} \t", "flag": false,
                                "matrix": [[1, 2], [3, 4]]]
        for pretty in [false, true] {
            let parsed = try JSONValue(parsing: value.serialized(pretty: pretty))
            XCTAssertEqual(parsed, value)
            XCTAssertEqual(parsed["values"]?.doubles, values)
        }
        let flattened = try XCTUnwrap(value["matrix"]?.flattenedNumbers)
        XCTAssertEqual(flattened.values, [1, 2, 3, 4])
        XCTAssertEqual(flattened.shape, [2, 2])
    }

    func testParserReadsEscapesAndNumbersPerTheGrammar() throws {
        let parsed = try JSONValue(parsing: #" {"a": [0, -0.5, 1E3, 2e-2, 12345678901234567890], "s": "\u00e9\ud83d\ude00\/"} "#)
        XCTAssertEqual(parsed["a"]?.doubles, [0, -0.5, 1000, 0.02, Double("12345678901234567890")!])
        XCTAssertEqual(parsed["s"]?.stringValue, "é😀/")
        XCTAssertEqual(parsed["a"]?[2]?.intValue, 1000)
    }

    func testParserErrorsCarryTheOffset() {
        let cases: [(String, Int)] = [("[1, 2,]", 6), (#"{"a" 1}"#, 5), ("01", 0), ("[1.]", 3), ("tru", 0),
                                      (#""abc"#, 4), ("[1] x", 4), (#"{"a":"\q"}"#, 6), ("-", 1), ("", 0)]
        for (text, offset) in cases {
            XCTAssertThrowsError(try JSONValue(parsing: text), text) { error in
                XCTAssertEqual((error as? JSONParseError)?.offset, offset, "\(text): \(error)")
            }
        }
    }

    func testTruncatedAndCorruptedTextNeverCrashes() {
        let text = Array(#"{"a": [1, 2.5e3, {"b": "x\u00e9"}], "c": true, "d": null}"#.utf8)
        XCTAssertNoThrow(try JSONValue(parsing: text))
        for cut in 0..<text.count {
            XCTAssertThrowsError(try JSONValue(parsing: Array(text[0..<cut])), "cut at \(cut)")
        }
        for position in text.indices {
            var corrupted = text
            corrupted[position] = UInt8(ascii: "}")
            _ = try? JSONValue(parsing: corrupted)
        }
        XCTAssertThrowsError(try JSONValue(parsing: String(repeating: "[", count: 10_000)))
    }

    func testSharedPeerFilesParseWhenPresent() throws {
        let path = "/work/shared/peers/data/spiral_data.json"
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("no shared peer data at \(path)") }
        let start = Date()
        let spiral = try JSONValue(contentsOf: path)
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "parsed spiral_data.json in %.1f ms", seconds * 1000))
        XCTAssertEqual(spiral["t"]?.doubles?.count, 1000)
        let weights = try JSONValue(contentsOf: "/work/shared/peers/data/w3_init.json")
        XCTAssertNotNil(weights["l1.weight"]?.flattenedNumbers)
    }

    func testAtomicWriteCreatesDirectoryAndLeavesNoTemporary() throws {
        let directory = NSTemporaryDirectory() + "json-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/out/summary.json"
        let first: JSONValue = ["a": 1], second: JSONValue = ["a": 2]
        try first.write(to: path)
        try second.write(to: path)
        XCTAssertEqual(try JSONValue(contentsOf: path), ["a": 2])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory + "/out"), ["summary.json"])
    }
}
