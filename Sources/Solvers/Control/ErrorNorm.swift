/// A tolerance: one value for every component, or one per component.
public enum Tolerance: Sendable, Equatable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    /// The same tolerance for every component.
    case scalar(Double)
    /// One tolerance per component (the count must match the state's).
    case perComponent([Double])

    /// A scalar tolerance from a literal such as `1e-6`.
    ///
    /// - Parameter value: The tolerance.
    public init(floatLiteral value: Double) { self = .scalar(value) }
    /// A scalar tolerance from an integer literal.
    ///
    /// - Parameter value: The tolerance.
    public init(integerLiteral value: Int) { self = .scalar(Double(value)) }

    /// The tolerance of component `i`.
    ///
    /// - Parameter i: A component index of the state.
    /// - Returns: The tolerance that applies to component `i`.
    @inlinable
    public subscript(i: Int) -> Double {
        switch self {
        case .scalar(let x): return x
        case .perComponent(let xs): return xs[i]
        }
    }

    /// The values, to validate them.
    public var values: [Double] {
        switch self {
        case .scalar(let x): return [x]
        case .perComponent(let xs): return xs
        }
    }
}

/// How the scaled error vector becomes one number (Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.4).
///
/// The seminorms (`rms(over:)`, `maximum(over:)`) let only some components control the step, as in
/// the adjoint method, where the parameter-gradient channels need no accuracy control (Kidger, Chen &
/// Lyons, "'Hey, that's not an ODE': faster ODE adjoints via seminorms", ICML 2021).
public struct ErrorNorm: Sendable, Equatable {
    /// Root mean square or maximum.
    public enum Kind: Sendable, Equatable { case rms, maximum }
    /// The kind of norm.
    public var kind: Kind
    /// The components that count; `nil` means all.
    public var components: Range<Int>?
    /// When set, the norm is the largest of this kind's norm over each group (`components` is then
    /// ignored), and components in no group do not control the step: torchdiffeq's norm for a tuple state
    /// (the largest RMS over its tensors), and how a flow keeps integrated regularisers out of error control.
    public var groups: [Range<Int>]? = nil

    /// Creates a norm.
    ///
    /// - Parameters:
    ///   - kind: RMS or maximum.
    ///   - components: The components that count (`nil`: all).
    public init(kind: Kind, components: Range<Int>?) {
        self.kind = kind
        self.components = components
    }

    /// The root-mean-square norm √(Σ xᵢ² / n): torchdiffeq's, SciPy's and diffrax's default.
    public static let rms = ErrorNorm(kind: .rms, components: nil)
    /// The maximum norm maxᵢ |xᵢ|.
    public static let maximum = ErrorNorm(kind: .maximum, components: nil)
    /// The RMS over `components` only (a seminorm).
    ///
    /// - Parameter components: The component indices that count.
    /// - Returns: The norm.
    public static func rms(over components: Range<Int>) -> ErrorNorm { ErrorNorm(kind: .rms, components: components) }
    /// The maximum over `components` only (a seminorm).
    ///
    /// - Parameter components: The component indices that count.
    /// - Returns: The norm.
    public static func maximum(over components: Range<Int>) -> ErrorNorm {
        ErrorNorm(kind: .maximum, components: components)
    }

    /// The largest of this kind's norm over each of `groups` (see ``groups``).
    ///
    /// - Parameters:
    ///   - kind: RMS or maximum.
    ///   - groups: The component ranges, each normed on its own.
    /// - Returns: The norm.
    public static func largest(_ kind: Kind, over groups: [Range<Int>]) -> ErrorNorm {
        var norm = ErrorNorm(kind: kind, components: nil)
        norm.groups = groups
        return norm
    }

    /// ‖x / (atol + rtol·max(|y0|, |y1|))‖ over this norm's components. NaN when any term is NaN.
    ///
    /// - Parameters:
    ///   - x: The error estimate.
    ///   - y0: The state at the step's start.
    ///   - y1: The state at the step's end.
    ///   - rtol: The relative tolerance.
    ///   - atol: The absolute tolerance.
    /// - Returns: The scaled norm; ≤ 1 means within the tolerances.
    @inlinable
    public func scaledNorm<State: ODEState>(of x: State, start y0: State, end y1: State,
                                            relativeTolerance rtol: Tolerance,
                                            absoluteTolerance atol: Tolerance) -> Double {
        switch (rtol, atol) {
        case let (.scalar(r), .scalar(t)):
            return scaledNorm(of: x, start: y0, end: y1, relativeTolerance: r, absoluteTolerance: t)
        default:
            let r = rtol.values, t = atol.values
            return r.withUnsafeBufferPointer { rp in
                t.withUnsafeBufferPointer { tp in
                    scaledNorm(of: x, start: y0, end: y1) { rp.count == 1 ? rp[0] : rp[$0] }
                        absolute: { tp.count == 1 ? tp[0] : tp[$0] }
                }
            }
        }
    }

