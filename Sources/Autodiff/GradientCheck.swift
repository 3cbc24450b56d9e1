/// The result of comparing a tape gradient with central finite differences.
public struct GradientCheckReport: CustomStringConvertible, Sendable {
    /// Largest |analytic − numeric| over all checked directions.
    public let maxAbsoluteError: Double
    /// Largest |analytic − numeric| / max(|analytic|, |numeric|, 1e-12·scale) over all checked directions.
    public let maxRelativeError: Double
    /// Where the worst relative error occurred: the input index and the direction (an element index
    /// for per-element checks, the direction number for random directions).
    public let worstInput: Int, worstDirection: Int
    /// The analytic and numeric directional derivatives at the worst point.
    public let worstAnalytic: Double, worstNumeric: Double
    /// Number of directional derivatives compared.
    public let checkedDirections: Int
    /// Largest |analytic − numeric| divided by the largest |analytic| over all directions: a relative
    /// error that is not inflated by directions along which the derivative happens to be tiny.
    public let maxScaledError: Double

    /// The figures on one line, with the worst direction's analytic and numeric values.
    public var description: String {
        "gradient check: \(checkedDirections) directions, max abs error \(maxAbsoluteError), max rel error \(maxRelativeError), max scaled error \(maxScaledError) "
            + "(input \(worstInput), direction \(worstDirection): analytic \(worstAnalytic), numeric \(worstNumeric))"
    }
}

/// Compares the tape's vector-Jacobian product of `f` with central finite differences, in `Double`.
///
/// A random cotangent `v` (seeded) reduces a non-scalar output to `vᵀ f`. Each input is then probed
/// along unit vectors (when it has at most `elementwiseLimit` elements) or along `randomDirections`
/// seeded random unit directions: the analytic `vᵀ J d` is compared with
/// `(vᵀf(x + h d) − vᵀf(x − h d)) / 2h`. Use it to check your own layers the way the library's tests do.
///
/// - Parameters:
///   - inputs: The point: the tensors `f` is differentiated with respect to.
///   - stepSize: h; 1e-6 balances truncation (O(h²)) and rounding (O(ε/h)) error for smooth functions of
///     order-one inputs.
///   - elementwiseLimit: Inputs with at most this many elements are probed along every unit vector.
///   - randomDirections: The number of random directions for larger inputs.
///   - seed: The seed of the cotangent and the random directions.
///   - f: The function to check.
/// - Returns: The largest errors found and where.
/// - Throws: What `f` throws, or the error of a failing pullback.
public func checkGradients(
    at inputs: [Tensor<Double>], stepSize: Double = 1e-6, elementwiseLimit: Int = 64,
    randomDirections: Int = 5, seed: UInt64 = 0x5EED,
    of f: ([Tensor<Double>]) throws -> Tensor<Double>
) throws -> GradientCheckReport {
    var generator = SeededGenerator(seed: seed)
    let (value, pullback) = try valueWithPullback(at: inputs, of: f)
    let cotangent = Tensor<Double>.randomNormal(value.shape, using: &generator)
    let analyticGradients = try pullback(cotangent)
    func projected(_ xs: [Tensor<Double>]) throws -> Double {
        let y = try withoutRecording(Double.self) { try f(xs) }
        return zip(y.scalars, cotangent.scalars).reduce(0) { $0 + $1.0 * $1.1 }
    }
    var maxAbs = 0.0, maxRel = -1.0, worst = (0, 0, 0.0, 0.0), checked = 0, scale = 0.0
    for (inputIndex, input) in inputs.enumerated() {
        let count = input.scalarCount
        let directions: [[Double]]
        if count <= elementwiseLimit {
            directions = (0..<count).map { i in (0..<count).map { $0 == i ? 1 : 0 } }
        } else {
            directions = (0..<randomDirections).map { _ in
                let d = (0..<count).map { _ in generator.nextNormal() }
                let norm = d.reduce(0) { $0 + $1 * $1 }.squareRoot()
                return d.map { $0 / norm }
            }
        }
        let gradient = analyticGradients[inputIndex].scalars
        for (k, d) in directions.enumerated() {
            let analytic = zip(gradient, d).reduce(0) { $0 + $1.0 * $1.1 }
            var plus = inputs, minus = inputs
            plus[inputIndex] = Tensor(shape: input.shape, scalars: zip(input.scalars, d).map { $0 + stepSize * $1 })
            minus[inputIndex] = Tensor(shape: input.shape, scalars: zip(input.scalars, d).map { $0 - stepSize * $1 })
            let numeric = (try projected(plus) - projected(minus)) / (2 * stepSize)
            let absolute = abs(analytic - numeric)
            let relative = absolute / Swift.max(abs(analytic), abs(numeric), 1e-12)
            checked += 1
            scale = Swift.max(scale, abs(analytic))
            maxAbs = Swift.max(maxAbs, absolute)
            if relative > maxRel { maxRel = relative; worst = (inputIndex, k, analytic, numeric) }
        }
    }
    return GradientCheckReport(maxAbsoluteError: maxAbs, maxRelativeError: Swift.max(maxRel, 0),
                               worstInput: worst.0, worstDirection: worst.1,
                               worstAnalytic: worst.2, worstNumeric: worst.3, checkedDirections: checked,
                               maxScaledError: scale > 0 ? maxAbs / scale : maxAbs)
}

/// Checks the derivatives of the derivative of `f`: the tape gradient of the scalar
/// `h(x) = ⟨u, vᵀ ∂f/∂x⟩` — a vector–Jacobian product of `f` for a random cotangent `v`, projected on a
/// random direction `u` (both seeded) — which the tape computes by differentiating `f`'s pullback, against
/// central differences of `h`, which only use first derivatives. A pullback that does not record (a
/// silently zero second derivative) or records the wrong thing fails it.
///
/// - Parameters:
///   - inputs: The point.
///   - stepSize: h of the central differences of the first derivatives.
///   - elementwiseLimit: Inputs with at most this many elements are probed along every unit vector.
///   - randomDirections: The number of random directions for larger inputs.
///   - seed: The seed of `v`, `u` and the random directions.
///   - f: The function to check; its pullback must be differentiable.
/// - Returns: The largest errors found and where (for `h`'s gradient).
/// - Throws: What `f` throws, or the error of a failing pullback.
public func checkSecondDerivatives(
    at inputs: [Tensor<Double>], stepSize: Double = 1e-5, elementwiseLimit: Int = 64,
    randomDirections: Int = 5, seed: UInt64 = 0x5EED,
    of f: @escaping ([Tensor<Double>]) throws -> Tensor<Double>
) throws -> GradientCheckReport {
    var generator = SeededGenerator(seed: seed &+ 2)
    let value = try withoutRecording(Double.self) { try f(inputs) }
    let cotangent = Tensor<Double>.randomNormal(value.shape, using: &generator)
    let directions = inputs.map { Tensor<Double>.randomNormal($0.shape, using: &generator) }
    return try checkGradients(at: inputs, stepSize: stepSize, elementwiseLimit: elementwiseLimit,
                              randomDirections: randomDirections, seed: seed) { xs in
        let (_, pullback) = try valueWithPullback(at: xs, of: f)
        let vjp = try pullback(cotangent)
        var total = (vjp[0] * directions[0]).sum()
        for i in 1..<vjp.count { total = total + (vjp[i] * directions[i]).sum() }
        return total
    }
}
