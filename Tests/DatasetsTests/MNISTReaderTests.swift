import Foundation
import XCTest
import TestSupport
@testable import Datasets

/// The MNIST and IDX readers on synthetic files (every error names its file), and on the real data
/// when the shared folder holds it.
final class MNISTReaderTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "mnist-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// An IDX file of unsigned bytes with the given shape; elements follow a simple recipe.
    private func idx(shape: [Int], magicRank: Int? = nil, elements: [UInt8]? = nil) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 8, UInt8(magicRank ?? shape.count)]
        for size in shape { bytes += (0..<4).map { UInt8(UInt32(size) >> (24 - 8 * $0) & 0xFF) } }
        return bytes + (elements ?? (0..<shape.reduce(1, *)).map { UInt8(truncatingIfNeeded: $0 * 7) })
    }

    private func write(_ bytes: [UInt8], _ name: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name))
    }

    private func writeSplit(prefix: String, count: Int, labelCount: Int? = nil) throws {
        try write(idx(shape: [count, 28, 28]), "\(prefix)-images-idx3-ubyte")
        let labels = (0..<(labelCount ?? count)).map { UInt8($0 % 10) }
        try write(idx(shape: [labels.count], elements: labels), "\(prefix)-labels-idx1-ubyte")
    }

    private func assertLoadThrows(_ split: MNIST.Split = .train, file: StaticString = #filePath, line: UInt = #line,
                                  _ predicate: (MNISTError) -> Bool) {
        do {
            let subset = try MNIST.load(split, directory: directory)
            XCTFail("loaded \(subset.count) examples, expected an error", file: file, line: line)
        } catch {
            XCTAssertTrue(predicate(error), "unexpected error: \(error)", file: file, line: line)
        }
    }

    func testLoadsValidUncompressedAndDottedFiles() throws {
        try writeSplit(prefix: "train", count: 5)
        try write(idx(shape: [3, 28, 28]), "t10k-images.idx3-ubyte")
        try write(idx(shape: [3], elements: [9, 0, 4]), "t10k-labels.idx1-ubyte")
        let mnist = try MNIST.load(directory: directory)
        XCTAssertEqual(mnist.train.count, 5)
        XCTAssertEqual(mnist.train.images.count, 5 * 784)
        XCTAssertEqual(mnist.train.images[100], UInt8(truncatingIfNeeded: 700))
        XCTAssertEqual(mnist.train.labels, [0, 1, 2, 3, 4])
        XCTAssertEqual(mnist.test.labels, [9, 0, 4])
    }

    func testLoadsGzipCompressedFiles() throws {
        // A stored-block gzip member wrapped by hand around the IDX bytes.
        let labels = idx(shape: [4], elements: [1, 2, 3, 4])
        let stored: [UInt8] = [1, UInt8(labels.count), 0, ~UInt8(labels.count), 0xFF]
        try write(GzipBuilder.header() + stored + labels + GzipBuilder.trailer(for: labels),
                  "train-labels-idx1-ubyte.gz")
        try write(idx(shape: [4, 28, 28]), "train-images-idx3-ubyte")
        let subset = try MNIST.load(.train, directory: directory)
        XCTAssertEqual(subset.labels, [1, 2, 3, 4])
        let floats = subset.normalizedImages(at: [1])
        XCTAssertEqual(floats.count, 784)
        XCTAssertEqual(floats[3], Float(UInt8(truncatingIfNeeded: (784 + 3) * 7)) / 255, accuracy: 1e-7)
        XCTAssertEqual(subset.normalizedImages(mean: 0.5, standardDeviation: 0.5)[0], -1, accuracy: 1e-7)
    }

    func testMissingFilesSayWhereToGetThem() {
        assertLoadThrows { error in
            guard case let .missingFile(_, tried) = error else { return false }
            return tried.contains("train-images-idx3-ubyte.gz") && error.description.contains("yann.lecun.com")
        }
    }

    func testRejectsBadMagicWrongDimensionsAndElementType() throws {
        try writeSplit(prefix: "train", count: 2)
        try write(idx(shape: [2, 28, 28], magicRank: 2).dropLast(4) + [], "train-images-idx3-ubyte")
        assertLoadThrows { if case .badMagic(_, 0x803, 0x802) = $0 { true } else { false } }

        try write(idx(shape: [2, 28, 27]), "train-images-idx3-ubyte")
        assertLoadThrows { if case .wrongDimensions(_, _, [2, 28, 27]) = $0 { true } else { false } }

        var floatType = idx(shape: [2, 28, 28])
        floatType[2] = 0x0D
        try write(floatType, "train-images-idx3-ubyte")
        assertLoadThrows { if case .unsupportedElementType(_, 0x0D) = $0 { true } else { false } }
    }

    func testRejectsTruncatedAndOverlongData() throws {
        try writeSplit(prefix: "train", count: 2)
        let images = idx(shape: [2, 28, 28])
        try write(Array(images.dropLast()), "train-images-idx3-ubyte")
        assertLoadThrows { if case .truncated(_, 16 + 1568, 16 + 1567) = $0 { true } else { false } }
        try write(Array(images.prefix(10)), "train-images-idx3-ubyte")
        assertLoadThrows { if case .truncated(_, 16, 10) = $0 { true } else { false } }
        try write(images + [0], "train-images-idx3-ubyte")
        assertLoadThrows { if case .unexpectedTrailingBytes = $0 { true } else { false } }
    }

    func testRejectsCountMismatchAndBadLabels() throws {
        try writeSplit(prefix: "train", count: 3, labelCount: 4)
        assertLoadThrows { if case .countMismatch(_, 3, _, 4) = $0 { true } else { false } }
        try writeSplit(prefix: "train", count: 3)
        try write(idx(shape: [3], elements: [1, 12, 3]), "train-labels-idx1-ubyte")
        assertLoadThrows { if case .labelOutOfRange(_, 1, 12) = $0 { true } else { false } }
    }

    func testRejectsAbsurdHeaderBeforeAllocating() throws {
        try writeSplit(prefix: "train", count: 2)
        // 4 billion images of 28×28: only the 16-byte header exists.
        try write([0, 0, 8, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 28, 0, 0, 0, 28], "train-images-idx3-ubyte")
        assertLoadThrows { if case .dimensionsTooLarge = $0 { true } else { false } }
        XCTAssertThrowsError(try IDXArray(parsing: [0, 0, 8, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                                          file: "generic"))
        let small = try IDXArray(parsing: idx(shape: [2, 3]), file: "generic")
        XCTAssertEqual(small.shape, [2, 3])
        XCTAssertEqual(small.elements, [0, 7, 14, 21, 28, 35])
    }

    func testCorruptGzipNamesTheFile() throws {
        try writeSplit(prefix: "train", count: 2)
        try FileManager.default.removeItem(atPath: directory + "/train-labels-idx1-ubyte")
        try write(GzipBuilder.header() + [1, 2, 0], "train-labels-idx1-ubyte.gz")
        assertLoadThrows { error in
            guard case let .decompressionFailed(file, .truncatedInput) = error else { return false }
            return file.hasSuffix("train-labels-idx1-ubyte.gz")
        }
    }

    /// Issue 14, item 11: a directory where a file is expected is named as a directory (it was
    /// "NSCocoaErrorDomain error 256"); another spelling of the file beside it is still found.
    func testDirectoryWhereAFileIsExpectedIsNamedAsSuch() throws {
        try writeSplit(prefix: "train", count: 2)
        try FileManager.default.removeItem(atPath: directory + "/train-labels-idx1-ubyte")
        try FileManager.default.createDirectory(atPath: directory + "/train-labels-idx1-ubyte/inside",
                                                withIntermediateDirectories: true)
        assertLoadThrows { error in
            error.description.contains("train-labels-idx1-ubyte") && error.description.contains("is a directory")
        }
        try write(idx(shape: [2], elements: [3, 4]), "train-labels.idx1-ubyte")
        XCTAssertEqual(try MNIST.load(.train, directory: directory).labels, [3, 4])
    }

    /// Issue 14, item 11: an empty file says it is empty (a `.gz` one said "not gzip data … found []").
    func testEmptyFilesSayTheyAreEmpty() throws {
        try writeSplit(prefix: "train", count: 2)
        try FileManager.default.removeItem(atPath: directory + "/train-labels-idx1-ubyte")
        try write([], "train-labels-idx1-ubyte.gz")
        assertLoadThrows { $0.description.contains("train-labels-idx1-ubyte.gz") && $0.description.contains("empty") }
        try FileManager.default.removeItem(atPath: directory + "/train-labels-idx1-ubyte.gz")
        try write([], "train-labels-idx1-ubyte")
        assertLoadThrows { $0.description.contains("train-labels-idx1-ubyte") && $0.description.contains("empty") }
    }

    /// Issue 14, item 11: a split of 0 images is no data set; the message says so and names the file.
    func testSplitWithNoImagesIsRejected() throws {
        try writeSplit(prefix: "train", count: 0)
        assertLoadThrows { $0.description.contains("train-images-idx3-ubyte") && $0.description.contains("no images") }
    }

    /// Smoke test on the real data when the shared copy exists (never required by the library).
    func testRealMNISTWhenPresent() throws {
        let needed = ["data/mnist/train-images-idx3-ubyte.gz"]
        guard SharedFolder.contains(needed) else {
            throw XCTSkip("real MNIST: " + SharedFolder.absenceMessage(needed) + " (synthetic tests cover the reader)")
        }
        let real = SharedFolder.path("data/mnist")
        let compressed = [UInt8](try Data(contentsOf: URL(fileURLWithPath: real + "/train-images-idx3-ubyte.gz")))
        var images: [UInt8] = []
        var seconds = Double.infinity
        for _ in 0..<3 {  // best of three: the machine is shared
            let start = Date()
            images = try Gzip.decompress(compressed)  // CRC-32 and ISIZE are checked inside
            seconds = min(seconds, Date().timeIntervalSince(start))
        }
        print(String(format: "inflate train-images: %.1f MB in %.3f s = %.0f MB/s (best of 3, CRC included)",
                     Double(images.count) / 1e6, seconds, Double(images.count) / 1e6 / seconds))
        XCTAssertEqual(images.count, 16 + 60000 * 784)

        // The training images are inflated once, straight into the array that keeps them: the peak is
        // the 47 MB of pixels and the 9.9 MB compressed file, not a second copy of the pixels.
        let start = Date()
        let (train, peak) = try PeakMemory.measure { try MNIST.load(.train, directory: real) }
        print(String(format: "MNIST.load(.train): %.3f s, peak memory growth %@", Date().timeIntervalSince(start),
                     peak.map { String(format: "%.1f MB", Double($0) / 1e6) } ?? "n/a"))
        if let peak { XCTAssertLessThan(peak, 47_040_000 + compressed.count + 16_000_000) }
        let mnist = MNIST(train: train, test: try MNIST.load(.test, directory: real))
        XCTAssertEqual(mnist.train.count, 60000)
        XCTAssertEqual(mnist.test.count, 10000)
        XCTAssertEqual(mnist.train.images, Array(images[16...]))
        var histogram = [Int](repeating: 0, count: 10)
        for label in mnist.train.labels { histogram[Int(label)] += 1 }
        // Every digit is between 9% and 12% of the training set.
        for (digit, count) in histogram.enumerated() {
            XCTAssertTrue((5400...6800).contains(count), "digit \(digit): \(count)")
        }
        let meanInk = mnist.test.normalizedImages().reduce(0, +) / Float(10000 * 784)
        XCTAssertEqual(meanInk, 0.13, accuracy: 0.01)
    }
}
