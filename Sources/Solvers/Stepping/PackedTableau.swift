/// A tableau's numbers in flat, immutable buffers, shared by reference so the stepping loop reads
/// them without copying or reference counting per coefficient.
@usableFromInline
final class PackedTableau: @unchecked Sendable {
    /// s: stages of one step.
    @usableFromInline let stageCount: Int
    /// Stages the dense output uses (≥ s except for tableaus without extension stages).
    @usableFromInline let denseStageCount: Int
    /// A, row-major with stride `denseStageCount`, covering the dense stages too.
    @usableFromInline let a: UnsafeMutablePointer<Double>
    /// c for every dense stage.
    @usableFromInline let c: UnsafeMutablePointer<Double>
    /// b.
    @usableFromInline let b: UnsafeMutablePointer<Double>
    /// e = b − b̂, or nil.
    @usableFromInline let e: UnsafeMutablePointer<Double>?
    /// The secondary error weights (DOP853), or nil.
    @usableFromInline let e2: UnsafeMutablePointer<Double>?
    /// Whether the last stage is f(t₁, y₁).
    @usableFromInline let isFirstSameAsLast: Bool
    /// Index of f(t₁, y₁) among the dense stages, or −1.
    @usableFromInline let endpointStageIndex: Int
    /// Index of the first extra dense stage.
    @usableFromInline let firstExtraStage: Int
    /// Dense weight polynomials, stride `degree` (coefficients of θ¹ … θ^degree).
    @usableFromInline let polynomials: UnsafeMutablePointer<Double>
    /// The polynomials' degree.
    @usableFromInline let degree: Int

    init(stageCount: Int, denseStageCount: Int, coefficients: [Double], nodes: [Double], weights: [Double],
         errorWeights: [Double]?, secondaryErrorWeights: [Double]?, isFirstSameAsLast: Bool,
         endpointStageIndex: Int, firstExtraStage: Int, polynomials: [Double], degree: Int) {
        func copy(_ x: [Double]) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: max(1, x.count))
            p.initialize(repeating: 0, count: max(1, x.count))
            for (i, v) in x.enumerated() { p[i] = v }
            return p
        }
        self.stageCount = stageCount
        self.denseStageCount = max(denseStageCount, stageCount)
        a = copy(coefficients)
        c = copy(nodes)
        b = copy(weights)
        e = errorWeights.map(copy)
        e2 = secondaryErrorWeights.map(copy)
        self.isFirstSameAsLast = isFirstSameAsLast
        self.endpointStageIndex = endpointStageIndex
        self.firstExtraStage = firstExtraStage
        self.polynomials = copy(polynomials)
        self.degree = degree
    }

    deinit {
        for p in [a, c, b, e, e2, polynomials].compactMap({ $0 }) { p.deallocate() }
    }

    /// Writes `scale · w_i(θ)` for every dense stage into `out`.
    @inlinable
    func denseWeights(at theta: Double, scale: Double, into out: UnsafeMutablePointer<Double>) {
        for i in 0..<denseStageCount {
            var acc = 0.0
            var m = degree - 1
            while m >= 0 { acc = acc * theta + polynomials[i * degree + m]; m -= 1 }
            out[i] = scale * acc * theta
        }
    }
}
