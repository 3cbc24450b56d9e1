import Foundation
import XCTest
@testable import ExampleSupport

final class FigureTests: XCTestCase {
    /// True when `value` is k × step with step ∈ {1, 2, 5} × 10^n, checked from the definition.
    private func isNice(_ step: Double) -> Bool {
        let exponent = floor(log10(step))
        let mantissa = step / pow(10, exponent)
        return [1, 2, 5, 10].contains { abs(mantissa - $0) < 1e-9 }
    }

    func testLinearTicksAreNiceMultiplesCoveringTheRange() {
        let ranges: [(Double, Double)] = [(0, 7.3), (-1.2, 0.4), (3, 3), (1e-4, 9.9e-4), (-250, 12_000), (0.999, 1.001)]
        for (lower, upper) in ranges {
            let (ticks, step) = Ticks.linear(lower: lower, upper: upper)
            XCTAssertTrue(isNice(step), "step \(step) for \(lower)...\(upper)")
            XCTAssertTrue((2...11).contains(ticks.count), "\(ticks.count) ticks for \(lower)...\(upper)")
            for tick in ticks {
                XCTAssertEqual((tick / step).rounded(), tick / step, accuracy: 1e-9)
            }
            for (a, b) in zip(ticks, ticks.dropFirst()) { XCTAssertEqual(b - a, step, accuracy: step * 1e-9) }
            let nice = Ticks.niceRange(lower: lower, upper: upper)
            XCTAssertLessThanOrEqual(nice.lowerBound, min(lower, upper))
            XCTAssertGreaterThanOrEqual(nice.upperBound, max(lower, upper))
        }
        XCTAssertEqual(Ticks.linear(lower: 0, upper: 7.3).values, [0, 2, 4, 6])
        XCTAssertEqual(Ticks.logarithmic(lower: 1e-3, upper: 10), [1e-3, 1e-2, 1e-1, 1, 10])
        XCTAssertEqual(Ticks.logarithmic(lower: 1, upper: 100), [1, 2, 5, 10, 20, 50, 100])
        XCTAssertEqual(Ticks.label(0.30000000000000004, step: 0.1), "0.3")
    }

    func testRenderedSVGHasTheSeriesTicksAndLabels() throws {
        var figure = Figure(rows: 1, columns: 2, title: "Spiral <test>")
        let ts = (0..<157).map { Double($0) * 0.05 }
        figure[0, 0] = Panel(title: "trajectory", xLabel: "x", yLabel: "y")
        figure[0, 0].line(x: ts.map { cos($0) * $0 }, y: ts.map { sin($0) * $0 }, label: "true")
        figure[0, 0].scatter(x: [0, 1, 2], y: [0, 1, 2], label: "data")
        let gridX: [Double] = (0..<25).map { (i: Int) -> Double in Double(i % 5) - 2 }
        let gridY: [Double] = (0..<25).map { (i: Int) -> Double in Double(i / 5) - 2 }
        figure[0, 0].quiver(x: gridX, y: gridY, u: gridY.map { -$0 }, v: gridX)
        figure[0, 0].equalAspect = true
        figure[0, 1] = Panel(title: "loss", xLabel: "iteration", yLabel: "MSE")
        figure[0, 1].yScale = .logarithmic
        figure[0, 1].line(x: ts, y: ts.map { exp(-$0) + 1e-3 }, label: "train")

        let svg = figure.svg()
        let polylines = svg.components(separatedBy: "<polyline").dropFirst()
        XCTAssertEqual(polylines.count, 2)
        let firstPoints = polylines.first!.components(separatedBy: "points=\"")[1].prefix { $0 != "\"" }
        XCTAssertEqual(firstPoints.split(separator: " ").count, 157)
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 3 + 1)  // 3 points + legend swatch
        XCTAssertEqual(svg.components(separatedBy: "class=\"arrow\"").count - 1, 24)  // the centre has zero length
        XCTAssertTrue(svg.contains("Spiral &lt;test&gt;"))
        for text in ["trajectory", "iteration", "MSE", ">train<", ">true<"] { XCTAssertTrue(svg.contains(text), text) }

        let yTicks = svg.components(separatedBy: "class=\"ytick\" data-value=\"").dropFirst()
            .compactMap { Double($0.prefix { $0 != "\"" }) }
        let logTicks = yTicks.filter { $0 > 0 && log10($0).rounded() == log10($0) && $0 < 1.5 }
        XCTAssertTrue(logTicks.contains(1e-3) && logTicks.contains(1), "log ticks \(yTicks)")

        let directory = NSTemporaryDirectory() + "figure-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try figure.write(to: directory + "/plot.svg")
        XCTAssertEqual(try String(contentsOfFile: directory + "/plot.svg", encoding: .utf8), svg)
        if let keep = ProcessInfo.processInfo.environment["ODENET_KEEP_FIGURE"] { try figure.write(to: keep) }
    }
}
