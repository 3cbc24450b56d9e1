import Autodiff

/// The extrapolation RMSE split by spiral direction and by whether a test spiral's targets lie on the
/// part of its spiral that some training window covers: a diagnostic of where the error comes from.
struct RMSEBreakdown: CustomStringConvertible {
    /// One group: its label, how many test spirals it holds, and their RMSE (nil when empty).
    struct Group {
        var label: String
        var count: Int
        var rmse: Double?
    }

    var groups: [Group]

    /// Groups the test spirals `members` (predictions [T, B, 2] at window indices `indices`) into
    /// clockwise / counter-clockwise × targets covered / not covered, where a spiral's targets are covered
    /// when its last target index (start + max(indices)) is at most `coveredThrough`, the last spiral index
    /// any training window observes.
    init(_ predictions: Tensor<Float>, indices: [Int], data: SpiralDataset, members: [Int], coveredThrough: Int) {
        let values = predictions.scalars, b = members.count
        precondition(predictions.shape == [indices.count, b, 2])
        let last = indices.max() ?? 0
        var sums = [Double](repeating: 0, count: 4), counts = [Int](repeating: 0, count: 4)
        for (i, sample) in members.enumerated() {
            let s = data.samples[sample]
            let group = (s.isClockwise ? 0 : 2) + (s.start + last <= coveredThrough ? 0 : 1)
            for (t, w) in indices.enumerated() {
                let p = data.truth(sample, w)
                let dx = Double(values[(t * b + i) * 2]) - p.x, dy = Double(values[(t * b + i) * 2 + 1]) - p.y
                sums[group] += dx * dx + dy * dy
            }
            counts[group] += 1
        }
        let labels = ["clockwise, covered", "clockwise, beyond", "counter-clockwise, covered", "counter-clockwise, beyond"]
        groups = (0..<4).map { g in
            Group(label: labels[g], count: counts[g],
                  rmse: counts[g] == 0 ? nil : (sums[g] / Double(2 * counts[g] * indices.count)).squareRoot())
        }
    }

    var description: String {
        groups.map { g in "\(g.label) (\(g.count)): " + (g.rmse.map { String(format: "%.4f", $0) } ?? "–") }
            .joined(separator: "; ")
    }
}
