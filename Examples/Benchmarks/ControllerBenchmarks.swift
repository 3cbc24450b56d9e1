import Foundation
import Solvers

/// The effect of the controller's rules and gains on every adaptive method: evaluations, rejections and the
/// end-state error summed over the standard problems, at rtol = atol = 1e-4, 1e-6, 1e-8, 1e-10, for
/// the default controller, torchdiffeq's never-shrink rule, and the PI.3.4 and H211b filters.
let controllerBenchmarks: [Benchmark] = [
    Benchmark(name: "controller.rules") {
        let problems = StandardProblem.all
        let references = try problems.map { try $0.reference() }
        let methods: [(String, EmbeddedRungeKutta)] = [
            ("bosh3", .bogackiShampine32), ("dopri5", .dormandPrince54), ("tsit5", .tsitouras54),
            ("dop853", .dormandPrince853), ("dopri8", .princeDormand87), ("vern7", .verner76), ("vern9", .verner98),
        ]
        var variants: [(String, (inout StepSizeController) -> Void)] = [
            ("default", { _ in }),
            ("never_shrink", { $0.acceptedStepsNeverShrink = true }),
            ("pi34", { $0.gains = .pi34 }),
            ("h211b", { $0.gains = .h211b }),
        ]
        if let only = ProcessInfo.processInfo.environment["CONTROLLER_VARIANTS"] {
            let names = Set(only.split(separator: ",").map(String.init))
            variants = variants.filter { names.contains($0.0) }
        }
        var results: [BenchmarkResult] = []
        for (methodName, method) in methods {
            for exponent in [4, 6, 8, 10] {
                let tolerance = pow(10, -Double(exponent))
                var extra: [String: Any] = [:]
                for (variantName, configure) in variants {
                    var nfe = 0, rejected = 0
                    var worstError = 0.0
                    for (problem, reference) in zip(problems, references) {
                        var controller = StepSizeController(relativeTolerance: .scalar(tolerance),
                                                            absoluteTolerance: .scalar(tolerance))
                        configure(&controller)
                        let solution = try solve(problem.problem, using: method, controller: controller, saveAt: .end)
                        nfe += solution.statistics.functionEvaluations
                        rejected += solution.statistics.rejectedSteps
                        let error = zip(solution.finalState, reference).map { abs($0 - $1) / max(1, abs($1)) }.max()!
                        worstError = max(worstError, error)
                    }
                    extra["\(variantName)_nfe"] = nfe
                    extra["\(variantName)_rejected"] = rejected
                    extra["\(variantName)_max_error"] = worstError
                }
                results.append(BenchmarkResult(name: "controller.rules.\(methodName).1e-\(exponent)",
                                               value: Double(extra["default_nfe"] as? Int ?? 0), unit: "evaluations",
                                               extra: extra))
            }
        }
        return results
    },
]