    /// The same with scalar tolerances. The RMS norm sums four lanes at a time (the error norm of a
    /// large state — the adjoint's augmented state, a batch — is otherwise a serial chain of divisions);
    /// the lanes make the sum's rounding differ from a left-to-right sum in the last bits only.
    ///
    /// - Parameters:
    ///   - x: The error estimate.
    ///   - y0: The state at the step's start.
    ///   - y1: The state at the step's end.
    ///   - r: The relative tolerance.
    ///   - t: The absolute tolerance.
    /// - Returns: The scaled norm; ≤ 1 means within the tolerances.
    @inlinable
    public func scaledNorm<State: ODEState>(of x: State, start y0: State, end y1: State,
                                            relativeTolerance r: Double, absoluteTolerance t: Double) -> Double {
        if let groups {
            var largest = 0.0
            for group in groups {
                let value = ErrorNorm(kind: kind, components: group)
                    .scaledNorm(of: x, start: y0, end: y1, relativeTolerance: r, absoluteTolerance: t)
                if !(value <= largest) { largest = value }   // NaN propagates
            }
            return largest
        }
        guard kind == .rms else { return scaledNorm(of: x, start: y0, end: y1) { _ in r } absolute: { _ in t } }
        return x.withUnsafeScalars { e in
            y0.withUnsafeScalars { a in
                y1.withUnsafeScalars { b in
                    let range = components ?? 0..<e.count
                    if range.isEmpty { return 0 }
                    var lanes = SIMD4<Double>()
                    var i = range.lowerBound
                    while i + 4 <= range.upperBound {
                        let ev = SIMD4(Double(e[i]), Double(e[i + 1]), Double(e[i + 2]), Double(e[i + 3]))
                        let av = SIMD4(Double(a[i]), Double(a[i + 1]), Double(a[i + 2]), Double(a[i + 3]))
                        let bv = SIMD4(Double(b[i]), Double(b[i + 1]), Double(b[i + 2]), Double(b[i + 3]))
                        let size = pointwiseMax(av.replacing(with: -av, where: av .< 0),
                                                bv.replacing(with: -bv, where: bv .< 0))
                        let q = ev / (t + r * size)
                        lanes += q * q
                        i += 4
                    }
                    var sum = lanes.sum()
                    while i < range.upperBound {
                        let size = max(abs(Double(a[i])), abs(Double(b[i])))
                        let q = Double(e[i]) / (t + r * size)
                        sum += q * q
                        i += 1
                    }
                    return (sum / Double(range.count)).squareRoot()
                }
            }
        }
    }

    @inlinable
    func scaledNorm<State: ODEState>(of x: State, start y0: State, end y1: State, relative rtol: (Int) -> Double,
                                     absolute atol: (Int) -> Double) -> Double {
        if let groups {
            var largest = 0.0
            for group in groups {
                let value = ErrorNorm(kind: kind, components: group)
                    .scaledNorm(of: x, start: y0, end: y1, relative: rtol, absolute: atol)
                if !(value <= largest) { largest = value }
            }
            return largest
        }
        return x.withUnsafeScalars { e in
            y0.withUnsafeScalars { a in
                y1.withUnsafeScalars { b in
                    let range = components ?? 0..<e.count
                    var sum = 0.0
                    var largest = 0.0
                    for i in range {
                        let size = max(abs(Double(a[i])), abs(Double(b[i])))
                        let r = abs(Double(e[i])) / (atol(i) + rtol(i) * size)
                        sum += r * r
                        if !(r <= largest) { largest = r }   // NaN propagates
                    }
                    if range.isEmpty { return 0 }
                    return kind == .rms ? (sum / Double(range.count)).squareRoot() : largest
                }
            }
        }
    }
}

/// The error ratio of a trial step: ≤ 1 accepts. `+∞` when the new state or an error estimate is not
/// finite, so that the step is rejected and shrunk.
///
/// With a secondary estimate (DOP853) it is err₅² / √(err₅² + 0.01·err₃²) (Hairer's DOP853 code).
///
/// - Parameters:
///   - error: The step's error estimate.
///   - secondaryError: The second estimate of a method that has one (DOP853), or nil.
///   - y0: The state at the step's start.
///   - y1: The state at the step's end.
///   - relativeTolerance: rtol.
///   - absoluteTolerance: atol.
///   - norm: The norm of the scaled error.
/// - Returns: The error ratio.
@inlinable
public func errorRatio<State: ODEState>(error: State, secondaryError: State?, start y0: State, end y1: State,
                                        relativeTolerance: Tolerance, absoluteTolerance: Tolerance,
                                        norm: ErrorNorm) -> Double {
    guard y1.allComponentsAreFinite else { return .infinity }
    let e1 = norm.scaledNorm(of: error, start: y0, end: y1, relativeTolerance: relativeTolerance,
                             absoluteTolerance: absoluteTolerance)
    guard let secondaryError else { return e1.isFinite ? e1 : .infinity }
    let e3 = norm.scaledNorm(of: secondaryError, start: y0, end: y1, relativeTolerance: relativeTolerance,
                             absoluteTolerance: absoluteTolerance)
    return combinedErrorRatio(e1, e3)
}

/// DOP853's ratio err₅² / √(err₅² + 0.01·err₃²) from the two scaled norms; `+∞` unless finite.
@inlinable
func combinedErrorRatio(_ e1: Double, _ e3: Double) -> Double {
    let denominator = (e1 * e1 + 0.01 * e3 * e3).squareRoot()
    let ratio = denominator > 0 ? e1 * e1 / denominator : 0
    return ratio.isFinite ? ratio : .infinity
}

extension ODEState {
    /// Whether no component is NaN or infinite (one pass, no early exit: x·0 is NaN exactly for them).
    @inlinable
    var allComponentsAreFinite: Bool {
        withUnsafeScalars { b -> Bool in
            var probe = 0.0
            for v in b { probe += Double(v) * 0 }
            return probe == 0
        }
    }
}
