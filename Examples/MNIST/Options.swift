import Foundation
import ODENet
import ExampleSupport
import MNISTModels

/// `--model`.
enum ModelChoice: String, ArgumentChoice {
    case odenet, resnet, mlp

    var network: MNISTNetwork {
        switch self {
        case .odenet: .odeNet
        case .resnet: .resNet
        case .mlp: .mlpODENet
        }
    }
}

/// `--downsampling`.
enum DownsamplingChoice: String, ArgumentChoice {
    case conv, res

    var downsampling: MNISTDownsampling { self == .conv ? .conv : .res }
}

/// The command line.
struct Options {
    var model: ModelChoice
    var downsampling: DownsamplingChoice
    var gradient: GradientChoice
    var epochs: Int
    var batchSize: Int
    var learningRate: Double
    var tolerance: Double
    var augment: Bool
    var shuffle: Bool
    var trainLimit: Int
    var trainEvaluationLimit: Int
    var testLimit: Int
    var testBatchSize: Int
    var seed: Int
    var checkpointDirectory: String?
    var checkpointEvery: Int
    var stopAfter: Int
    var resume: Bool
    var initFile: String?
    var dataDirectory: String
    var summaryJSON: String?
    var evaluate: String?
    var memoryTable: String?
    var figure3: String?
    var figuresFolder: String

    /// The directory used when `--data` is not given.
    static var defaultDataDirectory: String {
        let shared = "../shared/data/mnist"
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: shared, isDirectory: &isDirectory) && isDirectory.boolValue
            ? shared : "./data/mnist"
    }

    static func parse(_ arguments: [String] = CommandLine.arguments) -> Options {
        var parser = ArgumentParser(
            program: "mnist",
            summary: "Train torchdiffeq's MNIST ODE-Net / ResNet / RK-Net (odenet_mnist.py) or the W4 MLP ODE-Net.")
        let model = parser.option("--model", default: ModelChoice.odenet, help: "network: ODE-Net, ResNet or MLP ODE-Net")
        let downsampling = parser.option("--downsampling", default: DownsamplingChoice.conv,
                                         help: "downsampling stage of the convolutional networks")
        let gradient = parser.option("--gradient", default: GradientChoice.adjoint,
                                     help: "ODE block gradient (direct = the paper's RK-Net)")
        let epochs = parser.option("--epochs", default: 160, help: "training epochs (LR ×0.1 at epochs 60, 100, 140 of 160, scaled and rounded up to whole epochs)")
        let batchSize = parser.option("--batch-size", default: 128, help: "training batch size (last partial batch dropped)")
        let lr = parser.option("--lr", default: 0.1, help: "base learning rate (multiplied by batch size / 128)")
        let tol = parser.option("--tol", default: 1e-3, help: "rtol = atol of the Dormand–Prince solve")
        let augment = parser.toggle("--augment", default: true, help: "random 28×28 crops of the 4-pixel zero-padded images")
        let shuffle = parser.toggle("--shuffle", default: true, help: "shuffle the training set each epoch (off: file order)")
        let trainLimit = parser.option("--train-limit", default: 0, help: "use only the first N training images (0: all)")
        let trainEval = parser.option("--train-eval-limit", default: 10_000,
                                      help: "training images used for the per-epoch train accuracy (0: all)")
        let testLimit = parser.option("--test-limit", default: 0, help: "evaluate on the first N test images only (0: all 10,000)")
        let testBatch = parser.option("--test-batch-size", default: 1000, help: "batch size of evaluation")
        let seed = parser.option("--seed", default: 0, help: "seed of initialisation, shuffling and augmentation")
        let checkpoint = parser.optionalOption("--checkpoint", help: "directory for checkpoint.safetensors (written each epoch)") as Argument<String?>
        let checkpointEvery = parser.option("--checkpoint-every", default: 0,
                                            help: "also checkpoint every N batches within an epoch (0: epoch ends only)")
        let stopAfter = parser.option("--stop-after", default: 0,
                                      help: "stop after N training batches of this run, checkpointing where it stopped (0: no limit); --resume continues")
        let resume = parser.flag("--resume", help: "continue from the checkpoint in --checkpoint DIR")
        let initFile = parser.optionalOption("--init", help: "start from a peers' W4 init (w4_conv_init.bin or .json)") as Argument<String?>
        let data = parser.option("--data", default: defaultDataDirectory, help: "directory with the MNIST IDX files (.gz or not)")
        let summary = parser.optionalOption("--summary-json", help: "write a JSON summary of the run to this file") as Argument<String?>
        let memory = parser.optionalOption("--memory-table", help: "measure Table 1's memory and time columns (peak tensor bytes of one gradient at --batch-size for ResNet, RK-Net, ODE-Net), write table1-memory.svg into this folder and exit") as Argument<String?>
        let figure3 = parser.optionalOption("--figure3", help: "the paper's Figure 3 from this checkpoint file: a tolerance sweep (1e-1 … 1e-7) of the ODE block on the first --test-limit test images (1,000 if 0), figure3.svg in --figures; then exit") as Argument<String?>
        let figures = parser.option("--figures", default: "mnist-output", help: "folder for --figure3's SVG")
        let evaluate = parser.optionalOption("--evaluate", help: "report test accuracy (overall and per class) of a checkpoint file and exit") as Argument<String?>
        parser.parseOrExit(arguments)
        return Options(model: model.value, downsampling: downsampling.value, gradient: gradient.value,
                       epochs: epochs.value, batchSize: batchSize.value, learningRate: lr.value, tolerance: tol.value,
                       augment: augment.value, shuffle: shuffle.value, trainLimit: trainLimit.value,
                       trainEvaluationLimit: trainEval.value, testLimit: testLimit.value, testBatchSize: testBatch.value, seed: seed.value,
                       checkpointDirectory: checkpoint.value, checkpointEvery: checkpointEvery.value, stopAfter: stopAfter.value,
                       resume: resume.value, initFile: initFile.value, dataDirectory: data.value,
                       summaryJSON: summary.value, evaluate: evaluate.value, memoryTable: memory.value,
                       figure3: figure3.value, figuresFolder: figures.value)
    }
}

/// Prints `message` to standard error and exits with status 1.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("mnist: \(message)\n".utf8))
    exit(1)
}
