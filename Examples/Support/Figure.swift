/// A figure of one or more plot panels in a grid, written as a standalone SVG file.
///
/// ```swift
/// var figure = Figure(rows: 1, columns: 2, title: "Spiral fit")
/// figure[0, 0].line(x: ts, y: loss, label: "loss")
/// figure[0, 0].yScale = .logarithmic
/// figure[0, 1].scatter(x: xs, y: ys, label: "data")
/// figure[0, 1].quiver(x: gx, y: gy, u: gu, v: gv)
/// try figure.write(to: "out/spiral.svg")
/// ```
public struct Figure {
    /// Number of panel rows.
    public let rows: Int
    /// Number of panel columns.
    public let columns: Int
    /// Title centred above all panels.
    public var title: String?
    /// Size of one panel in pixels.
    public var panelWidth: Double, panelHeight: Double
    /// Panels in row-major order.
    public var panels: [Panel]

    /// Creates a grid of empty panels.
    public init(rows: Int = 1, columns: Int = 1, title: String? = nil, panelWidth: Double = 440, panelHeight: Double = 340) {
        precondition(rows > 0 && columns > 0, "a figure needs at least one panel, got \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.title = title
        self.panelWidth = panelWidth
        self.panelHeight = panelHeight
        panels = Array(repeating: Panel(), count: rows * columns)
    }

    /// The panel at `row`, `column` (0-based).
    public subscript(row: Int, column: Int) -> Panel {
        get { panels[index(row, column)] }
        set { panels[index(row, column)] = newValue }
    }

    private func index(_ row: Int, _ column: Int) -> Int {
        precondition((0..<rows).contains(row) && (0..<columns).contains(column),
                     "panel (\(row), \(column)) outside a \(rows)×\(columns) figure")
        return row * columns + column
    }
}

/// The colours series take in order when none is given (a colour-blind-friendly qualitative set).
public enum Palette {
    /// Hex colours.
    public static let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// The colour for series number `index`, cycling.
    public static func color(_ index: Int) -> String { colors[index % colors.count] }
}

/// How an axis maps data to position.
public enum AxisScale: Sendable {
    /// Equal distances for equal differences.
    case linear
    /// Equal distances for equal ratios; non-positive values are not drawn.
    case logarithmic
}

/// One set of axes with its series, labels and options.
public struct Panel {
    /// What a series draws.
    public enum Kind {
        /// A polyline through the points (broken where a value is not finite).
        case line(width: Double, dashed: Bool)
        /// A dot at each point.
        case scatter(radius: Double)
        /// An arrow from each point along (u, v); arrows are scaled so the longest fits the spacing.
        case quiver(u: [Double], v: [Double])
        /// A grid of cells coloured by `values` (row-major, one row per y, one column per x; darker is lower),
        /// the series' x and y being the cell centres (equally spaced).
        case heatmap(values: [Double])
    }

    /// One data series.
    public struct Series {
        /// Horizontal coordinates.
        public var x: [Double]
        /// Vertical coordinates.
        public var y: [Double]
        /// How it is drawn.
        public var kind: Kind
        /// Legend text; series without one are not listed.
        public var label: String?
        /// Stroke or fill colour.
        public var color: String
    }

    /// Title above the panel.
    public var title: String?
    /// Horizontal axis label.
    public var xLabel: String?
    /// Vertical axis label.
    public var yLabel: String?
    /// Horizontal axis mapping.
    public var xScale = AxisScale.linear
    /// Vertical axis mapping.
    public var yScale = AxisScale.linear
    /// Fixed horizontal limits (otherwise fitted to the data at nice values).
    public var xLimits: ClosedRange<Double>?
    /// Fixed vertical limits (otherwise fitted to the data at nice values).
    public var yLimits: ClosedRange<Double>?
    /// Whether to draw a legend of the labelled series.
    public var showsLegend = true
    /// Whether one data unit has the same length on both axes (for phase portraits).
    public var equalAspect = false
    /// The series in drawing order.
    public private(set) var series: [Series] = []

    /// Creates an empty panel.
    public init(title: String? = nil, xLabel: String? = nil, yLabel: String? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    private var nextColor: String { Palette.color(series.count) }

    /// Adds a line through (x[i], y[i]).
    public mutating func line(x: [Double], y: [Double], label: String? = nil, color: String? = nil,
                              width: Double = 1.6, dashed: Bool = false) {
        precondition(x.count == y.count, "line needs as many x as y values: \(x.count) vs \(y.count)")
        series.append(Series(x: x, y: y, kind: .line(width: width, dashed: dashed), label: label, color: color ?? nextColor))
    }

    /// Adds a line through y[i] at x = 0, 1, 2, ….
    public mutating func line(_ y: [Double], label: String? = nil, color: String? = nil) {
        line(x: y.indices.map(Double.init), y: y, label: label, color: color)
    }

    /// Adds dots at (x[i], y[i]).
    public mutating func scatter(x: [Double], y: [Double], label: String? = nil, color: String? = nil, radius: Double = 2.2) {
        precondition(x.count == y.count, "scatter needs as many x as y values: \(x.count) vs \(y.count)")
        series.append(Series(x: x, y: y, kind: .scatter(radius: radius), label: label, color: color ?? nextColor))
    }

    /// Adds a heat map: cell (i, j) centred at (x[j], y[i]) coloured by `values[i·x.count + j]` on a sequential
    /// scale from the smallest to the largest finite value (non-finite cells are left blank), e.g. a density
    /// on a grid.
    public mutating func heatmap(x: [Double], y: [Double], values: [Double]) {
        precondition(x.count >= 2 && y.count >= 2 && values.count == x.count * y.count,
                     "heatmap needs at least 2×2 cells and x.count·y.count values, got \(x.count)×\(y.count) and \(values.count)")
        series.append(Series(x: x, y: y, kind: .heatmap(values: values), label: nil, color: "none"))
    }

    /// Adds arrows from (x[i], y[i]) in direction (u[i], v[i]), e.g. a vector field on a grid.
    public mutating func quiver(x: [Double], y: [Double], u: [Double], v: [Double], label: String? = nil,
                                color: String? = nil) {
        precondition(x.count == y.count && y.count == u.count && u.count == v.count,
                     "quiver needs equal counts, got x \(x.count), y \(y.count), u \(u.count), v \(v.count)")
        series.append(Series(x: x, y: y, kind: .quiver(u: u, v: v), label: label, color: color ?? nextColor))
    }
}
