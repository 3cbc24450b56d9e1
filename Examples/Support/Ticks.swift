import Foundation

/// Axis tick positions at "nice" values: steps of 1, 2 or 5 times a power of ten.
public enum Ticks {
    /// Evenly spaced ticks covering `lower...upper` with about `targetCount` intervals.
    ///
    /// The step is the smallest of {1, 2, 5} × 10^k that is at least the raw step
    /// (span / targetCount); ticks are the multiples of the step inside the padded range.
    /// - Returns: the ticks and the step. A degenerate range is widened first.
    public static func linear(lower: Double, upper: Double, targetCount: Int = 5) -> (values: [Double], step: Double) {
        precondition(lower.isFinite && upper.isFinite, "tick range must be finite: \(lower)...\(upper)")
        let (low, high) = widened(lower, upper)
        let step = niceStep(for: (high - low) / Double(max(1, targetCount)))
        let first = (low / step).rounded(.up), last = (high / step).rounded(.down)
        var values: [Double] = []
        var k = first
        while k <= last + 1e-9 {
            values.append(k * step == 0 ? 0 : k * step)  // avoid printing -0
            k += 1
        }
        return (values, step)
    }

    /// The smallest step of the form {1, 2, 5} × 10^k that is ≥ `raw`.
    public static func niceStep(for raw: Double) -> Double {
        precondition(raw > 0 && raw.isFinite, "raw step must be positive, got \(raw)")
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        for multiple in [1.0, 2, 5, 10] where multiple * magnitude >= raw * (1 - 1e-12) {
            return multiple * magnitude
        }
        return 10 * magnitude
    }

    /// The range expanded outward to whole multiples of the nice step, for axis limits.
    public static func niceRange(lower: Double, upper: Double, targetCount: Int = 5) -> ClosedRange<Double> {
        let (low, high) = widened(lower, upper)
        let step = niceStep(for: (high - low) / Double(max(1, targetCount)))
        return ((low / step).rounded(.down) * step)...((high / step).rounded(.up) * step)
    }

    /// Ticks for a logarithmic axis over positive `lower...upper`: powers of ten, plus 2× and 5×
    /// when the range spans fewer than three decades.
    public static func logarithmic(lower: Double, upper: Double) -> [Double] {
        precondition(lower > 0 && upper >= lower, "log ticks need 0 < lower ≤ upper, got \(lower)...\(upper)")
        let first = Int(log10(lower).rounded(.down)), last = Int(log10(upper).rounded(.up))
        let multiples: [Double] = last - first < 3 ? [1, 2, 5] : [1]
        var values: [Double] = []
        for exponent in first...last {
            for multiple in multiples {
                let value = multiple * pow(10, Double(exponent))
                if value >= lower * (1 - 1e-9), value <= upper * (1 + 1e-9) { values.append(value) }
            }
        }
        return values
    }

    /// A label for `value` on an axis with tick spacing `step`: just enough decimals to tell ticks apart.
    public static func label(_ value: Double, step: Double) -> String {
        let magnitude = max(abs(value), step)
        if magnitude >= 1e5 || magnitude < 1e-3 { return String(format: "%g", value) }
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        return String(format: "%.\(decimals)f", value)
    }

    /// A label for a tick on a logarithmic axis.
    public static func logLabel(_ value: Double) -> String { String(format: "%g", value) }

    private static func widened(_ lower: Double, _ upper: Double) -> (Double, Double) {
        let (low, high) = (min(lower, upper), max(lower, upper))
        guard high - low <= 1e-12 * max(1, abs(high)) else { return (low, high) }
        let pad = low == 0 ? 1 : abs(low) * 0.1
        return (low - pad, high + pad)
    }
}
