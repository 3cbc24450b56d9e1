import ODENet

/// Where a checkpoint says training continues: the epoch, the batch within it, and the state of the
/// generator that draws that epoch's order and crops — read from the checkpoint's metadata and checked
/// against the run before anything is restored.
struct ResumePoint {
    /// The epoch to continue (0-based); equal to the run's epoch count when training had finished.
    let epoch: Int
    /// The first batch of `epoch` still to train.
    let position: Int
    /// The generator as it was at the start of `epoch`.
    let generator: SeededGenerator

    /// Reads `epoch`, `position` and `rng` from `metadata`.
    /// - Parameters:
    ///   - metadata: The checkpoint's metadata.
    ///   - file: The checkpoint's path, for messages.
    ///   - epochs: The run's `--epochs`.
    ///   - batchesPerEpoch: Full batches per epoch in this run.
    /// - Throws: `ResumeError` naming the key, its value and the file when an entry is missing or impossible.
    init(metadata: [String: String], file: String, epochs: Int, batchesPerEpoch: Int) throws(ResumeError) {
        func value(_ key: String) throws(ResumeError) -> String {
            guard let value = metadata[key] else { throw .missing(file: file, key: key) }
            return value
        }
        let epochText = try value("epoch")
        guard let epoch = Int(epochText), (0...epochs).contains(epoch) else {
            throw .invalid(file: file, key: "epoch", value: epochText, expected: "an epoch in 0...\(epochs) (--epochs \(epochs))")
        }
        let positionText = try value("position")
        let positions = epoch < epochs ? 0..<batchesPerEpoch : 0..<1
        guard let position = Int(positionText), positions.contains(position) else {
            throw .invalid(file: file, key: "position", value: positionText,
                           expected: epoch < epochs ? "a batch index in 0..<\(batchesPerEpoch) of an epoch"
                                                    : "0 once all \(epochs) epochs are done")
        }
        let rngText = try value("rng")
        let words = rngText.split(separator: ",", omittingEmptySubsequences: false).map { UInt64($0) }
        guard words.count == 4, words.allSatisfy({ $0 != nil }), words.contains(where: { $0 != 0 }) else {
            throw .invalid(file: file, key: "rng", value: rngText,
                           expected: "four comma-separated unsigned 64-bit integers, not all zero")
        }
        self.epoch = epoch
        self.position = position
        generator = SeededGenerator(state: words.compactMap { $0 })
    }
}

/// A checkpoint whose resume metadata is missing or impossible.
enum ResumeError: Error, CustomStringConvertible {
    /// The metadata has no entry `key`.
    case missing(file: String, key: String)
    /// The entry `key` holds `value`, which is not `expected`.
    case invalid(file: String, key: String, value: String, expected: String)

    /// A message naming the file, the key and the value.
    var description: String {
        switch self {
        case let .missing(file, key):
            "\(file): the metadata has no '\(key)', so the checkpoint cannot be resumed (was it written by mnist --checkpoint?)"
        case let .invalid(file, key, value, expected):
            "\(file): metadata '\(key)' is \"\(value)\"; it must be \(expected)"
        }
    }
}
