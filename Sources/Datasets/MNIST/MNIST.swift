import Foundation
import Requirements

/// The MNIST handwritten digits (LeCun et al. 1998): 60,000 training and 10,000 test images of
/// 28×28 grey pixels with their labels 0–9, read from the original IDX files.
///
/// Both the gzip-compressed files as distributed (`train-images-idx3-ubyte.gz`) and uncompressed
/// ones (`train-images-idx3-ubyte`, or the `train-images.idx3-ubyte` spelling) are accepted; when
/// several exist the uncompressed one wins. The library never downloads anything and has no default
/// directory: pass the folder that holds the files.
///
/// ```swift
/// let mnist = try MNIST.load(directory: "data/mnist")
/// let x = mnist.train.normalizedImages()   // 60000 × 784 floats in 0...1
/// ```
public struct MNIST: Sendable {
    /// Image height and width in pixels.
    public static let side = 28
    /// More examples than this in a header means the header is corrupt (real MNIST has 70,000).
    public static let maximumCount = 10_000_000

    /// One of the two published splits.
    public enum Split: String, CaseIterable, Sendable {
        /// The 60,000 training examples (files `train-…`).
        case train
        /// The 10,000 test examples (files `t10k-…`).
        case test

        /// The file-name prefix the distribution uses for this split.
        public var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    /// The images and labels of one split.
    public struct Subset: Sendable {
        /// Number of examples.
        public let count: Int
        /// Pixels, `count × 28 × 28` bytes, row-major, 0 = background, 255 = ink.
        public let images: [UInt8]
        /// Labels, `count` digits 0...9.
        public let labels: [UInt8]

        /// Creates a subset from `count × 28 × 28` pixels and `count` labels (e.g. a slice of a split).
        ///
        /// - Parameters:
        ///   - images: The pixels, 784 per image, row by row.
        ///   - labels: One label per image, 0–9.
        public init(images: [UInt8], labels: [UInt8]) {
            require(images.count == labels.count * MNIST.side * MNIST.side,
                    "\(images.count) pixels for \(labels.count) labels (need 784 per label)")
            require(labels.allSatisfy { $0 <= 9 }, "MNIST labels are digits 0...9")
            count = labels.count
            self.images = images
            self.labels = labels
        }

        /// Pixels of all images as floats `(pixel / 255 - mean) / standardDeviation`.
        ///
        /// The defaults give values in 0...1, as torchvision's `ToTensor()` does; pass
        /// `mean: 0.1307, standardDeviation: 0.3081` for the usual MNIST standardisation.
        ///
        /// - Parameters:
        ///   - mean: Subtracted after scaling to 0...1.
        ///   - standardDeviation: The divisor after subtracting `mean`.
        /// - Returns: `count × 784` floats, image after image.
        public func normalizedImages(mean: Float = 0, standardDeviation: Float = 1) -> [Float] {
            normalizedImages(at: Array(0..<count), mean: mean, standardDeviation: standardDeviation)
        }

        /// Pixels of the images at `indices`, in that order, normalised as `normalizedImages()`.
        ///
        /// - Parameters:
        ///   - indices: The images to return, in this order.
        ///   - mean: Subtracted after scaling to 0...1.
        ///   - standardDeviation: The divisor after subtracting `mean`.
        /// - Returns: `indices.count × 784` floats, image after image.
        public func normalizedImages(at indices: [Int], mean: Float = 0, standardDeviation: Float = 1) -> [Float] {
            let pixels = MNIST.side * MNIST.side
            let scale = 1 / (255 * standardDeviation), shift = -mean / standardDeviation
            var result = [Float](repeating: 0, count: indices.count * pixels)
            result.withUnsafeMutableBufferPointer { out in
                images.withUnsafeBufferPointer { source in
                    for (row, index) in indices.enumerated() {
                        require(index >= 0 && index < count, "image index \(index) outside 0..<\(count)")
                        for pixel in 0..<pixels {
                            out[row * pixels + pixel] = Float(source[index * pixels + pixel]) * scale + shift
                        }
                    }
                }
            }
            return result
        }

        /// The labels at `indices` as integers.
        ///
        /// - Parameter indices: The examples whose labels to return.
        /// - Returns: Their labels, 0–9.
        public func labels(at indices: [Int]) -> [Int] { indices.map { Int(labels[$0]) } }
    }

    /// The training split.
    public let train: Subset
    /// The test split.
    public let test: Subset

    /// Loads both splits from `directory`.
    /// - Parameter directory: The folder holding the four IDX files (gzip-compressed or not).
    /// - Returns: The training and test splits.
    /// - Throws: ``MNISTError`` naming the file that is missing, unreadable or malformed.
    public static func load(directory: String) throws(MNISTError) -> MNIST {
        MNIST(train: try load(.train, directory: directory), test: try load(.test, directory: directory))
    }

    /// Loads one split from `directory`, validating both files and their agreement.
    ///
    /// The labels are read first; the images file's header must then announce exactly that many
    /// 28×28 images, which is checked before any pixel is read or inflated, so memory never exceeds
    /// what the labels vouch for (a compressed images file stops inflating at that size).
    /// - Parameters:
    ///   - split: The training or the test split.
    ///   - directory: The folder that holds the IDX files.
    /// - Returns: The split's images and labels.
    /// - Throws: `MNISTError` naming the file that is missing, unreadable or malformed.
    public static func load(_ split: Split, directory: String) throws(MNISTError) -> Subset {
        let imagesFile = try locate("\(split.filePrefix)-images", rank: 3, in: directory)
        let labelsFile = try locate("\(split.filePrefix)-labels", rank: 1, in: directory)
        let labels = try IDXArray(contentsOf: labelsFile, expectedRank: 1, elementLimit: maximumCount)
        if let index = labels.elements.firstIndex(where: { $0 > 9 }) {
            throw .labelOutOfRange(file: labelsFile, index: index, value: labels.elements[index])
        }
        let count = labels.shape[0]
        let images = try IDXArray(contentsOf: imagesFile, expectedRank: 3,
                                  elementLimit: imageElementLimit) { shape throws(MNISTError) in
            guard shape[1] == side, shape[2] == side else {
                throw .wrongDimensions(file: imagesFile, expected: "[count, 28, 28]", found: shape)
            }
            guard shape[0] > 0 else { throw .noExamples(file: imagesFile) }
            guard shape[0] == count else {
                throw .countMismatch(imagesFile: imagesFile, images: shape[0], labelsFile: labelsFile, labels: count)
            }
        }
        return Subset(images: images.elements, labels: labels.elements)
    }

    /// The most pixels an images file may announce: `maximumCount` images, or as many as an `Int` can
    /// count (on 32-bit platforms).
    static var imageElementLimit: Int {
        let (pixels, overflow) = maximumCount.multipliedReportingOverflow(by: side * side)
        return overflow ? Int.max : pixels
    }

    /// Finds the first existing spelling of `stem` (e.g. "train-images") with IDX rank `rank`.
    /// Directories are passed over; if only directories carry the names, the first is reported.
    static func locate(_ stem: String, rank: Int, in directory: String) throws(MNISTError) -> String {
        let dashed = "\(stem)-idx\(rank)-ubyte", dotted = "\(stem).idx\(rank)-ubyte"
        let names = [dashed, dotted, dashed + ".gz", dotted + ".gz"]
        var firstDirectory: String?
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue { return path }
            firstDirectory = firstDirectory ?? path
        }
        if let firstDirectory {
            throw .unreadable(file: firstDirectory, reason: "it is a directory, not a file (the IDX file itself is expected)")
        }
        throw .missingFile(directory: directory, triedNames: names)
    }
}
