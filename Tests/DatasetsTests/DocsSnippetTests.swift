import Foundation
import XCTest
import TestSupport
import Datasets
import Autodiff

/// The code of the `Datasets` DocC catalog, compiled and run (the MNIST block on the real test split, from
/// `../shared`, whose `data/mnist` is the directory the snippet names); `testEveryBlockIsCompiledHere`
/// fails when a ```swift block of the catalog is not found in this file.
final class DocsSnippetTests: XCTestCase {
    func testLandingPage() throws {
        guard SharedFolder.contains(["data/mnist"]) else { throw XCTSkip(SharedFolder.absenceMessage(["data/mnist"])) }
        let manager = FileManager.default
        let previous = manager.currentDirectoryPath
        XCTAssertTrue(manager.changeCurrentDirectoryPath(SharedFolder.root.path))
        defer { _ = manager.changeCurrentDirectoryPath(previous) }

        let test = try MNIST.load(.test, directory: "data/mnist")
        let images = test.normalizedImages(mean: 0.1307, standardDeviation: 0.3081)   // count × 784 floats
        print(test.count, images.count, test.labels(at: [0, 1, 2]))

        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(images.count, 10_000 * 784)
        // Pixel 0 of image 0 is 0 (the border is blank), so it normalises to −mean / standard deviation.
        XCTAssertEqual(images[0], -0.1307 / 0.3081, accuracy: 1e-6)
        XCTAssertEqual(test.labels(at: [0, 1, 2]), test.labels[0..<3].map { Int($0) })
    }

    func testToyDensities() {
        var generator = SeededGenerator(seed: 0)        // import Autodiff (or ODENet) for the generator and Tensor
        let batch = ToyDensity(rawValue: "2spirals")!.sample(512, as: Float.self, using: &generator)
        print(batch.shape, ToyDensity.twoSpirals.entropy)    // [512, 2] 2.633

        XCTAssertEqual(batch.shape, [512, 2])
        XCTAssertEqual(ToyDensity.twoSpirals.entropy, 2.633)
    }

    func testEveryBlockIsCompiledHere() throws {
        let catalog = SharedFolder.packageRoot.appendingPathComponent("Sources/Datasets/Datasets.docc")
        let pages = try FileManager.default.contentsOfDirectory(at: catalog, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "md" }
        XCTAssertFalse(pages.isEmpty)
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        for page in pages {
            let markdown = try String(contentsOf: page, encoding: .utf8)
            for block in MarkdownCodeBlocks.blocksMissing(from: source, markdown: markdown) {
                XCTFail("\(page.lastPathComponent): block not compiled by this test:\n\(block)")
            }
        }
    }
}
