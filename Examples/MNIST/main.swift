import Foundation
import Autodiff
import Datasets
import ODENet
import ExampleSupport
import MNISTModels

// torchdiffeq's examples/odenet_mnist.py in Swift: ODE-Net, ResNet and RK-Net (--gradient direct) on
// MNIST, plus the peers' light MLP ODE-Net. SGD with momentum 0.9, lr 0.1 × batch/128 decayed ×0.1 at
// 60/100/140 of 160 epochs, batch 128, random crops with 4-pixel padding, pixels/255 (no mean/std).

// Line-buffered standard output, so that the per-epoch lines reach a log file as they are printed
// (a run stopped between epochs would otherwise lose them).
StandardOutput.useLineBuffering()
let options = Options.parse()

@MainActor
func loadSplit(_ split: MNIST.Split) -> MNIST.Subset {
    do {
        return try MNIST.load(split, directory: options.dataDirectory)
    } catch {
        fail("\(error)\n(looked in '\(options.dataDirectory)'; pass --data DIR to use another directory)")
    }
}

@MainActor
func makeModel(_ model: ModelChoice, _ downsampling: DownsamplingChoice, seed: Int) -> MNISTClassifier<Float> {
    var generator = SeededGenerator(seed: UInt64(seed))
    return MNISTClassifier<Float>(model.network, downsampling: downsampling.downsampling, tolerance: options.tolerance,
                                  gradientMode: options.gradient.mode, using: &generator)
}

func percent(_ correct: [Int], _ total: [Int]) -> Double {
    100 * Double(correct.reduce(0, +)) / Double(max(1, total.reduce(0, +)))
}

// MARK: - Evaluate a checkpoint

if let path = options.evaluate {
    let file: SafetensorsFile
    do { file = try SafetensorsFile(contentsOf: path) } catch { fail("\(error)") }
    let model = makeModel(ModelChoice(rawValue: file.metadata["model"] ?? "") ?? options.model,
                          DownsamplingChoice(rawValue: file.metadata["downsampling"] ?? "") ?? options.downsampling,
                          seed: 0)
    do { try ModuleCheckpoint.load(into: model, from: file, as: Float.self) } catch { fail("\(error)") }
    let test = loadSplit(.test)
    let start = Date()
    let (correct, total) = try evaluate(model, on: test, limit: options.testLimit, batchSize: options.testBatchSize)
    print("\(model.name) from \(path) (epoch \(file.metadata["epoch"] ?? "?")): test accuracy "
          + String(format: "%.2f%%", percent(correct, total)) + " on \(total.reduce(0, +)) images"
          + String(format: " (%.1f s)", Date().timeIntervalSince(start)))
    for digit in 0..<10 {
        print("  digit \(digit): " + String(format: "%6.2f%%", 100 * Double(correct[digit]) / Double(max(1, total[digit])))
              + "  (\(correct[digit])/\(total[digit]))")
    }
    exit(0)
}

// MARK: - Figure 3 from a checkpoint

if let path = options.figure3 {
    do {
        let file = try SafetensorsFile(contentsOf: path)
        let model = makeModel(ModelChoice(rawValue: file.metadata["model"] ?? "") ?? options.model,
                              DownsamplingChoice(rawValue: file.metadata["downsampling"] ?? "") ?? options.downsampling,
                              seed: 0)
        try ModuleCheckpoint.load(into: model, from: file, as: Float.self)
        let result = try figure3(model: model, history: decodeHistory(file.metadata["history"] ?? ""), test: loadSplit(.test),
                                 count: options.testLimit > 0 ? options.testLimit : 1000, folder: options.figuresFolder)
        if let summary = options.summaryJSON { try JSONValue.object([("figure3", result)]).writeSummary(to: summary) }
    } catch { fail("--figure3: \(error)") }
    exit(0)
}

// MARK: - Table 1's memory column

if let folder = options.memoryTable {
    do {
        let rows = try memoryTable(batchSize: options.batchSize, folder: folder)
        if let path = options.summaryJSON { try JSONValue.object([("memory_table", rows)]).writeSummary(to: path) }
    } catch { fail("--memory-table: \(error)") }
    exit(0)
}

// MARK: - Set up

let train = loadSplit(.train)
let test = loadSplit(.test)
let trainCount = options.trainLimit > 0 ? min(options.trainLimit, train.count) : train.count
let batchesPerEpoch = trainCount / options.batchSize
guard batchesPerEpoch > 0 else {
    if options.trainLimit > 0, options.trainLimit < train.count {
        fail("--train-limit \(options.trainLimit) is smaller than one batch of \(options.batchSize)")
    }
    fail("the training split in '\(options.dataDirectory)' holds \(train.count) images, fewer than one batch of "
         + "\(options.batchSize); pass a smaller --batch-size")
}

let model = makeModel(options.model, options.downsampling, seed: options.seed)
let optimizer = SGD<Float>(learningRate: options.learningRate * Double(options.batchSize) / 128, momentum: 0.9)
var generator = SeededGenerator(seed: UInt64(options.seed))
var startEpoch = 0, startPosition = 0
/// Per finished epoch: seconds, test accuracy, mean NFE-F and NFE-B.
var history: [(seconds: Double, test: Double, nfeForward: Double, nfeBackward: Double)] = []
/// The last finished epoch's mean training loss and its test-set count of correct predictions (for the summary).
var lastEpoch: (trainLoss: Double, testCorrect: Int, testTotal: Int)? = nil

