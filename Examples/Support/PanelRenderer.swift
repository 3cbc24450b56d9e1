import Foundation

/// Draws one panel: frame, grid, ticks and labels, clipped data series and legend.
struct PanelRenderer {
    let panel: Panel
    let id: Int
    let left: Double, top: Double, right: Double, bottom: Double
    let x: AxisMapping, y: AxisMapping
    private var svg = ""

    init(panel: Panel, id: Int, x originX: Double, y originY: Double, width: Double, height: Double) {
        self.panel = panel
        self.id = id
        left = originX + 64
        right = originX + width - 16
        top = originY + 30
        bottom = originY + height - 44
        var xRange = panel.xLimits ?? AxisMapping.limits(for: panel.series.flatMap(\.x), scale: panel.xScale)
        var yRange = panel.yLimits ?? AxisMapping.limits(for: panel.series.flatMap(\.y), scale: panel.yScale)
        if panel.equalAspect, panel.xScale == .linear, panel.yScale == .linear {
            let unitsPerPixel = max(xRange.upperBound - xRange.lowerBound, 0) / (right - left)
            let yUnitsPerPixel = (yRange.upperBound - yRange.lowerBound) / (bottom - top)
            let scale = max(unitsPerPixel, yUnitsPerPixel)
            let (cx, cy) = ((xRange.lowerBound + xRange.upperBound) / 2, (yRange.lowerBound + yRange.upperBound) / 2)
            xRange = (cx - scale * (right - left) / 2)...(cx + scale * (right - left) / 2)
            yRange = (cy - scale * (bottom - top) / 2)...(cy + scale * (bottom - top) / 2)
        }
        x = AxisMapping(scale: panel.xScale, lower: xRange.lowerBound, upper: xRange.upperBound, start: left, end: right)
        y = AxisMapping(scale: panel.yScale, lower: yRange.lowerBound, upper: yRange.upperBound, start: bottom, end: top)
    }

    mutating func render() -> String {
        svg = "<g class=\"panel\" id=\"panel-\(id)\">\n"
        svg += "<clipPath id=\"clip-\(id)\"><rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" "
            + "width=\"\(fmt(right - left))\" height=\"\(fmt(bottom - top))\"/></clipPath>\n"
        drawAxes()
        svg += "<g clip-path=\"url(#clip-\(id))\">\n"
        for series in panel.series { draw(series) }
        svg += "</g>\n"
        svg += "<rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(right - left))\" height=\"\(fmt(bottom - top))\" "
            + "fill=\"none\" stroke=\"#333\"/>\n"
        if panel.showsLegend { drawLegend() }
        return svg + "</g>\n"
    }

