import XCTest
@testable import ExampleSupport

final class ProgressTests: XCTestCase {
    private final class Recorder {
        var text = ""
        var now = 0.0
    }

    func testTerminalLineRewritesInPlaceWithRateAndETA() {
        let recorder = Recorder()
        let output = ProgressOutput(isTerminal: true, clock: { recorder.now }, write: { recorder.text += $0 })
        let progress = ProgressLine(total: 200, output: output)
        recorder.now = 10
        progress.update(50, ["loss": 0.012341, "nfe": 26])
        XCTAssertEqual(progress.render(), "[ 50/200]  25.0%  loss 0.01234  nfe 26 | 5 it/s  elapsed 0:10  eta 0:30")
        recorder.now = 10.05
        progress.update(51)  // within the redraw interval: not printed
        recorder.now = 40
        progress.update(200, ["loss": 0.001])
        progress.finish()
        XCTAssertEqual(recorder.text.filter { $0 == "\r" }.count, 3)
        XCTAssertTrue(recorder.text.hasSuffix("elapsed 0:40\n"))
    }

    func testPlainOutputPrintsThrottledLines() {
        let recorder = Recorder()
        let output = ProgressOutput(isTerminal: false, plainInterval: 5, clock: { recorder.now }, write: { recorder.text += $0 })
        let progress = ProgressLine(total: 100, output: output)
        for step in 1...100 {
            recorder.now = Double(step) * 0.5
            progress.update(step)
        }
        let lines = recorder.text.split(separator: "\n")
        XCTAssertEqual(lines.count, 11)  // t = 0.5, 5.5, …, 45.5 and the forced final line
        XCTAssertFalse(recorder.text.contains("\r"))
    }

    func testEpochBarShowsBatchesImagesPerSecondAndETA() {
        let recorder = Recorder()
        let output = ProgressOutput(isTerminal: true, clock: { recorder.now }, write: { recorder.text += $0 })
        let bar = EpochProgress(epoch: 3, of: 160, batches: 400, batchSize: 128, barWidth: 10, output: output)
        recorder.now = 20
        bar.update(batchesDone: 100, ["loss": 0.5])
        XCTAssertEqual(bar.render(), "epoch   3/160 [##........] 100/400  loss 0.5 | 640 img/s  eta 1:00")
        XCTAssertEqual(ProgressOutput.duration(3725), "1:02:05")
    }
}
