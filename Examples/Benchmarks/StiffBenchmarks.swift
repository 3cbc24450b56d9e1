import ExampleSupport
import Foundation
import Solvers

/// `stiff`: our Rosenbrock (Rosenbrock23, Rodas4, Rodas5P) and ESDIRK (Kværnø 3/4/5) methods on the four stiff problems of `StiffProblems.swift` at rtol = 1e-3 … 1e-10
/// (atol = 1e-4·rtol), analytic Jacobians, side by side with SciPy's Radau, BDF and LSODA given the same
/// Jacobians (`Examples/Peers/stiff_scipy.py`, read from `Examples/Peers/results/stiff_scipy.json` or
/// `$STIFF_SCIPY`; without it only our lines print).
///
/// Errors are max_i |y_i − ref_i| / max(|ref_i|, 1e-6·max_j |ref_j|) at the end, both sides scored against one
/// reference: Rodas5P at rtol 1e-10 (atol 1e-14), checked against Rodas4 at the same tolerance and against SciPy's Radau at
/// 1e-13 (`reference_agreement` fields). Comparison lines `stiff.<problem>.vs_scipy.<rtol>`: the best SciPy
/// method's error at that tolerance, and the cheapest of our runs (any method, any tolerance) that reaches it,
/// with f evaluations, Jacobians, factorisations and wall time as ratios ours ÷ theirs; and, each count on its own,
/// the fewest of any of our runs reaching that error (`fewest_*_ratio`).
enum StiffBenchmarks {
    /// SciPy runs 1e-3 … 1e-8; ours go two decades further, so that "the cheapest of ours reaching SciPy's error"
    /// exists where SciPy's Radau is far more accurate than asked.
    static let tolerances: [Double] = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10]
    static let scipyTolerances: [Double] = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8]
    /// Our methods, each as a solve of a problem at (rtol, atol).
    static var methods: [(String, (StiffProblem, Double, Double) throws -> ODESolution<[Double]>)] { [
        ("rosenbrock23", { p, r, a in try solve(p.problem, using: .rosenbrock23, controller: controller(r, a), jacobian: p.jacobian) }),
        ("rodas4", { p, r, a in try solve(p.problem, using: .rodas4, controller: controller(r, a), jacobian: p.jacobian) }),
        ("rodas5p", { p, r, a in try solve(p.problem, using: .rodas5P, controller: controller(r, a), jacobian: p.jacobian) }),
        ("kvaerno3", { p, r, a in try solve(p.problem, using: .kvaerno3, controller: controller(r, a), jacobian: p.jacobian) }),
        ("kvaerno4", { p, r, a in try solve(p.problem, using: .kvaerno4, controller: controller(r, a), jacobian: p.jacobian) }),
        ("kvaerno5", { p, r, a in try solve(p.problem, using: .kvaerno5, controller: controller(r, a), jacobian: p.jacobian) }),
    ] }

    struct Run {
        var method: String
        var rtol: Double
        var seconds: Double
        var nfe: Double, jacobians: Double, factorizations: Double
        var accepted: Double, rejected: Double
        var error: Double
    }

    static func error(_ y: [Double], _ reference: [Double]) -> Double {
        let scale = reference.map(abs).max() ?? 1
        return zip(y, reference).map { abs($0 - $1) / max(abs($1), 1e-6 * scale) }.max() ?? 0
    }

    static func controller(_ rtol: Double, _ atol: Double) -> StepSizeController {
        StepSizeController(relativeTolerance: .scalar(rtol), absoluteTolerance: .scalar(atol))
    }

    static func ourRun(_ p: StiffProblem, _ name: String,
                       _ method: (StiffProblem, Double, Double) throws -> ODESolution<[Double]>, rtol: Double,
                       atol: Double, reference: [Double]) throws -> Run {
        var solution = try method(p, rtol, atol)
        let seconds = try medianSeconds(minimumSeconds: 0.2, minimumRuns: 3) { solution = try method(p, rtol, atol) }
        let s = solution.statistics
        return Run(method: name, rtol: rtol, seconds: seconds, nfe: Double(s.functionEvaluations),
                   jacobians: Double(s.jacobianEvaluations), factorizations: Double(s.factorizations),
                   accepted: Double(s.acceptedSteps), rejected: Double(s.rejectedSteps),
                   error: error(solution.finalState, reference))
    }

    /// SciPy's output, if present: version, per problem the Radau reference and per method its runs.
    static func loadSciPy() -> [String: Any]? {
        let path = ProcessInfo.processInfo.environment["STIFF_SCIPY"] ?? "Examples/Peers/results/stiff_scipy.json"
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    static func scipyRun(_ raw: [String: Any], method: String, reference: [Double]) -> Run? {
        guard let final = raw["final"] as? [Double], let seconds = raw["seconds"] as? Double else { return nil }
        func number(_ key: String) -> Double { (raw[key] as? NSNumber)?.doubleValue ?? .nan }
        return Run(method: method, rtol: number("rtol"), seconds: seconds, nfe: number("nfev"),
                   jacobians: number("njev"), factorizations: number("nlu"), accepted: number("steps"),
                   rejected: .nan, error: error(final, reference))
    }

    static func run() throws -> [BenchmarkResult] {
        var results: [BenchmarkResult] = []
        let scipy = loadSciPy()
        let version = scipy?["scipy"] as? String ?? "absent"
        var panels: [(String, [Run], [Run])] = []
        for p in StiffProblem.all {
            let reference = try solve(p.problem, using: .rodas5P, controller: controller(1e-10, 1e-14),
                                      jacobian: p.jacobian, maxSteps: 1_000_000).finalState
            let second = try solve(p.problem, using: .rodas4, controller: controller(1e-10, 1e-14),
                                   jacobian: p.jacobian, maxSteps: 1_000_000).finalState
            let problems = scipy?["problems"] as? [String: Any]
            let peer = problems?[p.name] as? [String: Any]
            var agreement: [String: Any] = ["rodas4_1e-10": error(second, reference)]
            if let radau = peer?["reference_radau_1e-13"] as? [Double] { agreement["scipy_radau_1e-13"] = error(radau, reference) }
            results.append(BenchmarkResult(name: "stiff.\(p.name).reference", value: error(second, reference),
                                           unit: "relative difference", extra: [
                                               "reference": "rodas5p rtol 1e-10 atol 1e-14", "final_state": reference,
                                               "reference_agreement": agreement]))
            var ours: [Run] = []
            for (name, method) in methods {
                for rtol in tolerances {
                    // A low-order method may need more than the default 100 000 steps at the tightest tolerances.
                    guard let run = try? ourRun(p, name, method, rtol: rtol, atol: 1e-4 * rtol, reference: reference)
                    else { continue }
                    ours.append(run)
                    results.append(BenchmarkResult(name: "stiff.\(p.name).\(name).\(rtol)", value: run.seconds * 1e3,
                                                   unit: "ms", extra: [
                                                       "nfe": run.nfe, "jacobians": run.jacobians,
                                                       "factorizations": run.factorizations,
                                                       "accepted_steps": run.accepted, "rejected_steps": run.rejected,
                                                       "max_error": run.error]))
                }
            }
            var theirs: [Run] = []
            if let runs = peer?["runs"] as? [String: [[String: Any]]] {
                for (method, list) in runs.sorted(by: { $0.key < $1.key }) {
                    theirs += list.compactMap { scipyRun($0, method: method, reference: reference) }
                }
                for rtol in scipyTolerances {
                    let atTolerance = theirs.filter { $0.rtol == rtol && $0.error.isFinite }
                    guard let best = atTolerance.min(by: { $0.error < $1.error }) else { continue }
                    let reaching = ours.filter { $0.error <= best.error }
                    var extra: [String: Any] = ["scipy": version, "scipy_method": best.method,
                                                "scipy_error": best.error, "scipy_ms": best.seconds * 1e3,
                                                "scipy_nfev": best.nfe, "scipy_njev": best.jacobians,
                                                "scipy_nlu": best.factorizations]
                    guard let cheapest = reaching.min(by: { $0.seconds < $1.seconds }) else {
                        extra["reached"] = false
                        results.append(BenchmarkResult(name: "stiff.\(p.name).vs_scipy.\(rtol)", value: .nan,
                                                       unit: "speedup", extra: extra))
                        continue
                    }
                    extra["reached"] = true
                    extra["our_method"] = cheapest.method
                    extra["our_rtol"] = cheapest.rtol
                    extra["our_error"] = cheapest.error
                    extra["our_ms"] = cheapest.seconds * 1e3
                    extra["nfe_ratio"] = cheapest.nfe / best.nfe
                    extra["jacobian_ratio"] = cheapest.jacobians / best.jacobians
                    extra["factorization_ratio"] = cheapest.factorizations / best.factorizations
                    // Each count on its own: the fewest of any of our runs that reach the error.
                    for (key, count) in [("nfe", \Run.nfe), ("jacobian", \Run.jacobians),
                                         ("factorization", \Run.factorizations)] {
                        let fewest = reaching.min { $0[keyPath: count] < $1[keyPath: count] }!
                        extra["fewest_\(key)_ratio"] = fewest[keyPath: count] / best[keyPath: count]
                        extra["fewest_\(key)_method"] = "\(fewest.method) \(fewest.rtol)"
                    }
                    results.append(BenchmarkResult(name: "stiff.\(p.name).vs_scipy.\(rtol)",
                                                   value: best.seconds / cheapest.seconds, unit: "speedup",
                                                   extra: extra))
                }
            }
            panels.append((p.name, ours, theirs))
        }
        results += try robertson100(scipy: scipy)
        let path = ProcessInfo.processInfo.environment["STIFF_SVG"] ?? "stiff-workprecision.svg"
        try figure(panels, version: version).write(to: path)
        results.append(BenchmarkResult(name: "stiff.figure", value: Double(panels.count), unit: "problems",
                                       extra: ["svg": path]))
        return results
    }

    /// Robertson on [0, 100] at rtol = atol = 1e-8 (diffrax's Kvaerno5 anchor: 34 steps; target ≤ 50 accepted
    /// steps at an error no larger than SciPy Radau's at the same tolerance).
    static func robertson100(scipy: [String: Any]?) throws -> [BenchmarkResult] {
        let p = StiffProblem.robertson(end: 100)
        let reference = try solve(p.problem, using: .rodas5P, controller: controller(1e-11, 1e-15),
                                  jacobian: p.jacobian, maxSteps: 1_000_000).finalState
        let radau = (scipy?["robertson100"] as? [String: [String: Any]])?["Radau"]
        let radauError = radau.flatMap { scipyRun($0, method: "Radau", reference: reference) }?.error
        var results: [BenchmarkResult] = []
        for (name, method) in methods {
            let run = try ourRun(p, name, method, rtol: 1e-8, atol: 1e-8, reference: reference)
            var extra: [String: Any] = ["accepted_steps": run.accepted, "rejected_steps": run.rejected, "nfe": run.nfe,
                                        "jacobians": run.jacobians, "factorizations": run.factorizations,
                                        "max_error": run.error, "target_accepted_steps": 50,
                                        "diffrax_kvaerno5_steps": 34]
            if let radauError { extra["scipy_radau_error"] = radauError }
            if let steps = (radau?["steps"] as? NSNumber)?.doubleValue { extra["scipy_radau_steps"] = steps }
            results.append(BenchmarkResult(name: "stiff.robertson100.\(name).1e-8", value: run.seconds * 1e3, unit: "ms",
                                           extra: extra))
        }
        return results
    }

    /// One panel per problem: wall time against error, ours solid, SciPy's dashed.
    static func figure(_ panels: [(String, [Run], [Run])], version: String) -> Figure {
        var figure = Figure(rows: 1, columns: panels.count, title: "Stiff problems: ours (solid) and SciPy \(version) (dashed)",
                            panelWidth: 330, panelHeight: 280)
        for (index, (name, ours, theirs)) in panels.enumerated() {
            var panel = figure[0, index]
            panel.title = name
            panel.xScale = .logarithmic
            panel.yScale = .logarithmic
            panel.xLabel = "error at the end"
            panel.yLabel = "seconds"
            for (k, method) in methods.map(\.0).enumerated() {
                let runs = ours.filter { $0.method == method && $0.error > 0 }
                panel.line(x: runs.map(\.error), y: runs.map(\.seconds), label: index == 0 ? method : nil,
                           color: Palette.color(k))
            }
            for (k, method) in ["Radau", "BDF", "LSODA"].enumerated() {
                let runs = theirs.filter { $0.method == method && $0.error > 0 }
                guard !runs.isEmpty else { continue }
                panel.line(x: runs.map(\.error), y: runs.map(\.seconds), label: index == 0 ? "SciPy \(method)" : nil,
                           color: Palette.color(k + 2), dashed: true)
            }
            figure[0, index] = panel
        }
        return figure
    }
}

/// `stiff.*`.
let stiffBenchmarks: [Benchmark] = [Benchmark(name: "stiff") { try StiffBenchmarks.run() }]