    private mutating func drawAxes() {
        for tick in x.ticks {
            guard let px = x.pixel(tick.value), px >= left - 0.5, px <= right + 0.5 else { continue }
            svg += "<line class=\"grid\" x1=\"\(fmt(px))\" y1=\"\(fmt(top))\" x2=\"\(fmt(px))\" y2=\"\(fmt(bottom))\" stroke=\"#e5e5e5\"/>\n"
            svg += "<line x1=\"\(fmt(px))\" y1=\"\(fmt(bottom))\" x2=\"\(fmt(px))\" y2=\"\(fmt(bottom + 4))\" stroke=\"#333\"/>\n"
            svg += "<text class=\"xtick\" data-value=\"\(tick.value)\" x=\"\(fmt(px))\" y=\"\(fmt(bottom + 16))\" "
                + "text-anchor=\"middle\">\(tick.label)</text>\n"
        }
        for tick in y.ticks {
            guard let py = y.pixel(tick.value), py >= top - 0.5, py <= bottom + 0.5 else { continue }
            svg += "<line class=\"grid\" x1=\"\(fmt(left))\" y1=\"\(fmt(py))\" x2=\"\(fmt(right))\" y2=\"\(fmt(py))\" stroke=\"#e5e5e5\"/>\n"
            svg += "<line x1=\"\(fmt(left - 4))\" y1=\"\(fmt(py))\" x2=\"\(fmt(left))\" y2=\"\(fmt(py))\" stroke=\"#333\"/>\n"
            svg += "<text class=\"ytick\" data-value=\"\(tick.value)\" x=\"\(fmt(left - 7))\" y=\"\(fmt(py + 4))\" "
                + "text-anchor=\"end\">\(tick.label)</text>\n"
        }
        if let title = panel.title {
            svg += "<text class=\"title\" x=\"\(fmt((left + right) / 2))\" y=\"\(fmt(top - 10))\" text-anchor=\"middle\" "
                + "font-size=\"13\" font-weight=\"bold\">\(escapeXML(title))</text>\n"
        }
        if let label = panel.xLabel {
            svg += "<text class=\"xlabel\" x=\"\(fmt((left + right) / 2))\" y=\"\(fmt(bottom + 34))\" "
                + "text-anchor=\"middle\" font-size=\"12\">\(escapeXML(label))</text>\n"
        }
        if let label = panel.yLabel {
            let (lx, ly) = (left - 50, (top + bottom) / 2)
            svg += "<text class=\"ylabel\" x=\"\(fmt(lx))\" y=\"\(fmt(ly))\" text-anchor=\"middle\" font-size=\"12\" "
                + "transform=\"rotate(-90 \(fmt(lx)) \(fmt(ly)))\">\(escapeXML(label))</text>\n"
        }
    }

    private mutating func draw(_ series: Panel.Series) {
        switch series.kind {
        case let .line(width, dashed):
            var segment: [String] = []
            func flush(_ svg: inout String) {
                if segment.count > 1 {
                    svg += "<polyline fill=\"none\" stroke=\"\(series.color)\" stroke-width=\"\(width)\""
                        + (dashed ? " stroke-dasharray=\"6 4\"" : "") + " stroke-linejoin=\"round\" points=\""
                        + segment.joined(separator: " ") + "\"/>\n"
                }
                segment.removeAll()
            }
            for (vx, vy) in zip(series.x, series.y) {
                if let px = x.pixel(vx), let py = y.pixel(vy) { segment.append("\(fmt(px)),\(fmt(py))") } else { flush(&svg) }
            }
            flush(&svg)
        case let .scatter(radius):
            for (vx, vy) in zip(series.x, series.y) {
                guard let px = x.pixel(vx), let py = y.pixel(vy) else { continue }
                svg += "<circle cx=\"\(fmt(px))\" cy=\"\(fmt(py))\" r=\"\(radius)\" fill=\"\(series.color)\"/>\n"
            }
        case let .quiver(u, v):
            drawArrows(series, u, v)
        case let .heatmap(values):
            drawHeatmap(series, values)
        }
    }

