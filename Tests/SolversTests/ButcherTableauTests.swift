import XCTest
import Solvers

final class ButcherTableauTests: XCTestCase {
    func testRootedTreeCountsMatchTheKnownSequence() {
        // Number of rooted trees with n vertices (OEIS A000081), a check on the generator: 486 up to order 9.
        let trees = rootedTrees(upTo: 10)
        let counts = (1...10).map { n in trees.filter { $0.order == n }.count }
        XCTAssertEqual(counts, [1, 1, 2, 4, 9, 20, 48, 115, 286, 719])
        XCTAssertEqual(trees.filter { $0.order <= 9 }.count, 486)
        // γ of the tall tree (a chain) of order n is n!, of the bushy tree (a root with n − 1 leaves) n.
        for n in 1...10 {
            let ofOrder = trees.filter { $0.order == n }
            XCTAssertEqual(ofOrder.map(\.density).max(), (1...n).reduce(1.0) { $0 * Double($1) })
            XCTAssertEqual(ofOrder.map(\.density).min(), Double(n))
        }
    }

    /// The order conditions Σ_i w_i Φ_i(t) = θ^|t| / γ(t) of the weights `w` (b, b̂, or a dense output's
    /// w(θ)) over the rows `a`, for every tree: the residual, and the size of the terms summed,
    /// Σ_i |w_i Φ_i(t)| (for a dense output, |w_i(θ)| is replaced by Σ_m |r_im| θ^m, `weightSizes`).
    ///
    /// Every coefficient is a Double correctly rounded from (at least) 20 correct digits, so the residual
    /// computed in Double is rounding: at most 1e-13 of that size for the built-in tableaus (the worst is
    /// Verner 6(5), 9e-14, whose rows cancel from ±200 to c_i). Tests pass a condition at 1e-12 of the size,
    /// and count it as failed above 1e-9 of it: the smallest true defect at order p + 1 is 5e-6 of it
    /// (Verner 6(5)). (A fixed absolute 1e-12 fails spuriously for the Verner pairs, whose coefficients
    /// reach 10³–10⁵.)
    func residuals(trees: [RootedTree], a: [[Double]], weights w: [Double], weightSizes: [Double]? = nil,
                   target: (RootedTree) -> Double) -> [(residual: Double, bound: Double, failure: Double)] {
        let phi = elementaryWeights(trees: trees, a: a)
        let sizes = weightSizes ?? w.map(abs)
        return trees.indices.map { t in
            let value = zip(w, phi[t]).reduce(0) { $0 + $1.0 * $1.1 }
            let scale = max(zip(sizes, phi[t]).reduce(0) { $0 + $1.0 * abs($1.1) }, 1e-300)
            return (abs(value - target(trees[t])), 1e-12 * scale, 1e-9 * scale)
        }
    }

    /// Every built-in tableau satisfies all order conditions of orders ≤ p (Σ b_i Φ_i(t) = 1/γ(t), 1 + 1 +
    /// 2 + … + 286 = 486 trees up to order 9), and its stated order is exact: a condition of order p + 1 fails
    /// by far more than rounding (the 719 trees of order 10 for the ninth-order Verner pair).
    func testEveryTableauSatisfiesTheOrderConditionsUpToItsOrder() {
        let trees = rootedTrees(upTo: 10)
        for tableau in ButcherTableau.builtIn {
            var firstFailure: Int? = nil
            for (t, r) in residuals(trees: trees, a: tableau.coefficients, weights: tableau.weights,
                                    target: { 1 / $0.density }).enumerated() where trees[t].order <= tableau.order + 1 {
                if trees[t].order <= tableau.order {
                    XCTAssertLessThan(r.residual, r.bound, "\(tableau.name): tree #\(t) of order \(trees[t].order)")
                } else if r.residual > r.failure && firstFailure == nil {
                    firstFailure = trees[t].order
                }
            }
            XCTAssertEqual(firstFailure, tableau.order + 1, "\(tableau.name) is not of order exactly \(tableau.order)")
        }
    }

