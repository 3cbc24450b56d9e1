import Requirements

/// The coefficients of an explicit Runge–Kutta method, as data.
///
/// In Butcher's notation: `nodes` are c, `coefficients` the strictly lower triangle of A (row i has
/// i entries), `weights` are b, and `errorWeights` are e = b − b̂, so that the local error estimate
/// of a step is h Σ e_i k_i. A step is
///
///     k_i = f(t + c_i h, y + h Σ_{j<i} a_ij k_j),    y₁ = y + h Σ_i b_i k_i.
///
/// Properties such as first-same-as-last (FSAL) are derived from the numbers, never declared.
/// (Butcher, *Numerical Methods for Ordinary Differential Equations*, 3rd ed., Wiley 2016, §23.)
public struct ButcherTableau: Sendable {
    /// A human-readable name such as "Dormand–Prince 5(4)".
    public let name: String
    /// c: the stage times as fractions of the step, `nodes[0] == 0`.
    public let nodes: [Double]
    /// A: row i holds a_i0 … a_i(i−1); row 0 is empty.
    public let coefficients: [[Double]]
    /// b: the weights of the propagated solution.
    public let weights: [Double]
    /// The order p of the propagated solution.
    public let order: Int
    /// e = b − b̂: the weights of the embedded error estimate, or `nil` for a fixed-step method.
    public let errorWeights: [Double]?
    /// A second error estimate's weights, combined with the first as in Hairer's DOP853
    /// (err₅² / √(err₅² + 0.01·err₃²)); `nil` for ordinary embedded pairs.
    public let secondaryErrorWeights: [Double]?
    /// The order q that sets the controller exponent 1/(q+1): the embedded order for ordinary
    /// pairs, 7 for DOP853 (Hairer's choice). `nil` for fixed-step methods.
    public let errorEstimateOrder: Int?
    /// How the method interpolates inside a step (its dense output).
    public let continuousExtension: ContinuousExtension
    /// The coefficients packed for the stepping loop.
    @usableFromInline let packed: PackedTableau

    /// The number of stages s of one step.
    @inlinable public var stageCount: Int { nodes.count }
    /// Whether the last stage is evaluated at the new state (`a_{s,·} == b`, c_s = 1, b_s = 0), so that
    /// it is the first stage of the next step. Derived from the data.
    public let isFirstSameAsLast: Bool
    /// Whether the method carries an embedded error estimate (and so can adapt its step).
    @inlinable public var isAdaptive: Bool { errorWeights != nil }
    /// Stages the dense output uses: the s stages, then f(t₁, y₁) unless FSAL already provides it
    /// (only when the extension needs it), then the extension's extra stages.
    @inlinable public var denseStageCount: Int { continuousExtension.stageCount }
    /// Index of f(t₁, y₁) among the dense stages, when it is among them.
    public let endpointStageIndex: Int?

