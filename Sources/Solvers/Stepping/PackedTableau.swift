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
    /// Dense weight polynomials by power: entry `m * polynomialStride + i` is the coefficient of θ^(m+1) in
    /// stage i's weight (zero past the last stage), so that Horner's scheme runs over eight stages at a time.
    @usableFromInline let polynomials: UnsafeMutablePointer<Double>
    /// The dense stage count rounded up to a multiple of 8.
    @usableFromInline let polynomialStride: Int
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
        // Transposed from the extension's stage-major layout (stride `degree`).
        let dense = max(denseStageCount, stageCount)
        let stride = (dense + 7) / 8 * 8
        var byPower = [Double](repeating: 0, count: max(8, degree * stride))
        for i in 0..<min(dense, polynomials.count / max(degree, 1)) {
            for m in 0..<degree { byPower[m * stride + i] = polynomials[i * degree + m] }
        }
        self.polynomialStride = stride
        self.polynomials = copy(byPower)
        self.degree = degree
    }

    deinit {
        for p in [a, c, b, e, e2, polynomials].compactMap({ $0 }) { p.deallocate() }
    }

    /// Writes `scale · w_i(θ)` for every dense stage into `out`: Horner's scheme from the highest power,
    /// all stages at once.
    @inlinable
    func denseWeights(at theta: Double, scale: Double, into out: UnsafeMutablePointer<Double>) {
        typealias V = SIMD8<Double>
        let n = denseStageCount, stride = polynomialStride
        let t = V(repeating: theta), factor = V(repeating: scale)
        var first = 0
        while first < n {
            let column = UnsafeRawPointer(polynomials + first)
            var m = degree - 1
            var acc = column.loadUnaligned(fromByteOffset: m * stride * 8, as: V.self)
            while m > 0 {
                m -= 1
                acc = acc * t + column.loadUnaligned(fromByteOffset: m * stride * 8, as: V.self)
            }
            acc = factor * acc * t
            for lane in 0..<Swift.min(8, n - first) { out[first + lane] = acc[lane] }
            first += 8
        }
    }
}

extension PackedTableau {
    /// Weight polynomials alone (no stepping coefficients): the dense output of a method whose steps are
    /// not explicit Runge–Kutta steps, y(t₀ + θh) = y₀ + h Σᵢ wᵢ(θ) Kᵢ over `polynomials.count` stored vectors.
    ///
    /// - Parameter polynomials: Per stored vector, the coefficients of θ¹, θ², … of its weight.
    /// - Returns: The packed weights.
    static func denseWeightsOnly(_ polynomials: [[Double]]) -> PackedTableau {
        let s = polynomials.count
        let degree = max(1, polynomials.map(\.count).max() ?? 1)
        var packed = [Double](repeating: 0, count: degree * s)
        for (i, p) in polynomials.enumerated() { for (m, x) in p.enumerated() { packed[i * degree + m] = x } }
        return PackedTableau(stageCount: s, denseStageCount: s, coefficients: [Double](repeating: 0, count: s * s),
                             nodes: [Double](repeating: 0, count: s), weights: [Double](repeating: 0, count: s),
                             errorWeights: nil, secondaryErrorWeights: nil, isFirstSameAsLast: false,
                             endpointStageIndex: -1, firstExtraStage: s, polynomials: packed, degree: degree)
    }
}
