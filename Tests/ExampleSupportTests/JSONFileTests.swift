import Foundation
import XCTest
import ExampleSupport
import ODENet
import TestSupport

/// The examples' JSON files: reading the peers' inputs and writing summaries atomically.
final class JSONFileTests: XCTestCase {
    func testSharedPeerFilesParseWhenPresent() throws {
        let needed = ["peers/data/spiral_data.json", "peers/data/w3_init.json"]
        guard SharedFolder.contains(needed) else {
            throw XCTSkip("the peers' W3 inputs: " + SharedFolder.absenceMessage(needed))
        }
        let start = Date()
        let spiral = try JSONValue(contentsOf: SharedFolder.path(needed[0]))
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "parsed spiral_data.json in %.1f ms", seconds * 1000))
        XCTAssertEqual(spiral["t"]?.doubles?.count, 1000)
        let weights = try JSONValue(contentsOf: SharedFolder.path(needed[1]))
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

    func testUnreadableAndInvalidFilesNameThePath() throws {
        let directory = NSTemporaryDirectory() + "json-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/bad.json"
        XCTAssertThrowsError(try JSONValue(contentsOf: path))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("{\"a\": [1, 2,]}".utf8).write(to: URL(fileURLWithPath: path), options: [])
        XCTAssertThrowsError(try JSONValue(contentsOf: path)) { error in
            XCTAssertEqual((error as? JSONParseError)?.file, path)
            XCTAssertTrue("\(error)".hasPrefix(path + ": invalid JSON"), "\(error)")
        }
    }
}
