/// The least-squares line y ≈ slope·x + intercept through points, with its coefficient of determination.
public struct LineFit: Sendable {
    /// The fitted slope.
    public let slope: Double
    /// The fitted value at x = 0.
    public let intercept: Double
    /// R², the share of y's variance the line explains (0 when x or y does not vary).
    public let rSquared: Double

    /// Fits the line.
    ///
    /// - Parameters:
    ///   - x: The abscissae (at least two, not all equal, for a defined slope).
    ///   - y: The ordinates, as many as `x`.
    public init(x: [Double], y: [Double]) {
        precondition(x.count == y.count && x.count >= 2, "LineFit: \(x.count) x and \(y.count) y values (need ≥ 2 pairs)")
        let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
        let sxy = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }, syy = y.reduce(0) { $0 + ($1 - my) * ($1 - my) }
        slope = sxy / sxx
        intercept = my - slope * mx
        rSquared = sxx > 0 && syy > 0 ? sxy * sxy / (sxx * syy) : 0
    }
}