if let initFile = options.initFile {
    do {
        try ModuleCheckpoint.load(into: model, from: try readPeerInitialParameters(initFile), as: Float.self)
        print("initial parameters from \(initFile)")
    } catch { fail("--init: \(error)") }
}

let checkpointPath = options.checkpointDirectory.map { ($0 as NSString).appendingPathComponent("checkpoint.safetensors") }
if let directory = options.checkpointDirectory {
    do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
    catch { fail("cannot create checkpoint directory \(directory): \(error)") }
}

@MainActor
func encodeHistory() -> String {
    history.map { "\($0.seconds),\($0.test),\($0.nfeForward),\($0.nfeBackward)" }.joined(separator: ";")
}

func decodeHistory(_ text: String) -> [(seconds: Double, test: Double, nfeForward: Double, nfeBackward: Double)] {
    text.split(separator: ";").compactMap { entry in
        let v = entry.split(separator: ",").compactMap { Double($0) }
        return v.count == 4 ? (v[0], v[1], v[2], v[3]) : nil
    }
}

if options.resume {
    guard let checkpointPath else { fail("--resume needs --checkpoint DIR") }
    if FileManager.default.fileExists(atPath: checkpointPath) {
        do {
            let file = try SafetensorsFile(contentsOf: checkpointPath)
            let expectations = [("model", options.model.rawValue, "--model"),
                                ("downsampling", options.downsampling.rawValue, "--downsampling"),
                                ("batch_size", "\(options.batchSize)", "--batch-size"),
                                ("train_count", "\(trainCount)", "--train-limit"),
                                ("augment", "\(options.augment)", "--[no-]augment"),
                                ("shuffle", "\(options.shuffle)", "--[no-]shuffle")]
            for (key, expected, flag) in expectations {
                if let saved = file.metadata[key], saved != expected {
                    fail("\(checkpointPath) was written with \(key) \(saved), not \(expected); pass the same \(flag) to resume")
                }
            }
            if let saved = file.metadata["epochs"], saved != "\(options.epochs)" {
                print("note: the checkpoint was written by a run of \(saved) epochs; the learning-rate schedule now follows --epochs \(options.epochs)")
            }
            // Everything is checked before anything is restored: the metadata here, then the weights and
            // the optimiser's state together (one call restores both or neither).
            let point = try ResumePoint(metadata: file.metadata, file: checkpointPath, epochs: options.epochs,
                                        batchesPerEpoch: batchesPerEpoch)
            try ModuleCheckpoint.load(into: model, optimizer: optimizer, from: file)
            generator = point.generator
            (startEpoch, startPosition) = (point.epoch, point.position)
            history = decodeHistory(file.metadata["history"] ?? "")
            print("resumed from \(checkpointPath): epoch \(point.epoch + 1), batch \(point.position)")
        } catch { fail("\(error)") }
    } else {
        print("no checkpoint at \(checkpointPath); starting afresh")
    }
}

/// Writes the checkpoint: `epoch`/`position` say where training continues; `rng` is the generator
/// state from which that epoch's order and crops are drawn.
@MainActor
func saveCheckpoint(epoch: Int, position: Int, rng: SeededGenerator) {
    guard let checkpointPath else { return }
    let metadata = ["model": options.model.rawValue, "downsampling": options.downsampling.rawValue,
                    "gradient": options.gradient.rawValue, "epoch": "\(epoch)", "position": "\(position)",
                    "rng": rng.stateWords.map(String.init).joined(separator: ","), "seed": "\(options.seed)",
                    "epochs": "\(options.epochs)", "batch_size": "\(options.batchSize)", "train_count": "\(trainCount)",
                    "augment": "\(options.augment)", "shuffle": "\(options.shuffle)",
                    "history": encodeHistory()]
    do {
        try ModuleCheckpoint.save(model, as: Float.self, optimizerState: optimizer.state(), metadata: metadata,
                                  to: checkpointPath)
    } catch { fail("checkpoint: \(error)") }
}

print(model.description)
let parameterCount = model.parameterCount(of: Float.self)
print("\(model.name): \(parameterCount) parameters; gradient \(options.gradient.rawValue); "
      + "\(trainCount) training images, \(batchesPerEpoch) batches of \(options.batchSize) per epoch; "
      + "augment \(options.augment ? "on" : "off"); tol \(options.tolerance)")
let schedule = learningRateSchedule(base: options.learningRate, batchSize: options.batchSize, epochs: options.epochs)
print("learning rate: SGD momentum 0.9, \(schedule)")

// MARK: - Train

