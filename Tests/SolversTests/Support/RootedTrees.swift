/// Rooted trees and their elementary weights, for checking Runge–Kutta order conditions
/// (Butcher, *Numerical Methods for ODEs*, §31; Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.2).
struct RootedTree {
    /// Indices (into the generated list) of the root's subtrees, non-decreasing.
    let children: [Int]
    /// Number of vertices |t|.
    let order: Int
    /// γ(t) = |t| · Π γ(children).
    let density: Double
}

/// All rooted trees with at most `maxOrder` vertices, by increasing order.
func rootedTrees(upTo maxOrder: Int) -> [RootedTree] {
    var trees = [RootedTree(children: [], order: 1, density: 1)]
    guard maxOrder >= 2 else { return trees }
    for n in 2...maxOrder {
        let existing = trees
        // Multisets of existing trees (non-decreasing indices) whose orders sum to n − 1.
        func multisets(_ remaining: Int, from minimum: Int) -> [[Int]] {
            if remaining == 0 { return [[]] }
            var result: [[Int]] = []
            for i in minimum..<existing.count where existing[i].order <= remaining {
                for rest in multisets(remaining - existing[i].order, from: i) { result.append([i] + rest) }
            }
            return result
        }
        for children in multisets(n - 1, from: 0) {
            let density = Double(n) * children.reduce(1.0) { $0 * existing[$1].density }
            trees.append(RootedTree(children: children, order: n, density: density))
        }
    }
    return trees
}

/// Φ(t) for every tree: the per-stage elementary weights for the strictly lower-triangular `a`
/// (rows may be shorter than the stage count; missing entries are 0).
func elementaryWeights(trees: [RootedTree], a: [[Double]]) -> [[Double]] {
    let s = a.count
    var phi: [[Double]] = []
    for tree in trees {
        var value = [Double](repeating: 1, count: s)
        for child in tree.children {
            let inner = phi[child]
            for i in 0..<s {
                var sum = 0.0
                for (j, x) in a[i].enumerated() { sum += x * inner[j] }
                value[i] *= sum
            }
        }
        phi.append(value)
    }
    return phi
}
