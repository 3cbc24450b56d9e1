import ExampleSupport
import Foundation

/// One named benchmark. `run` measures and returns the figures it reports (usually one line).
struct Benchmark: Sendable {
    /// Dotted name such as `sgemm.1024`; the command line selects benchmarks by name prefix.
    let name: String
    /// Runs the workload and returns its result lines.
    let run: @Sendable () throws -> [BenchmarkResult]
}

/// One line of output: a JSON object with at least `name`, `value` and `unit`.
struct BenchmarkResult {
    var name: String
    var value: Double
    var unit: String
    /// Additional fields (NFE, loss, final state, ...), written after the three fixed ones.
    var extra: [String: Any] = [:]

    /// The JSON text of this result, keys sorted after `name`, `value`, `unit`.
    var jsonLine: String {
        var fields = ["\"name\":\(jsonString(name))", "\"value\":\(jsonNumber(value))",
                      "\"unit\":\(jsonString(unit))"]
        for key in extra.keys.sorted() {
            fields.append("\(jsonString(key)):\(jsonValue(extra[key]!))")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }
}

private func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

private func jsonNumber(_ x: Double) -> String {
    x.isFinite ? "\(x)" : "null"
}

private func jsonValue(_ value: Any) -> String {
    switch value {
    case let x as Double: return jsonNumber(x)
    case let x as Float: return jsonNumber(Double(x))
    case let x as Int: return "\(x)"
    case let x as Bool: return x ? "true" : "false"
    case let x as String: return jsonString(x)
    case let xs as [Double]: return "[" + xs.map(jsonNumber).joined(separator: ",") + "]"
    case let xs as [Float]: return "[" + xs.map { jsonNumber(Double($0)) }.joined(separator: ",") + "]"
    case let xs as [Int]: return "[" + xs.map { "\($0)" }.joined(separator: ",") + "]"
    case let xs as [Any]: return "[" + xs.map(jsonValue).joined(separator: ",") + "]"
    case let object as [String: Any]:
        return "{" + object.keys.sorted().map { "\(jsonString($0)):\(jsonValue(object[$0]!))" }.joined(separator: ",") + "}"
    default: return jsonString("\(value)")
    }
}

/// Runs `body` once to warm up, then repeatedly for at least `minimumSeconds` (and at least
/// `minimumRuns` times), and returns the median seconds per call. The median resists the spikes of a
/// shared machine better than the mean.
func medianSeconds(minimumSeconds: Double = 0.5, minimumRuns: Int = 5, maximumRuns: Int = 100_000,
                   _ body: () throws -> Void) rethrows -> Double {
    // BENCH_RUNS=N fixes the number of timed runs (for profilers: perf stat, callgrind).
    if let fixed = ProcessInfo.processInfo.environment["BENCH_RUNS"].flatMap(Int.init) {
        var samples: [Double] = []
        for _ in 0..<max(fixed, 1) {
            let t0 = monotonicSeconds()
            try body()
            samples.append(monotonicSeconds() - t0)
        }
        samples.sort()
        return samples[samples.count / 2]
    }
    try body()
    var samples: [Double] = []
    let start = monotonicSeconds()
    while samples.count < maximumRuns && (samples.count < minimumRuns || monotonicSeconds() - start < minimumSeconds) {
        let t0 = monotonicSeconds()
        try body()
        samples.append(monotonicSeconds() - t0)
    }
    samples.sort()
    return samples[samples.count / 2]
}

/// Like `medianSeconds`, but times batches of `repetitions` calls, for bodies far below a microsecond.
func medianSeconds(repetitions: Int, minimumSeconds: Double = 0.5, _ body: () throws -> Void) rethrows -> Double {
    try medianSeconds(minimumSeconds: minimumSeconds) {
        for _ in 0..<repetitions { try body() }
    } / Double(repetitions)
}