    /// The embedded estimate's weights e = b − b̂ annihilate every tree up to order q (so b̂ has order q),
    /// and not all of order q + 1 (so the estimate is of order q, not more).
    func testEmbeddedEstimatesVanishOnTreesUpToTheirOrder() {
        let trees = rootedTrees(upTo: 9)
        var cases: [(ButcherTableau, [Double], Int)] = [
            (.dormandPrince853, ButcherTableau.dormandPrince853.secondaryErrorWeights!, 3),
        ]
        for tableau in ButcherTableau.builtIn where tableau.isAdaptive {
            // DOP853's primary estimate is b − b̂₅ (its controller order 7 is Hairer's choice, not b̂'s order).
            cases.append((tableau, tableau.errorWeights!,
                          tableau.secondaryErrorWeights != nil ? 5 : tableau.errorEstimateOrder!))
        }
        XCTAssertEqual(cases.count, ButcherTableau.builtIn.filter(\.isAdaptive).count + 1)
        XCTAssertGreaterThanOrEqual(cases.count, 13)
        for (tableau, e, q) in cases {
            var failsAbove = false
            let bHat = zip(tableau.weights, e).map { $0 - $1 }
            for (t, r) in residuals(trees: trees, a: tableau.coefficients, weights: bHat,
                                    target: { 1 / $0.density }).enumerated() where trees[t].order <= q + 1 {
                if trees[t].order <= q {
                    XCTAssertLessThan(r.residual, r.bound, "\(tableau.name) estimate, tree #\(t) order \(trees[t].order)")
                } else if r.residual > r.failure {
                    failsAbove = true
                }
            }
            XCTAssertTrue(failsAbove, "\(tableau.name): the estimate of order \(q) should not vanish at order \(q + 1)")
        }
    }

    /// Σ_i w_i(θ) Φ_i(t) = θ^|t| / γ(t) for every tree up to the extension's order r (capped at the method's
    /// order), over all dense stages, at several θ; at the interior θ = 0.37 some condition of order r + 1
    /// fails (the stated order of the extension is exact).
    func testContinuousExtensionsSatisfyTheirOrderConditions() {
        let trees = rootedTrees(upTo: 10)
        for tableau in ButcherTableau.builtIn {
            let ext = tableau.continuousExtension
            let d = tableau.denseStageCount
            var a = tableau.coefficients
            if let e = tableau.endpointStageIndex, e == tableau.stageCount { a.append(tableau.weights) }
            a += ext.extraCoefficients
            XCTAssertEqual(a.count, d, tableau.name)
            let r = min(ext.order, tableau.order)
            for theta in [0.1, 0.3, 0.37, 0.5, 0.8, 1.0] {
                let w = ext.weightPolynomials.map { p in p.enumerated().reduce(0.0) { $0 + $1.1 * pow(theta, Double($1.0 + 1)) } }
                var failsAbove = false
                let sizes = ext.weightPolynomials.map { p in
                    p.enumerated().reduce(0.0) { $0 + abs($1.1) * pow(theta, Double($1.0 + 1)) }
                }
                for (t, res) in residuals(trees: trees, a: a, weights: w, weightSizes: sizes,
                                          target: { pow(theta, Double($0.order)) / $0.density }).enumerated()
                where trees[t].order <= r + 1 {
                    if trees[t].order <= r {
                        XCTAssertLessThan(res.residual, res.bound,
                                          "\(tableau.name) dense output, θ = \(theta), tree #\(t) of order \(trees[t].order)")
                    } else if res.residual > res.failure {
                        failsAbove = true
                    }
                }
                if theta == 0.37 {
                    XCTAssertTrue(failsAbove, "\(tableau.name): the dense output is not of order exactly \(r)")
                }
            }
            // At θ = 1 the extension reproduces the step.
            for (i, p) in ext.weightPolynomials.enumerated() {
                let atOne = p.reduce(0, +)
                let scale = max(1, p.map(abs).reduce(0, +))
                XCTAssertEqual(atOne, i < tableau.stageCount ? tableau.weights[i] : 0, accuracy: 1e-14 * scale,
                               "\(tableau.name) w_\(i)(1)")
            }
        }
    }

    func testFirstSameAsLastIsDerivedFromTheCoefficients() {
        let fsal = ButcherTableau.builtIn.filter(\.isFirstSameAsLast).map(\.name)
        XCTAssertEqual(Set(fsal), ["Bogacki–Shampine 3(2)", "Dormand–Prince 5(4)", "Tsitouras 5(4)", "Verner 6(5)",
                                   ButcherTableau.dormandPrince54Torchdiffeq.name])
    }
}
