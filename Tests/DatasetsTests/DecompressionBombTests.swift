import Foundation
import XCTest
import TestSupport
@testable import Datasets

/// `MNIST.load` on 1 MB gzip files that inflate to 1 GiB (issue 14, item 6): the IDX header is read
/// from the first inflated bytes, the exact size derived from it, and inflation stops there, so every
/// such file is rejected in well under a second with little memory (the real training images inflate
/// to 47 MB). Time is asserted in optimised builds; peak memory where Linux can measure it.
final class DecompressionBombTests: XCTestCase {
    private var directory: String!
    private static let gibibyte = 1 << 30
    /// Well above the real training split's 47 MB, far below the 1 GiB a bomb inflates to.
    private static let peakLimit = 300_000_000

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "mnist-bomb-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Writes `count` uncompressed training labels and a gzip bomb of training images whose contents are
    /// `prefix` followed by zeros, `Self.gibibyte` bytes in all; returns the bomb's compressed size.
    private func writeBomb(prefix: [UInt8], labels count: Int = 60_000) throws -> Int {
        let labels = GzipBomb.idxHeader([count]) + (0..<count).map { UInt8($0 % 10) }
        try Data(labels).write(to: URL(fileURLWithPath: directory + "/train-labels-idx1-ubyte"))
        let bomb = GzipBomb.member(prefix: prefix, totalSize: Self.gibibyte)
        try Data(bomb).write(to: URL(fileURLWithPath: directory + "/train-images-idx3-ubyte.gz"))
        return bomb.count
    }

    /// Loads the training split, which must fail; checks the time and the peak memory it took and
    /// returns the error's message.
    private func rejection(of name: String, compressedSize: Int, line: UInt = #line) -> String {
        let start = Date()
        let (result, peak) = PeakMemory.measure { Result { try MNIST.load(.train, directory: directory) } }
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "%@: %.2f MB .gz rejected in %.3f s, peak memory growth %@", name,
                     Double(compressedSize) / 1e6, seconds, peak.map { String(format: "%.1f MB", Double($0) / 1e6) } ?? "n/a"))
        #if !DEBUG
        XCTAssertLessThan(seconds, 1, "\(name): rejecting the bomb took \(seconds) s", line: line)
        #endif
        if let peak { XCTAssertLessThan(peak, Self.peakLimit, "\(name): peak memory grew by \(peak) bytes", line: line) }
        switch result {
        case .success(let subset):
            XCTFail("\(name): loaded \(subset.count) images", line: line)
            return ""
        case .failure(let error):
            XCTAssertTrue("\(error)".contains("train-images-idx3-ubyte.gz"), "\(error)", line: line)
            return "\(error)"
        }
    }

    /// A valid header for 60,000 images (47 MB), then zeros up to 1 GiB: inflation stops just past 47 MB.
    func testGibibyteBehindAValidHeaderStopsAtTheAnnouncedSize() throws {
        let size = try writeBomb(prefix: GzipBomb.idxHeader([60_000, 28, 28]))
        XCTAssertLessThan(size, 1_100_000)
        let message = rejection(of: "valid header, 1 GiB", compressedSize: size)
        XCTAssertTrue(message.contains("\(16 + 60_000 * 784)"), message)
    }

    /// A gibibyte of zeros: the header's element type (byte 3) is 0, not 8.
    func testGibibyteOfZerosIsRejectedByItsFirstBytes() throws {
        let size = try writeBomb(prefix: [0])
        let message = rejection(of: "zeros, 1 GiB", compressedSize: size)
        XCTAssertTrue(message.contains("element type 0x0"), message)
    }

    /// A header announcing 10 million images (7.8 GB) in a 1 MB file, which DEFLATE (at most 1032 : 1)
    /// cannot hold: rejected before inflating further.
    func testHeaderAnnouncingMoreThanTheFileCanHoldIsRejectedAtOnce() throws {
        let size = try writeBomb(prefix: GzipBomb.idxHeader([10_000_000, 28, 28]))
        let message = rejection(of: "10M-image header, 1 GiB", compressedSize: size)
        XCTAssertTrue(message.contains("10000000"), message)
    }

    /// A header announcing 1,369,000 images (1.07 GB, within what the file could hold) beside 60,000
    /// labels: the counts disagree, so nothing is inflated past the header.
    func testHeaderDisagreeingWithTheLabelsIsRejectedBeforeInflating() throws {
        let size = try writeBomb(prefix: GzipBomb.idxHeader([1_369_000, 28, 28]))
        let message = rejection(of: "1.37M-image header, 1 GiB", compressedSize: size)
        XCTAssertTrue(message.contains("1369000") && message.contains("60000"), message)
    }

    /// The bomb builder itself: a small instance inflates to exactly its contents (CRC included).
    func testTheBombBuilderMakesValidGzip() throws {
        let prefix = GzipBomb.idxHeader([3, 28, 28])
        for total in [prefix.count + 1, prefix.count + 258, prefix.count + 259, 16 + 3 * 784, 100_000] {
            let member = GzipBomb.member(prefix: prefix, totalSize: total, withCRC: true)
            XCTAssertEqual(try Gzip.decompress(member), prefix + [UInt8](repeating: 0, count: total - prefix.count))
        }
    }
}
