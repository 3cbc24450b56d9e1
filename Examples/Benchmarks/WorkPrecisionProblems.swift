import ExampleSupport
import Foundation
import Solvers

/// `workprecision`: the evaluations each method needs for a given end-state error on the seven standard
/// problems, against SciPy's RK45 and DOP853 on the same problems (`Examples/Peers/workprecision_scipy.py`,
/// its output read from `Examples/Peers/results/workprecision_scipy.json` or `$WORKPRECISION_SCIPY`).
///
/// Both sides solve at rtol = atol = 10^-k, k = 3, 3.5, …, 13, and measure max_i |y_i − ref_i| / max(1, |ref_i|)
/// at the end against DOP853 at 1e-14. "NFE for equal error": at the error SciPy reaches at a tolerance, the
/// evaluations each side needs, read off a least-squares line log NFE = a + b·log error through that side's
/// points within 1.5 decades of the error (errors are not monotone in the tolerance — a lucky cancellation
/// at one tolerance would otherwise decide the comparison), ours divided by SciPy's. Lines: per matching pair (dopri5 ↔ RK45, dop853 ↔ DOP853) and tolerance 1e-4, 1e-6, 1e-8, the
/// geometric mean of that ratio over the problems and its largest value; then, per error level 1e-3 … 1e-12,
/// the best of our methods (the four classical pairs, RK8(7)13M and Verner's four) against the best SciPy method.
/// Draws every problem's curves, ours and SciPy's, in one SVG (`$WORKPRECISION_SVG`, default
/// `workprecision.svg`; the README shows `docs/workprecision.svg`).
enum WorkPrecisionProblems {
    /// One curve: (tolerance, evaluations, error) in tolerance order.
    typealias Curve = [(tolerance: Double, nfe: Double, error: Double)]

    static let tolerances: [Double] = (6...26).map { pow(10, -Double($0) / 2) }

    /// The curve down to the tightest tolerance the method reaches within the default step limit (a
    /// low-order pair stops early).
    static func ourCurve(_ problem: StandardProblem, _ method: EmbeddedRungeKutta, reference: [Double]) throws -> Curve {
        var curve: Curve = []
        for tolerance in tolerances {
            let controller = StepSizeController(relativeTolerance: .scalar(tolerance), absoluteTolerance: .scalar(tolerance))
            let solution: ODESolution<[Double]>
            do {
                solution = try solve(problem.problem, using: method, controller: controller, saveAt: .end)
            } catch SolverError.tooManySteps {
                break
            }
            let error = zip(solution.finalState, reference).map { abs($0 - $1) / max(1, abs($1)) }.max()!
            curve.append((tolerance, Double(solution.statistics.functionEvaluations), error))
        }
        return curve
    }

    /// The evaluations at which `curve` first reaches `error` (log–log interpolation between the two
    /// tolerances that bracket it); nil if it never does.
    static func evaluations(toReach error: Double, on curve: Curve) -> Double? {
        guard let k = curve.firstIndex(where: { $0.error <= error }) else { return nil }
        if k == 0 { return curve[0].nfe }
        let (a, b) = (curve[k - 1], curve[k])
        let t = (log(a.error) - log(error)) / (log(a.error) - log(b.error))
        return exp(log(a.nfe) + t * (log(b.nfe) - log(a.nfe)))
    }

    /// The evaluations `curve` needs for `error`, from a least-squares line through its points within 1.5
    /// decades of it in log–log coordinates; `evaluations(toReach:on:)` where fewer than three points qualify.
    static func fittedEvaluations(at error: Double, on curve: Curve) -> Double? {
        let near = curve.filter { abs(log10($0.error) - log10(error)) <= 1.5 }
        guard near.count >= 3 else { return evaluations(toReach: error, on: curve) }
        let xs = near.map { log($0.error) }, ys = near.map { log($0.nfe) }
        let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
        let sxx = xs.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
        guard sxx > 0 else { return evaluations(toReach: error, on: curve) }
        let slope = zip(xs, ys).map { ($0 - mx) * ($1 - my) }.reduce(0, +) / sxx
        return exp(my + slope * (log(error) - mx))
    }

    static func loadSciPy() throws -> (version: String, curves: [String: [String: Curve]]) {
        let path = ProcessInfo.processInfo.environment["WORKPRECISION_SCIPY"]
            ?? "Examples/Peers/results/workprecision_scipy.json"
        guard let data = FileManager.default.contents(atPath: path),
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let problems = json["problems"] as? [String: [String: [[Double]]]] else {
            throw BenchmarkFailure(message: "workprecision: cannot read SciPy's curves at \(path) "
                                   + "(run python3 Examples/Peers/workprecision_scipy.py > \(path) from the package root)")
        }
        let curves = problems.mapValues { methods in
            methods.mapValues { points in points.map { (tolerance: $0[0], nfe: $0[1], error: $0[2]) } }
        }
        return (json["scipy"] as? String ?? "?", curves)
    }

