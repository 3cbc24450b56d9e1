import XCTest
import Solvers

final class ButcherTableauTests: XCTestCase {
    func testRootedTreeCountsMatchTheKnownSequence() {
        // Number of rooted trees with n vertices (OEIS A000081), a check on the generator.
        let trees = rootedTrees(upTo: 8)
        let counts = (1...8).map { n in trees.filter { $0.order == n }.count }
        XCTAssertEqual(counts, [1, 1, 2, 4, 9, 20, 48, 115])
    }

    func testEveryTableauSatisfiesTheOrderConditionsUpToItsOrder() {
        let trees = rootedTrees(upTo: 9)
        for tableau in ButcherTableau.builtIn {
            let phi = elementaryWeights(trees: trees, a: tableau.coefficients)
            var firstFailure: Int? = nil
            for (t, tree) in trees.enumerated() {
                let value = zip(tableau.weights, phi[t]).reduce(0) { $0 + $1.0 * $1.1 }
                let residual = abs(value - 1 / tree.density)
                if tree.order <= tableau.order {
                    XCTAssertLessThan(residual, 1e-12, "\(tableau.name): tree #\(t) of order \(tree.order)")
                } else if residual > 1e-10 && firstFailure == nil {
                    firstFailure = tree.order
                }
            }
            // The order is exact: some condition of order p + 1 fails.
            XCTAssertEqual(firstFailure, tableau.order + 1, "\(tableau.name) is not of order exactly \(tableau.order)")
        }
    }

    func testEmbeddedEstimatesVanishOnTreesUpToTheirOrder() {
        let trees = rootedTrees(upTo: 6)
        let cases: [(ButcherTableau, [Double], Int)] = [
            (.bogackiShampine32, ButcherTableau.bogackiShampine32.errorWeights!, 2),
            (.dormandPrince54, ButcherTableau.dormandPrince54.errorWeights!, 4),
            (.dormandPrince54Torchdiffeq, ButcherTableau.dormandPrince54Torchdiffeq.errorWeights!, 4),
            (.tsitouras54, ButcherTableau.tsitouras54.errorWeights!, 4),
            (.dormandPrince853, ButcherTableau.dormandPrince853.errorWeights!, 5),
            (.dormandPrince853, ButcherTableau.dormandPrince853.secondaryErrorWeights!, 3),
        ]
        for (tableau, e, q) in cases {
            let phi = elementaryWeights(trees: trees, a: tableau.coefficients)
            var failsAbove = false
            for (t, tree) in trees.enumerated() {
                let value = zip(e, phi[t]).reduce(0) { $0 + $1.0 * $1.1 }
                if tree.order <= q {
                    XCTAssertLessThan(abs(value), 1e-12, "\(tableau.name) estimate, tree #\(t) order \(tree.order)")
                } else if tree.order == q + 1 && abs(value) > 1e-10 {
                    failsAbove = true
                }
            }
            XCTAssertTrue(failsAbove, "\(tableau.name): the estimate of order \(q) should not vanish at order \(q + 1)")
        }
    }

    /// Σ_i w_i(θ) Φ_i(t) = θ^|t| / γ(t) for every tree up to the extension's order, over all dense stages.
    func testContinuousExtensionsSatisfyTheirOrderConditions() {
        let trees = rootedTrees(upTo: 7)
        for tableau in ButcherTableau.builtIn {
            let ext = tableau.continuousExtension
            let d = tableau.denseStageCount
            var a = tableau.coefficients
            if let e = tableau.endpointStageIndex, e == tableau.stageCount { a.append(tableau.weights) }
            a += ext.extraCoefficients
            XCTAssertEqual(a.count, d, tableau.name)
            let phi = elementaryWeights(trees: trees, a: a)
            for theta in [0.1, 0.3, 0.5, 0.8, 1.0] {
                let w = ext.weightPolynomials.map { p in p.enumerated().reduce(0.0) { $0 + $1.1 * pow(theta, Double($1.0 + 1)) } }
                for (t, tree) in trees.enumerated() where tree.order <= min(ext.order, tableau.order) {
                    let value = zip(w, phi[t]).reduce(0) { $0 + $1.0 * $1.1 }
                    XCTAssertEqual(value, pow(theta, Double(tree.order)) / tree.density, accuracy: 1e-11,
                                   "\(tableau.name) dense output, θ = \(theta), tree #\(t) of order \(tree.order)")
                }
            }
            // At θ = 1 the extension reproduces the step.
            for (i, p) in ext.weightPolynomials.enumerated() {
                let atOne = p.reduce(0, +)
                XCTAssertEqual(atOne, i < tableau.stageCount ? tableau.weights[i] : 0, accuracy: 1e-12, "\(tableau.name) w_\(i)(1)")
            }
        }
    }

    func testFirstSameAsLastIsDerivedFromTheCoefficients() {
        let fsal = ButcherTableau.builtIn.filter(\.isFirstSameAsLast).map(\.name)
        XCTAssertEqual(Set(fsal), ["Bogacki–Shampine 3(2)", "Dormand–Prince 5(4)", "Tsitouras 5(4)",
                                   ButcherTableau.dormandPrince54Torchdiffeq.name])
    }
}
