/// A one-line progress report for an iteration loop: count, custom fields, rate, elapsed time, ETA.
///
/// ```swift
/// let progress = ProgressLine(total: iterations, unit: "it")
/// for i in 1...iterations {
///     ...
///     progress.update(i, ["loss": loss, "nfe": Double(nfe)])
/// }
/// progress.finish()
/// ```
/// Renders like `[ 120/2000]   6.0%  loss 0.01234  nfe 26 | 45.2 it/s  elapsed 0:02  eta 0:41`.
public final class ProgressLine {
    /// Number of iterations expected.
    public let total: Int
    /// Unit of the rate (`it/s`, `img/s`).
    public let unit: String
    private let printer: ProgressPrinter
    private var completed = 0
    private var lastFields = ""

    /// Creates a progress line for `total` items, writing to `output` (standard error by default).
    public init(total: Int, unit: String = "it", output: ProgressOutput = .standardError) {
        precondition(total > 0, "progress total must be positive, got \(total)")
        self.total = total
        self.unit = unit
        printer = ProgressPrinter(output: output)
    }

    /// Reports that `completed` items are done, with named values to show (in the given order).
    public func update(_ completed: Int, _ fields: KeyValuePairs<String, Double> = [:]) {
        self.completed = completed
        lastFields = ProgressOutput.fields(fields)
        printer.show(render(), force: completed >= total)
    }

    /// The current line, without control characters.
    public func render() -> String {
        let elapsed = printer.elapsed
        let rate = elapsed > 0 ? Double(completed) / elapsed : 0
        let eta = rate > 0 ? Double(total - completed) / rate : .infinity
        let width = String(total).count
        let count = String(repeating: " ", count: max(0, width - String(completed).count)) + "\(completed)/\(total)"
        let percent = String(format: "%5.1f%%", 100 * Double(completed) / Double(total))
        var line = "[\(count)] \(percent)"
        if !lastFields.isEmpty { line += "  " + lastFields }
        line += " | \(ProgressOutput.number((rate * 10).rounded() / 10)) \(unit)/s"
        line += "  elapsed \(ProgressOutput.duration(elapsed))"
        if completed < total { line += "  eta \(ProgressOutput.duration(eta))" }
        return line
    }

    /// Prints the final state and ends the line.
    public func finish() {
        printer.show(render(), force: true)
        printer.finishLine()
    }
}

/// A per-epoch progress bar: batches done, a bar, custom fields, images per second and ETA.
///
/// Renders like `epoch  3/160 [#########...........] 210/468  loss 0.1234 | 1534 img/s  eta 0:12`.
public final class EpochProgress {
    /// Current epoch, 1-based.
    public let epoch: Int
    /// Number of epochs in the run.
    public let epochs: Int
    /// Batches in this epoch.
    public let batches: Int
    /// Items (images) per batch, for the rate.
    public let batchSize: Int
    /// Width of the bar in characters.
    public let barWidth: Int
    private let printer: ProgressPrinter
    private var done = 0
    private var lastFields = ""

    /// Creates the bar for one epoch of `batches` batches of `batchSize` items.
    public init(epoch: Int, of epochs: Int, batches: Int, batchSize: Int, barWidth: Int = 24,
                output: ProgressOutput = .standardError) {
        precondition(batches > 0 && batchSize > 0, "need positive batches and batch size")
        self.epoch = epoch
        self.epochs = epochs
        self.batches = batches
        self.batchSize = batchSize
        self.barWidth = barWidth
        printer = ProgressPrinter(output: output)
    }

    /// Reports `done` finished batches and the values to show.
    public func update(batchesDone done: Int, _ fields: KeyValuePairs<String, Double> = [:]) {
        self.done = done
        lastFields = ProgressOutput.fields(fields)
        printer.show(render(), force: done >= batches)
    }

    /// The current line, without control characters.
    public func render() -> String {
        let elapsed = printer.elapsed
        let rate = elapsed > 0 ? Double(done * batchSize) / elapsed : 0
        let eta = done > 0 ? elapsed / Double(done) * Double(batches - done) : .infinity
        let filled = min(barWidth, barWidth * done / batches)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled)
        let epochText = String(repeating: " ", count: max(0, String(epochs).count - String(epoch).count)) + "\(epoch)"
        var line = "epoch \(epochText)/\(epochs) [\(bar)] \(done)/\(batches)"
        if !lastFields.isEmpty { line += "  " + lastFields }
        line += " | \(Int(rate.rounded())) img/s  "
        line += done < batches ? "eta \(ProgressOutput.duration(eta))" : "took \(ProgressOutput.duration(elapsed))"
        return line
    }

    /// Prints the final state (with the epoch's closing fields, e.g. test accuracy) and ends the line.
    public func finish(_ fields: KeyValuePairs<String, Double> = [:]) {
        if !fields.isEmpty { lastFields = ProgressOutput.fields(fields) }
        printer.show(render(), force: true)
        printer.finishLine()
    }
}
