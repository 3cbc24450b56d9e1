// Tolerances from values held in variables (not only literals), and how a tolerance prints.
extension Tolerance: ExpressibleByArrayLiteral, CustomStringConvertible {
    /// The same tolerance for every component: `Tolerance(rtol)` for `let rtol: Double`.
    ///
    /// - Parameter value: The tolerance, finite and ≥ 0 (checked when a solve starts).
    public init(_ value: Double) { self = .scalar(value) }

    /// One tolerance per component, in the state's order.
    ///
    /// - Parameter values: The tolerances, finite and ≥ 0, as many as the state has components (checked
    ///   when a solve starts).
    public init(_ values: [Double]) { self = .perComponent(values) }

    /// One tolerance per component from a literal such as `[1e-6, 1e-9]`.
    ///
    /// - Parameter elements: The tolerances, one per component.
    public init(arrayLiteral elements: Double...) { self = .perComponent(elements) }

    /// `1e-07` for a scalar tolerance, `[1e-06, 1e-09]` for one per component (long lists shortened).
    public var description: String {
        switch self {
        case .scalar(let x): return "\(x)"
        case .perComponent(let xs): return abbreviatedList(xs)
        }
    }
}

/// `[a, b, c]`, or for more than six values the first three, an ellipsis and the last with the count:
/// `[a, b, c, …, z] (100 values)`.
func abbreviatedList(_ values: [Double]) -> String {
    guard values.count > 6 else { return "[" + values.map { "\($0)" }.joined(separator: ", ") + "]" }
    let head = values.prefix(3).map { "\($0)" }.joined(separator: ", ")
    return "[\(head), …, \(values[values.count - 1])] (\(values.count) values)"
}
