// Kværnø's stiffly accurate, L-stable ESDIRK pairs (A. Kværnø, "Singly diagonally implicit Runge–Kutta
// methods with an explicit first stage", BIT 44 (2004) 489–502), the methods of diffrax's `Kvaerno3/4/5`.
// Each embedded solution is the second-to-last stage, so e = (last row) − (row before, padded with 0).

extension ESDIRKTableau {
    /// e for a stiffly accurate pair whose embedded solution is stage s − 2's value.
    static func stifflyAccurateErrorWeights(_ a: [[Double]], gamma: Double) -> [Double] {
        let s = a.count
        let b = a[s - 1] + [gamma]
        let bHat = a[s - 2] + [gamma, 0]
        return zip(b, bHat).map { $0 - $1 }
    }

    /// Kværnø 3(2): four stages, γ the root near 0.4359 of 6γ³ − 18γ² + 9γ − 1 (computed here by Newton's
    /// method), c = (0, 2γ, 1, 1); the other coefficients are Kværnø's closed forms in γ.
    public static let kvaerno3: ESDIRKTableau = {
        var g = 0.4358665215
        for _ in 0..<6 { g -= (6 * g * g * g - 18 * g * g + 9 * g - 1) / (18 * g * g - 36 * g + 9) }
        let a: [[Double]] = [
            [], [g],
            [(-4 * g * g + 6 * g - 1) / (4 * g), (-2 * g + 1) / (4 * g)],
            [(6 * g - 1) / (12 * g), -1 / ((24 * g - 12) * g), (-6 * g * g + 6 * g - 1) / (6 * g - 3)],
        ]
        return ESDIRKTableau(name: "Kværnø 3(2)", gamma: g, a: a, nodes: [0, 2 * g, 1, 1], weights: a[3] + [g],
                             errorWeights: stifflyAccurateErrorWeights(a, gamma: g), order: 3, errorEstimateOrder: 2)
    }()

    /// Kværnø 4(3): five stages, γ = 0.5728160625, c = (0, 2γ, c₃, 1, 1); coefficients from Kværnø's closed
    /// forms in γ.
    public static let kvaerno4: ESDIRKTableau = {
        let g = 0.5728160625
        func poly(_ coefficients: Double...) -> Double { coefficients.reduce(0) { $0 * g + $1 } }
        let a31 = poly(144, -180, 81, -15, 1) * g / pow2(poly(12, -6, 1))
        let a32 = poly(-36, 39, -15, 2) * g / pow2(poly(12, -6, 1))
        let a41 = poly(-144, 396, -330, 117, -18, 1) / (12 * g * g * poly(12, -9, 2))
        let a42 = poly(72, -126, 69, -15, 1) / (12 * g * g * poly(3, -1))
        let a43 = (poly(-6, 6, -1) * pow2(poly(12, -6, 1))) / (12 * g * g * poly(12, -9, 2) * poly(3, -1))
        let a51 = poly(288, -312, 120, -18, 1) / (48 * g * g * poly(12, -9, 2))
        let a52 = poly(24, -12, 1) / (48 * g * g * poly(3, -1))
        let a53 = -pow2(poly(12, -6, 1)) * poly(12, -6, 1) / (48 * g * g * poly(3, -1) * poly(12, -9, 2) * poly(6, -6, 1))
        let a54 = poly(-24, 36, -12, 1) / poly(24, -24, 4)
        let a: [[Double]] = [[], [g], [a31, a32], [a41, a42, a43], [a51, a52, a53, a54]]
        return ESDIRKTableau(name: "Kværnø 4(3)", gamma: g, a: a, nodes: [0, 2 * g, g + a31 + a32, 1, 1],
                             weights: a[4] + [g], errorWeights: stifflyAccurateErrorWeights(a, gamma: g),
                             order: 4, errorEstimateOrder: 3)
    }()

    /// Kværnø 5(4): seven stages, γ = 0.26 (coefficients to 17 digits as published).
    public static let kvaerno5: ESDIRKTableau = {
        let g = 0.26
        let a: [[Double]] = [
            [], [0.26],
            [0.13, 0.84033320996790809],
            [0.22371961478320505, 0.47675532319799699, -0.06470895363112615],
            [0.16648564323248321, 0.10450018841591720, 0.03631482272098715, -0.13090704451073998],
            [0.13855640231268224, 0, -0.04245337201752043, 0.02446657898003141, 0.61943039072480676],
            [0.13659751177640291, 0, -0.05496908796538376, -0.04118626728321046, 0.62993304899016403,
             0.06962479448202728],
        ]
        return ESDIRKTableau(name: "Kværnø 5(4)", gamma: g, a: a,
                             nodes: [0, 0.52, 1.230333209967908, 0.8957659843500759, 0.43639360985864756, 1, 1],
                             weights: a[6] + [g], errorWeights: stifflyAccurateErrorWeights(a, gamma: g),
                             order: 5, errorEstimateOrder: 4)
    }()
}

private func pow2(_ x: Double) -> Double { x * x }
