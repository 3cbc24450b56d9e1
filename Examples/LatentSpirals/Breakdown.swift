import Autodiff

/// The extrapolation error split by spiral direction and by where the test window starts on its spiral,
/// with the median of the per-spiral RMSEs: a diagnostic of where the error comes from (a few spirals
/// far off, or all of them a little).
struct RMSEBreakdown: CustomStringConvertible {
    /// One group: its label, how many test spirals it holds, their pooled RMSE and the median of their
    /// per-spiral RMSEs (nil when empty).
    struct Group {
        var label: String
        var count: Int
        var rmse: Double?
        var median: Double?
    }

    /// The per-spiral RMSEs, in the order of `members`.
    var perSpiral: [Double]
    var groups: [Group]
    /// The pooled RMSE over each quarter of `indices` (the horizon: early to late predictions).
    var byHorizon: [Double]

    /// Splits the test spirals `members` (predictions [T, B, 2] at window indices `indices`) by direction
    /// and by start index into `SpiralDataset.testStarts` halves.
    init(_ predictions: Tensor<Float>, indices: [Int], data: SpiralDataset, members: [Int]) {
        let values = predictions.scalars, b = members.count
        precondition(predictions.shape == [indices.count, b, 2])
        let starts = SpiralDataset.testStarts
        let middle = (starts.lowerBound + starts.upperBound + 1) / 2
        // Squared error of every prediction (both coordinates), [T][B], summed two ways below.
        let squaredErrors = indices.enumerated().map { t, w in
            members.enumerated().map { i, sample -> Double in
                let p = data.truth(sample, w)
                let dx = Double(values[(t * b + i) * 2]) - p.x, dy = Double(values[(t * b + i) * 2 + 1]) - p.y
                return dx * dx + dy * dy
            }
        }
        let quarters = (0..<4).map { q in indices.count * q / 4 ..< indices.count * (q + 1) / 4 }
        byHorizon = quarters.map { range in
            let sum = range.reduce(0.0) { $0 + squaredErrors[$1].reduce(0, +) }
            return range.isEmpty ? .nan : (sum / Double(2 * b * range.count)).squareRoot()
        }
        perSpiral = (0..<b).map { i in
            (squaredErrors.reduce(0.0) { $0 + $1[i] } / Double(2 * indices.count)).squareRoot()
        }
        var members4 = [[Double]](repeating: [], count: 4)
        for (i, sample) in members.enumerated() {
            let s = data.samples[sample]
            members4[(s.isClockwise ? 0 : 2) + (s.start < middle ? 0 : 1)].append(perSpiral[i])
        }
        let labels = ["cw t0<\(middle)", "cw t0≥\(middle)", "ccw t0<\(middle)", "ccw t0≥\(middle)"]
        groups = (0..<4).map { g in
            let r = members4[g]
            return Group(label: labels[g], count: r.count,
                         rmse: r.isEmpty ? nil : (r.map { $0 * $0 }.reduce(0, +) / Double(r.count)).squareRoot(),
                         median: percentile(r, 0.5))
        }
    }

    var description: String {
        let all = String(format: "median per spiral %.3f, 90th percentile %.3f; ", percentile(perSpiral, 0.5) ?? .nan,
                         percentile(perSpiral, 0.9) ?? .nan)
        let horizon = "by quarter of the horizon " + byHorizon.map { String(format: "%.3f", $0) }.joined(separator: " / ") + "; "
        return all + horizon + groups.map { g in
            "\(g.label) (\(g.count)): " + (g.rmse.map { String(format: "%.3f", $0) } ?? "–")
                + (g.median.map { String(format: " [median %.3f]", $0) } ?? "")
        }.joined(separator: ", ")
    }
}

/// The `fraction` quantile of `values` (nearest rank on the sorted values), nil when empty.
func percentile(_ values: [Double], _ fraction: Double) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((fraction * Double(sorted.count - 1)).rounded()))]
}
