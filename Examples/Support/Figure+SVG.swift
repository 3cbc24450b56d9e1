import Foundation
import ODENet

extension Figure {
    /// The figure as a standalone SVG document.
    public func svg() -> String {
        let titleHeight = title == nil ? 0.0 : 30
        let width = Double(columns) * panelWidth, height = titleHeight + Double(rows) * panelHeight
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(fmt(width))" height="\(fmt(height))" \
        viewBox="0 0 \(fmt(width)) \(fmt(height))" font-family="Helvetica, Arial, sans-serif" font-size="11">
        <rect x="0" y="0" width="\(fmt(width))" height="\(fmt(height))" fill="white"/>

        """
        if let title {
            svg += "<text class=\"figure-title\" x=\"\(fmt(width / 2))\" y=\"20\" text-anchor=\"middle\" "
                + "font-size=\"15\" font-weight=\"bold\">\(escapeXML(title))</text>\n"
        }
        for (index, panel) in panels.enumerated() {
            let origin = (x: Double(index % columns) * panelWidth, y: titleHeight + Double(index / columns) * panelHeight)
            var renderer = PanelRenderer(panel: panel, id: index, x: origin.x, y: origin.y,
                                         width: panelWidth, height: panelHeight)
            svg += renderer.render()
        }
        return svg + "</svg>\n"
    }

    /// Writes the SVG to `path` atomically, creating the parent directory if needed.
    /// - Throws: `CheckpointError.ioFailed` naming the operation that failed; an existing file at
    ///   `path` is then left as it was.
    public func write(to path: String) throws {
        try AtomicFile.write(Array(svg().utf8), to: path, creatingDirectory: true)
    }
}

/// Pixel coordinates with one decimal, enough for screens and short files.
func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

/// Text safe inside SVG elements and attributes.
func escapeXML(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// Maps data values of one axis to pixels.
struct AxisMapping {
    let scale: AxisScale
    /// Limits in data units.
    let lower: Double, upper: Double
    /// Pixel positions of `lower` and `upper`.
    let start: Double, end: Double

    private func transform(_ value: Double) -> Double { scale == .logarithmic ? log10(value) : value }

    /// The pixel for `value`, or nil if it cannot be drawn (not finite, or not positive on a log axis).
    func pixel(_ value: Double) -> Double? {
        guard value.isFinite, scale == .linear || value > 0 else { return nil }
        let t = (transform(value) - transform(lower)) / (transform(upper) - transform(lower))
        return start + t * (end - start)
    }

    /// Pixels per data unit (linear axes).
    var pixelsPerUnit: Double { (end - start) / (upper - lower) }

    /// Tick values and their labels.
    var ticks: [(value: Double, label: String)] {
        if scale == .logarithmic { return Ticks.logarithmic(lower: lower, upper: upper).map { ($0, Ticks.logLabel($0)) } }
        let (values, step) = Ticks.linear(lower: lower, upper: upper)
        return values.map { ($0, Ticks.label($0, step: step)) }
    }

    /// Limits fitted to `values`: nice tick multiples (linear) or whole decades (logarithmic).
    static func limits(for values: [Double], scale: AxisScale) -> ClosedRange<Double> {
        let usable = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        guard let low = usable.min(), let high = usable.max() else { return scale == .linear ? 0...1 : 1...10 }
        if scale == .linear { return Ticks.niceRange(lower: low, upper: high) }
        let first = log10(low).rounded(.down), last = max(log10(high).rounded(.up), first + 1)
        return pow(10, first)...pow(10, last)
    }
}
