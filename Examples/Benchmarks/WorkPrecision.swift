import Foundation
import Solvers

/// W1 work-precision: for each adaptive pair and tolerance 1e-3 … 1e-10 (rtol = tol, atol = tol·1e-2), the
/// error at t = 25 against DOP853 at rtol 1e-13, atol 1e-15, and the evaluations used. Writes an SVG
/// diagram to `$WORK_PRECISION_SVG` (e.g. docs/work-precision.svg) or ./work-precision.svg.
enum WorkPrecision {
    struct Series {
        var name: String
        var points: [(nfe: Double, error: Double)]
    }

    static func run() throws -> [BenchmarkResult] {
        let reference = try W1.solveW1(.dormandPrince853, rtol: 1e-13, atol: 1e-15, saveAt: .end).finalState
        let methods: [(String, EmbeddedRungeKutta)] = [("bosh3", .bogackiShampine32), ("dopri5", .dormandPrince54),
                                                       ("tsit5", .tsitouras54), ("dop853", .dormandPrince853)]
        var series: [Series] = []
        var table: [String: Any] = [:]
        for (name, method) in methods {
            var s = Series(name: name, points: [])
            for k in 3...10 {
                let tolerance = pow(10, -Double(k))
                let solution = try W1.solveW1(method, rtol: tolerance, atol: tolerance * 1e-2, saveAt: .end)
                let error = zip(solution.finalState, reference).map { abs($0 - $1) }.max()!
                s.points.append((Double(solution.statistics.functionEvaluations), max(error, 1e-16)))
            }
            table["\(name)_nfe"] = s.points.map { Int($0.nfe) }
            table["\(name)_error"] = s.points.map(\.error)
            series.append(s)
        }
        let path = ProcessInfo.processInfo.environment["WORK_PRECISION_SVG"] ?? "work-precision.svg"
        try svg(series).write(toFile: path, atomically: true, encoding: .utf8)
        table["svg"] = path
        table["tolerances"] = (3...10).map { pow(10, -Double($0)) }
        table["atol"] = "tol*1e-2"
        table["reference"] = reference
        return [BenchmarkResult(name: "w1.work_precision", value: Double(series.count), unit: "methods", extra: table)]
    }

    /// A log-log plot: evaluations (x) against error (y), one polyline with markers per method.
    static func svg(_ series: [Series]) -> String {
        let width = 640.0, height = 440.0, left = 80.0, right = 130.0, top = 30.0, bottom = 60.0
        let xs = series.flatMap { $0.points.map { log10($0.nfe) } }
        let ys = series.flatMap { $0.points.map { log10($0.error) } }
        let x0 = floor(xs.min()!), x1 = ceil(xs.max()!), y0 = floor(ys.min()!), y1 = ceil(ys.max()!)
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * (width - left - right) }
        func py(_ y: Double) -> Double { height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom) }
        let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(width / 2 - 60)\" y=\"18\" font-size=\"14\">W1 work-precision</text>\n"
        // Axes, decade ticks and grid.
        out += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(width - left - right)\" height=\"\(height - top - bottom)\" fill=\"none\" stroke=\"black\"/>\n"
        for e in Int(x0)...Int(x1) {
            let x = px(Double(e))
            out += "<line x1=\"\(x)\" y1=\"\(top)\" x2=\"\(x)\" y2=\"\(height - bottom)\" stroke=\"#ddd\"/>"
            out += "<text x=\"\(x - 12)\" y=\"\(height - bottom + 18)\">1e\(e)</text>\n"
        }
        for e in Int(y0)...Int(y1) {
            let y = py(Double(e))
            out += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - right)\" y2=\"\(y)\" stroke=\"#ddd\"/>"
            out += "<text x=\"\(left - 45)\" y=\"\(y + 4)\">1e\(e)</text>\n"
        }
        out += "<text x=\"\(left + (width - left - right) / 2 - 70)\" y=\"\(height - 15)\">function evaluations</text>\n"
        out += "<text transform=\"translate(20,\(top + (height - top - bottom) / 2 + 60)) rotate(-90)\">max |y(25) − ref|</text>\n"
        for (i, s) in series.enumerated() {
            let color = colors[i % colors.count]
            let points = s.points.map { "\(px(log10($0.nfe))),\(py(log10($0.error)))" }.joined(separator: " ")
            out += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            for p in s.points {
                out += "<circle cx=\"\(px(log10(p.nfe)))\" cy=\"\(py(log10(p.error)))\" r=\"3.5\" fill=\"\(color)\"/>"
            }
            let ly = top + 20 + Double(i) * 20
            out += "\n<line x1=\"\(width - right + 12)\" y1=\"\(ly)\" x2=\"\(width - right + 36)\" y2=\"\(ly)\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            out += "<text x=\"\(width - right + 42)\" y=\"\(ly + 4)\">\(s.name)</text>\n"
        }
        return out + "</svg>\n"
    }
}

/// The work-precision line.
let workPrecisionBenchmarks: [Benchmark] = [Benchmark(name: "w1.work_precision", run: WorkPrecision.run)]