    static func run() throws -> [BenchmarkResult] {
        let (version, scipy) = try loadSciPy()
        let ours: [(String, EmbeddedRungeKutta)] = [
            ("bosh3", .bogackiShampine32), ("dopri5", .dormandPrince54), ("tsit5", .tsitouras54),
            ("dop853", .dormandPrince853), ("dopri8", .princeDormand87), ("vern6", .verner65), ("vern7", .verner76),
            ("vern8", .verner87), ("vern9", .verner98),
        ]
        var curves: [String: [String: Curve]] = [:]
        for problem in StandardProblem.all {
            let reference = try problem.reference()
            for (name, method) in ours { curves[problem.name, default: [:]][name] = try ourCurve(problem, method, reference: reference) }
        }
        var results: [BenchmarkResult] = []
        for (mine, theirs) in [("dopri5", "RK45"), ("dop853", "DOP853")] {
            for exponent in [4, 6, 8] {
                var ratios: [String: Double] = [:]
                for (problem, methods) in curves {
                    guard let peer = scipy[problem]?[theirs],
                          let point = peer.first(where: { abs(log10($0.tolerance) + Double(exponent)) < 1e-9 }),
                          let needed = fittedEvaluations(at: point.error, on: methods[mine]!),
                          let peerNeeded = fittedEvaluations(at: point.error, on: peer) else { continue }
                    ratios[problem] = needed / peerNeeded
                }
                let geometric = exp(ratios.values.map(log).reduce(0, +) / Double(max(1, ratios.count)))
                var extra: [String: Any] = ["per_problem": ratios, "max": ratios.values.max() ?? .nan,
                                            "scipy": version, "problems": ratios.count]
                extra["worst_problem"] = ratios.max(by: { $0.value < $1.value })?.key ?? ""
                results.append(BenchmarkResult(name: "workprecision.\(mine)_vs_\(theirs.lowercased()).1e-\(exponent)",
                                               value: geometric, unit: "NFE ratio (geometric mean)", extra: extra))
            }
        }
        // The best of ours against the best of SciPy's, at each error level.
        var bestRatios: [(error: Double, geometricMean: Double, largest: Double)] = []
        for level in 3...12 {
            let error = pow(10, -Double(level))
            var ratios: [String: Double] = [:]
            for (problem, methods) in curves {
                let best = methods.values.compactMap { fittedEvaluations(at: error, on: $0) }.min()
                let peerBest = (scipy[problem] ?? [:]).values.compactMap { fittedEvaluations(at: error, on: $0) }.min()
                if let best, let peerBest { ratios[problem] = best / peerBest }
            }
            guard !ratios.isEmpty else { continue }
            let geometric = exp(ratios.values.map(log).reduce(0, +) / Double(ratios.count))
            bestRatios.append((error, geometric, ratios.values.max()!))
            var winners: [String: String] = [:]
            for (problem, methods) in curves {
                winners[problem] = methods.compactMap { name, curve in fittedEvaluations(at: error, on: curve).map { (name, $0) } }
                    .min(by: { $0.1 < $1.1 })?.0
            }
            results.append(BenchmarkResult(name: "workprecision.best.1e-\(level)", value: geometric,
                                           unit: "NFE ratio (geometric mean)",
                                           extra: ["per_problem": ratios, "max": ratios.values.max()!, "scipy": version,
                                                   "our_best_method": winners]))
        }
        let path = ProcessInfo.processInfo.environment["WORKPRECISION_SVG"] ?? "workprecision.svg"
        try figure(curves: curves, scipy: scipy, version: version, bestRatios: bestRatios).write(to: path)
        results.append(BenchmarkResult(name: "workprecision.figure", value: Double(curves.count), unit: "problems",
                                       extra: ["svg": path]))
        return results
    }

    /// One panel per problem: evaluations against the end error, our pairs solid, SciPy's dashed; the last
    /// panel: the best of ours over the best of SciPy's per error level (geometric mean and largest).
    static func figure(curves: [String: [String: Curve]], scipy: [String: [String: Curve]], version: String,
                       bestRatios: [(error: Double, geometricMean: Double, largest: Double)]) -> Figure {
        let shown = ["dopri5", "dop853", "dopri8", "vern7", "vern9"]
        let problems = StandardProblem.all.map(\.name)
        var figure = Figure(rows: 2, columns: 4, title: "Work for equal error: ours (solid) and SciPy \(version) (dashed)",
                            panelWidth: 330, panelHeight: 280)
        for (index, problem) in problems.enumerated() {
            var panel = figure[index / 4, index % 4]
            panel.title = problem
            panel.xScale = .logarithmic
            panel.yScale = .logarithmic
            panel.xLabel = "error at the end"
            panel.yLabel = "evaluations"
            for (k, name) in shown.enumerated() {
                guard let curve = curves[problem]?[name] else { continue }
                panel.line(x: curve.map(\.error), y: curve.map(\.nfe), label: index == 0 ? name : nil,
                           color: Palette.color(k))
            }
            for (k, name) in ["RK45", "DOP853"].enumerated() {
                guard let curve = scipy[problem]?[name] else { continue }
                panel.line(x: curve.map(\.error), y: curve.map(\.nfe), label: index == 0 ? "SciPy \(name)" : nil,
                           color: Palette.color(k), dashed: true)
            }
            figure[index / 4, index % 4] = panel
        }
        var summary = figure[1, 3]
        summary.title = "best of ours ÷ best of SciPy's"
        summary.xScale = .logarithmic
        summary.xLabel = "error at the end"
        summary.yLabel = "evaluations for equal error"
        summary.line(x: bestRatios.map(\.error), y: bestRatios.map(\.geometricMean), label: "geometric mean")
        summary.line(x: bestRatios.map(\.error), y: bestRatios.map(\.largest), label: "largest", dashed: true)
        summary.line(x: bestRatios.map(\.error), y: bestRatios.map { _ in 1 }, label: "SciPy", color: "#7f7f7f")
        figure[1, 3] = summary
        return figure
    }
}

let workPrecisionProblemBenchmarks: [Benchmark] = [
    Benchmark(name: "workprecision") { try WorkPrecisionProblems.run() },
]