var batchesThisRun = 0
training: for epoch in startEpoch..<options.epochs {
    let epochStart = generator
    var batches = EpochBatches(subset: train, count: trainCount, batchSize: options.batchSize, shuffle: options.shuffle,
                               augment: options.augment, generator: &generator)
    let position = epoch == startEpoch ? startPosition : 0
    batches.skip(position)
    let progress = EpochProgress(epoch: epoch + 1, of: options.epochs, batches: batchesPerEpoch - position,
                                 batchSize: options.batchSize)
    var lossSum = 0.0, correct = 0, seen = 0, nfeForward = 0, nfeBackward = 0
    optimizer.learningRate = schedule.learningRate(atEpoch: epoch)
    let started = Date()
    for index in position..<batchesPerEpoch {
        let (images, labels) = batches.batch(index)
        var logits = Tensor<Float>(0)
        let result: (value: Tensor<Float>, gradients: [Tensor<Float>])
        do {
            result = try valueWithGradient(at: model) {
                let output = try model(images)
                logits = withoutDerivative(at: output)
                return crossEntropy(logits: output, labels: labels)
            }
        } catch { fail("epoch \(epoch + 1), batch \(index + 1): \(error)") }
        let loss = result.value
        optimizer.update(model, along: result.gradients)
        let statistics = model.odeBlock?.statistics ?? ODEStatistics()
        nfeForward += statistics.forwardEvaluations
        nfeBackward += statistics.backwardEvaluations
        lossSum += Double(loss.scalar)
        correct += zip(predictions(logits), labels).filter { $0 == $1 }.count
        seen += labels.count
        let done = index + 1 - position
        progress.update(batchesDone: done, ["loss": lossSum / Double(done), "acc": 100 * Double(correct) / Double(seen),
                                            "nfe-f": Double(statistics.forwardEvaluations),
                                            "nfe-b": Double(statistics.backwardEvaluations)])
        if options.checkpointEvery > 0, (index + 1) % options.checkpointEvery == 0, index + 1 < batchesPerEpoch {
            saveCheckpoint(epoch: epoch, position: index + 1, rng: epochStart)
        }
        batchesThisRun += 1
        if options.stopAfter > 0, batchesThisRun == options.stopAfter, index + 1 < batchesPerEpoch {
            saveCheckpoint(epoch: epoch, position: index + 1, rng: epochStart)
            progress.finish(["loss": lossSum / Double(done)])
            print("stopped after \(batchesThisRun) batches (--stop-after) at epoch \(epoch + 1), batch \(index + 1)"
                  + (options.checkpointDirectory.map { "; continue with --resume --checkpoint \($0)" } ?? ""))
            break training
        }
    }
    let seconds = Date().timeIntervalSince(started)
    let done = Double(batchesPerEpoch - position)
    progress.finish(["loss": lossSum / done, "acc": 100 * Double(correct) / Double(max(1, seen)),
                     "nfe-f": Double(nfeForward) / done, "nfe-b": Double(nfeBackward) / done])
    let testResult = try evaluate(model, on: test, limit: options.testLimit, batchSize: options.testBatchSize)
    let trainResult = try evaluate(model, on: train, limit: min(trainCount, options.trainEvaluationLimit > 0
                                       ? options.trainEvaluationLimit : trainCount), batchSize: options.testBatchSize)
    let testAccuracy = percent(testResult.correct, testResult.total)
    history.append((seconds, testAccuracy, Double(nfeForward) / done, Double(nfeBackward) / done))
    lastEpoch = (lossSum / done, testResult.correct.reduce(0, +), testResult.total.reduce(0, +))
    print(String(format: "epoch %d/%d | %.1f s | NFE-F %.1f | NFE-B %.1f | train acc %.2f%% (%d images) | test acc %.2f%%",
                 epoch + 1, options.epochs, seconds, Double(nfeForward) / done, Double(nfeBackward) / done,
                 percent(trainResult.correct, trainResult.total), trainResult.total.reduce(0, +), testAccuracy))
    saveCheckpoint(epoch: epoch + 1, position: 0, rng: generator)
    if options.stopAfter > 0, batchesThisRun >= options.stopAfter {
        print("stopped after \(batchesThisRun) batches (--stop-after) at the end of epoch \(epoch + 1)")
        break training
    }
}

// MARK: - Summary

if let path = options.summaryJSON {
    let mean = { (values: [Double]) in values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
    let summary: JSONValue = [
        "model": .string(model.name + (options.model == .resnet ? "" : "/\(options.gradient.rawValue)")),
        "parameters": JSONValue(parameterCount),
        "epochs": JSONValue(history.count),
        "test_accuracy": history.last.map { JSONValue($0.test / 100) } ?? .null,
        "seconds_per_epoch": JSONValue(mean(history.map(\.seconds))),
        "nfe_forward_mean": JSONValue(mean(history.map(\.nfeForward))),
        "nfe_backward_mean": JSONValue(mean(history.map(\.nfeBackward))),
        "last_epoch_train_loss": lastEpoch.map { JSONValue($0.trainLoss) } ?? .null,
        "last_epoch_test_correct": lastEpoch.map { JSONValue($0.testCorrect) } ?? .null,
        "last_epoch_test_images": lastEpoch.map { JSONValue($0.testTotal) } ?? .null,
    ]
    do { try summary.write(to: path) } catch { fail("--summary-json: \(error)") }
    print("summary written to \(path)")
}
