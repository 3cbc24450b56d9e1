import Foundation
import XCTest
import ODENet

/// The package's JSON codec (`JSONValue`, `package` access): RFC 8259 text both ways.
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

    /// RFC 8259 §7, scalar by scalar: the quotation mark, the reverse solidus and U+0000–U+001F are
    /// escaped (the short forms where the RFC has one, else `\u00XX`), nothing else is, no control
    /// byte is left raw, and every string reads back as written.
    func testStringEscapingFollowsRFC8259() throws {
        let shortForms: [UInt32: Character] = [0x22: "\"", 0x5C: "\\", 0x08: "b", 0x0C: "f", 0x0A: "n", 0x0D: "r",
                                                0x09: "t"]
        let scalars = (0..<0x80).compactMap(Unicode.Scalar.init) + ["é", "\u{2028}", "\u{FFFF}", "😀"]
        for scalar in scalars {
            let text = String(Character(scalar))
            let serialized = JSONValue.string(text).serialized()
            let expectedBody: String
            if let short = shortForms[scalar.value] {
                expectedBody = "\\" + String(short)
            } else if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                expectedBody = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                expectedBody = text
            }
            XCTAssertEqual(serialized, "\"" + expectedBody + "\"", "U+\(String(scalar.value, radix: 16))")
            XCTAssertFalse(serialized.utf8.contains { $0 < 0x20 }, "raw control byte for U+\(String(scalar.value, radix: 16))")
            XCTAssertEqual(try JSONValue(parsing: serialized), .string(text))
        }
        let all = String(String.UnicodeScalarView(scalars))
        XCTAssertEqual(try JSONValue(parsing: JSONValue.object([(all, .string(all))]).serialized()),
                       .object([(all, .string(all))]), "keys are escaped as values are")
    }

    /// Integers read back exactly below 2^53, where every integer is a `Double`; beyond, the number may
    /// have been rounded, so the exact accessor refuses it.
    func testExactUnsignedIntegersStopBelowTwoToThe53() throws {
        let limit = UInt64(1) << 53
        for value in [0, 1, 4096, limit - 2, limit - 1] {
            XCTAssertEqual(try JSONValue(parsing: String(value)).exactUnsignedInteger, value)
            XCTAssertEqual(JSONValue(value).serialized(), String(value))
        }
        for text in [String(limit), String(limit + 1), "18446744073709551615", "-1", "0.5", "1e300", "\"3\"", "null"] {
            XCTAssertNil(try JSONValue(parsing: text).exactUnsignedInteger, text)
        }
    }
}
