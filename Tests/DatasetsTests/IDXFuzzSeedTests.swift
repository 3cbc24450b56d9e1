import Foundation
import XCTest
@testable import Datasets

/// The seed corpus of the gzip + IDX fuzz target (Fuzz/Sources/FuzzIDX): small valid IDX files, raw
/// and gzip-compressed in each kind of DEFLATE block, and a few gzip files that are not IDX. Each seed
/// must read back; `.ci/fuzz` runs this test with `FUZZ_SEED_DIRECTORY` set to write them to
/// `$FUZZ_SEED_DIRECTORY/idx`.
final class IDXFuzzSeedTests: XCTestCase {
    /// The fuzz target's element limit (FuzzIDX.swift).
    static let elementLimit = 1 << 22

    /// An IDX file of unsigned bytes with a simple element recipe.
    static func idx(_ shape: [Int]) -> [UInt8] {
        GzipBomb.idxHeader(shape) + (0..<shape.reduce(1, *)).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
    }

    /// A gzip member holding `contents` in one stored block.
    static func stored(_ contents: [UInt8]) -> [UInt8] {
        let length = UInt16(contents.count)
        return GzipBuilder.header() + [1, UInt8(length & 0xFF), UInt8(length >> 8), ~UInt8(length & 0xFF), ~UInt8(length >> 8)]
            + contents + GzipBuilder.trailer(for: contents)
    }

    /// The IDX seeds: name and file contents.
    static var idxSeeds: [(name: String, bytes: [UInt8])] {
        let labels = idx([10]), images = idx([2, 5, 4])
        return [
            ("labels.idx1", labels),
            ("images.idx3", images),
            ("matrix.idx2", idx([3, 7])),
            ("tensor.idx4", idx([2, 1, 3, 2])),
            ("empty.idx1", idx([0])),
            ("labels.idx1.stored.gz", stored(labels)),
            ("images.idx3.stored.gz", stored(images)),
            ("images.idx3.huffman.gz", GzipBomb.member(prefix: GzipBomb.idxHeader([3, 28, 28]), totalSize: 16 + 3 * 784,
                                                       withCRC: true)),
            ("labels.idx1.two-members.gz", stored(Array(labels.prefix(9))) + stored(Array(labels.dropFirst(9)))),
        ]
    }

    /// Gzip files that are not IDX: fixed and dynamic blocks from the real `gzip`, several members.
    static var gzipSeeds: [(name: String, bytes: [UInt8])] {
        [("small-fixed.gz", FixtureInputs.decode(GzipFixtures.smallFixed)),
         ("multi-member.gz", FixtureInputs.decode(GzipFixtures.multiMember)),
         ("empty.gz", FixtureInputs.decode(GzipFixtures.empty))]
    }

    func testSeedsAreValidAndWrittenWhenAsked() throws {
        let directory = NSTemporaryDirectory() + "idx-seeds-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, bytes) in Self.idxSeeds {
            let path = directory + "/" + name
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let array = try IDXArray(contentsOf: path, elementLimit: Self.elementLimit)
            let plain = Gzip.hasMagic(bytes) ? try Gzip.decompress(bytes) : bytes
            XCTAssertEqual(array, try IDXArray(parsing: plain, file: name), name)
        }
        for (name, bytes) in Self.gzipSeeds { XCTAssertNoThrow(try Gzip.decompress(bytes), name) }

        guard let output = ProcessInfo.processInfo.environment["FUZZ_SEED_DIRECTORY"] else { return }
        let target = output + "/idx"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        for (name, bytes) in Self.idxSeeds + Self.gzipSeeds {
            try Data(bytes).write(to: URL(fileURLWithPath: target + "/" + name))
        }
    }
}