    /// Builds and validates a tableau.
    ///
    /// Preconditions (programmer errors): row i has i entries; Σ_j a_ij = c_i, Σ b = 1 and Σ e = 0 within
    /// 1e-12 (relative to the largest coefficient of the row); the extension's stages are consistent.
    ///
    /// - Parameters:
    ///   - name: A name for messages and descriptions.
    ///   - nodes: c, one per stage.
    ///   - coefficients: A, row i holding its i entries below the diagonal.
    ///   - weights: b, one per stage.
    ///   - order: The order p of the propagated solution.
    ///   - errorWeights: e = b − b̂ of an embedded pair, or nil for a fixed-step method.
    ///   - secondaryErrorWeights: A second error estimate's weights (DOP853), or nil.
    ///   - errorEstimateOrder: The order q of the error estimate (required with `errorWeights`).
    ///   - continuousExtension: The dense output.
    public init(name: String, nodes: [Double], coefficients: [[Double]], weights: [Double], order: Int,
                errorWeights: [Double]? = nil, secondaryErrorWeights: [Double]? = nil,
                errorEstimateOrder: Int? = nil, continuousExtension: ContinuousExtension) {
        let s = nodes.count
        require(s > 0 && nodes[0] == 0, "\(name): nodes must start with 0")
        require(coefficients.count == s && weights.count == s,
                "\(name): \(s) nodes, \(coefficients.count) rows, \(weights.count) weights")
        for (i, row) in coefficients.enumerated() {
            require(row.count == i, "\(name): row \(i) has \(row.count) entries, expected \(i)")
            ButcherTableau.checkSum(row, equals: nodes[i], "\(name): row \(i) sums to c_\(i)")
        }
        ButcherTableau.checkSum(weights, equals: 1, "\(name): Σ b = 1")
        for e in [errorWeights, secondaryErrorWeights].compactMap({ $0 }) {
            require(e.count == s, "\(name): \(e.count) error weights for \(s) stages")
            ButcherTableau.checkSum(e, equals: 0, "\(name): Σ e = 0")
        }
        require((errorWeights == nil) == (errorEstimateOrder == nil),
                "\(name): error weights and errorEstimateOrder come together")
        self.name = name
        self.nodes = nodes
        self.coefficients = coefficients
        self.weights = weights
        self.order = order
        self.errorWeights = errorWeights
        self.secondaryErrorWeights = secondaryErrorWeights
        self.errorEstimateOrder = errorEstimateOrder
        self.continuousExtension = continuousExtension
        let fsal = s > 1 && nodes[s - 1] == 1 && weights[s - 1] == 0 && coefficients[s - 1] == Array(weights[0..<(s - 1)])
        self.isFirstSameAsLast = fsal
        let extensionStages = continuousExtension.stageCount
        if continuousExtension.usesEndpointDerivative {
            endpointStageIndex = fsal ? s - 1 : s
        } else {
            endpointStageIndex = nil
        }
        require(continuousExtension.firstExtraStage == (fsal || !continuousExtension.usesEndpointDerivative ? s : s + 1),
                "\(name): the continuous extension's extra stages must follow the \(s) stages" +
                (fsal ? "" : " and f(t₁, y₁)"))
        // Pack A (the method's rows, then f(t₁, y₁) = a row equal to b, then the extra rows).
        var packed = [Double](repeating: 0, count: extensionStages * extensionStages)
        for i in 0..<s { for j in 0..<i { packed[i * extensionStages + j] = coefficients[i][j] } }
        if let e = endpointStageIndex, e == s { for j in 0..<s { packed[e * extensionStages + j] = weights[j] } }
        for (r, row) in continuousExtension.extraCoefficients.enumerated() {
            let i = continuousExtension.firstExtraStage + r
            require(row.count == i, "\(name): extra stage \(i) has \(row.count) coefficients, expected \(i)")
            ButcherTableau.checkSum(row, equals: continuousExtension.extraNodes[r], "\(name): extra row \(i)")
            for j in 0..<i { packed[i * extensionStages + j] = row[j] }
        }
        self.packed = PackedTableau(
            stageCount: s, denseStageCount: extensionStages, coefficients: packed,
            nodes: (0..<extensionStages).map { i in
                i < s ? nodes[i] : (i == s && !fsal && continuousExtension.usesEndpointDerivative ? 1
                    : continuousExtension.extraNodes[i - continuousExtension.firstExtraStage]) },
            weights: weights, errorWeights: errorWeights, secondaryErrorWeights: secondaryErrorWeights,
            isFirstSameAsLast: fsal, endpointStageIndex: endpointStageIndex ?? -1,
            firstExtraStage: continuousExtension.firstExtraStage,
            polynomials: continuousExtension.packedPolynomials, degree: continuousExtension.degree)
    }

    static func checkSum(_ values: [Double], equals expected: Double, _ what: String) {
        let sum = values.reduce(0, +)
        let scale = max(1, values.map { abs($0) }.max() ?? 0)
        require(abs(sum - expected) <= 1e-12 * scale, "\(what): got \(sum), expected \(expected)")
    }

    /// c of a dense stage (the s nodes, 1 for f(t₁, y₁), then the extension's nodes).
    ///
    /// - Parameter i: The index of a dense stage.
    /// - Returns: Its node, as a fraction of the step.
    @inlinable
    public func denseNode(_ i: Int) -> Double {
        if i < stageCount { return nodes[i] }
        if i == endpointStageIndex { return 1 }
        return continuousExtension.extraNodes[i - continuousExtension.firstExtraStage]
    }
}

extension ButcherTableau: CustomStringConvertible {
    /// The name with order and stage count, e.g. "Dormand–Prince 5(4) (order 5, 7 stages, FSAL)".
    public var description: String {
        "\(name) (order \(order), \(stageCount) stages\(isFirstSameAsLast ? ", FSAL" : ""))"
    }
}