    /// Cells as rectangles, each one cell-spacing wide around its centre, on a dark-to-light sequential scale.
    private mutating func drawHeatmap(_ series: Panel.Series, _ values: [Double]) {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return }
        let columns = series.x.count
        let halfX = abs(series.x[1] - series.x[0]) / 2, halfY = abs(series.y[1] - series.y[0]) / 2
        for (i, cy) in series.y.enumerated() {
            for (j, cx) in series.x.enumerated() {
                let value = values[i * columns + j]
                guard value.isFinite, let x0 = x.pixel(cx - halfX), let x1 = x.pixel(cx + halfX),
                      let y0 = y.pixel(cy - halfY), let y1 = y.pixel(cy + halfY) else { continue }
                let level = high > low ? (value - low) / (high - low) : 0.5
                svg += "<rect x=\"\(fmt(min(x0, x1)))\" y=\"\(fmt(min(y0, y1)))\" width=\"\(fmt(abs(x1 - x0) + 0.4))\" "
                    + "height=\"\(fmt(abs(y1 - y0) + 0.4))\" fill=\"\(Self.sequentialColor(level))\"/>"
            }
            svg += "\n"
        }
    }

    /// A colour from dark blue (0) through teal and green to yellow (1), interpolated between five stops.
    static func sequentialColor(_ level: Double) -> String {
        let stops: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
        let t = min(max(level, 0), 1) * Double(stops.count - 1)
        let k = min(Int(t), stops.count - 2), f = t - Double(k)
        let (a, b) = (stops[k], stops[k + 1])
        let channel = { (u: Double, v: Double) in Int((u + f * (v - u)).rounded()) }
        return String(format: "#%02x%02x%02x", channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
    }

    /// Arrows scaled so the longest is about the spacing of the base points (as if on a square grid).
    private mutating func drawArrows(_ series: Panel.Series, _ u: [Double], _ v: [Double]) {
        let bases = series.x.indices.compactMap { i in x.pixel(series.x[i]).flatMap { px in y.pixel(series.y[i]).map { (px, $0) } } }
        guard !bases.isEmpty else { return }
        let spreadX = bases.map(\.0).max()! - bases.map(\.0).min()!, spreadY = bases.map(\.1).max()! - bases.map(\.1).min()!
        let area = spreadX > 1 && spreadY > 1 ? spreadX * spreadY : pow(min(right - left, bottom - top), 2)
        let spacing = 0.9 * (area / Double(bases.count)).squareRoot()
        let lengths = zip(u, v).map { hypot($0 * x.pixelsPerUnit, $1 * y.pixelsPerUnit) }.filter(\.isFinite)
        guard let longest = lengths.max(), longest > 0 else { return }
        let scale = spacing / longest
        for i in series.x.indices {
            guard let px = x.pixel(series.x[i]), let py = y.pixel(series.y[i]), u[i].isFinite, v[i].isFinite else { continue }
            let dx = u[i] * x.pixelsPerUnit * scale, dy = v[i] * y.pixelsPerUnit * scale
            let length = hypot(dx, dy)
            guard length > 0.5 else { continue }
            let (ex, ey) = (px + dx, py + dy)
            let head = min(5, length * 0.4)
            let (ux, uy) = (dx / length, dy / length)
            let (bx, by) = (ex - ux * head, ey - uy * head)
            svg += "<line class=\"arrow\" x1=\"\(fmt(px))\" y1=\"\(fmt(py))\" x2=\"\(fmt(bx))\" y2=\"\(fmt(by))\" "
                + "stroke=\"\(series.color)\" stroke-width=\"1.1\"/>"
            svg += "<polygon points=\"\(fmt(ex)),\(fmt(ey)) \(fmt(bx - uy * head * 0.5)),\(fmt(by + ux * head * 0.5)) "
                + "\(fmt(bx + uy * head * 0.5)),\(fmt(by - ux * head * 0.5))\" fill=\"\(series.color)\"/>\n"
        }
    }

    private mutating func drawLegend() {
        let entries = panel.series.filter { $0.label != nil }
        guard !entries.isEmpty else { return }
        let width = 34 + 6.5 * Double(entries.map { $0.label!.count }.max()!)
        let (lx, ly) = (right - width - 8, top + 8)
        svg += "<g class=\"legend\"><rect x=\"\(fmt(lx))\" y=\"\(fmt(ly))\" width=\"\(fmt(width))\" "
            + "height=\"\(fmt(Double(entries.count) * 16 + 6))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#bbb\"/>\n"
        for (row, series) in entries.enumerated() {
            let cy = ly + 12 + Double(row) * 16
            switch series.kind {
            case .scatter: svg += "<circle cx=\"\(fmt(lx + 14))\" cy=\"\(fmt(cy))\" r=\"3\" fill=\"\(series.color)\"/>"
            default:
                svg += "<line x1=\"\(fmt(lx + 6))\" y1=\"\(fmt(cy))\" x2=\"\(fmt(lx + 22))\" y2=\"\(fmt(cy))\" "
                    + "stroke=\"\(series.color)\" stroke-width=\"2\"/>"
            }
            svg += "<text x=\"\(fmt(lx + 28))\" y=\"\(fmt(cy + 4))\">\(escapeXML(series.label!))</text>\n"
        }
        svg += "</g>\n"
    }
}
