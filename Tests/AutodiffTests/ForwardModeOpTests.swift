import XCTest
@testable import Autodiff

/// Forward mode op by op: the JVP of every differentiable op against central differences, and the JVP and the VJP
/// transposes of each other (⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩), in Double at points away from the ops' kinks.
final class ForwardModeOpTests: XCTestCase {
    typealias T = Tensor<Double>

    /// A deterministic tensor of `shape` with entries in (lo, hi).
    static func sample(_ shape: [Int], _ seed: Int, in range: ClosedRange<Double> = -1.5...1.5) -> T {
        let n = shape.reduce(1, *)
        let scalars = (0..<n).map { i -> Double in
            let u = 0.5 + 0.5 * sin(Double(i * 7 + seed * 13) * 1.37 + Double(seed))
            return range.lowerBound + (range.upperBound - range.lowerBound) * u
        }
        return T(shape: shape, scalars: scalars)
    }

    /// (name, inputs, f) for every op; positive inputs where the op needs them, away from kinks.
    static var cases: [(String, [T], ([T]) -> T)] {
        let a = sample([3, 4], 1), b = sample([3, 4], 2), row = sample([4], 3)
        let positive = sample([3, 4], 4, in: 0.3...2.0)
        let image = sample([2, 3, 5, 5], 5), filters = sample([4, 3, 3, 3], 6, in: -0.5...0.5)
        let labels = [1, 3, 0]
        return [
            ("exp", [a], { exp($0[0]) }), ("log", [positive], { log($0[0]) }), ("sqrt", [positive], { sqrt($0[0]) }),
            ("abs", [positive - 1.15], { abs($0[0]) }), ("squared", [a], { $0[0].squared() }),
            ("pow scalar", [positive], { pow($0[0], 2.5) }), ("pow tensor", [positive, b], { pow($0[0], $0[1]) }),
            ("sin", [a], { sin($0[0]) }), ("cos", [a], { cos($0[0]) }), ("tanh", [a], { tanh($0[0]) }),
            ("sigmoid", [a], { sigmoid($0[0]) }), ("relu", [positive - 1.15], { relu($0[0]) }),
            ("leakyRelu", [positive - 1.15], { leakyRelu($0[0], negativeSlope: 0.1) }),
            ("softplus", [a], { softplus($0[0]) }), ("elu", [a], { elu($0[0], alpha: 0.7) }),
            ("clamp", [a], { clamp($0[0], min: -1, max: 1) }),
            ("+ broadcast", [a, row], { $0[0] + $0[1] }), ("- broadcast", [a, row], { $0[0] - $0[1] }),
            ("* broadcast", [a, row], { $0[0] * $0[1] }), ("/", [a, positive], { $0[0] / $0[1] }),
            ("scalar forms", [a], { 2 - ($0[0] * 3 + 1) / 4 }),
            ("sum axis", [a], { $0[0].sum(axis: 1) }), ("mean axes", [image], { $0[0].mean(axes: [0, 2]) }),
            ("max axis", [a], { $0[0].max(axis: 0) }), ("logSumExp", [a], { $0[0].logSumExp(axis: 1) }),
            ("norm", [a], { $0[0].norm(axis: 1) }), ("softmax", [a], { softmax($0[0]) }),
            ("logSoftmax", [a], { logSoftmax($0[0], axis: 0) }),
            ("mseLoss", [a, b], { mseLoss(predictions: $0[0], targets: $0[1]) }),
            ("l1Loss", [a, b], { l1Loss(predictions: $0[0], targets: $0[1]) }),
            ("crossEntropy", [a], { crossEntropy(logits: $0[0], labels: labels) }),
            ("reshaped", [a], { $0[0].reshaped([2, 6]) }), ("transposed", [image], { $0[0].transposed([2, 0, 3, 1]) }),
            ("sliced", [a], { $0[0].sliced(1..<3, axis: 1) }),
            ("gathering", [a], { $0[0].gathering(indices: [2, 0, 2], axis: 0) }),
            ("concatenated", [a, b], { concatenated([$0[0], $0[1]], axis: 1) }),
            ("stacked", [a, b], { stacked([$0[0], $0[1]], axis: 2) }),
            ("broadcast", [row], { $0[0].broadcast(to: [3, 4]) }),
            ("matmul", [a, sample([4, 2], 7)], { matmul($0[0], $0[1]) }),
            ("linear tanh", [a, sample([5, 4], 8), sample([5], 9)],
             { linear($0[0], weight: $0[1], bias: $0[2], activation: .tanh) }),
            ("conv2d", [image, filters, sample([4], 10)],
             { conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) }),
            ("avgPool2d", [image], { avgPool2d($0[0], kernelSize: 2) }),
            ("globalAveragePool2d", [image], { globalAveragePool2d($0[0]) }),
            ("groupNorm", [image, sample([3], 11), sample([3], 12)],
             { groupNorm($0[0], groups: 3, weight: $0[1], bias: $0[2]) }),
            ("linearCombination", [a, b, positive], { linearCombination(base: $0[0], coefficients: [0.5, -2], terms: [$0[1], $0[2]]) }),
        ]
    }

    func testEveryOpsJVPMatchesCentralDifferencesAndTransposesItsVJP() throws {
        for (index, (name, inputs, f)) in Self.cases.enumerated() {
            let tangents = inputs.enumerated().map { Self.sample($0.element.shape, 100 + index * 5 + $0.offset) }
            let (value, tangent) = try jvp(at: inputs, along: tangents, of: f)
            // Central differences of f along the tangents.
            let h = 1e-6
            let plus = f(zip(inputs, tangents).map { $0 + h * $1 }), minus = f(zip(inputs, tangents).map { $0 - h * $1 })
            let numeric = (plus - minus) / (2 * h)
            let scale = max(1, numeric.scalars.map(abs).max() ?? 0)
            XCTAssertEqual(tangent.shape, value.shape, name)
            for (j, (analytic, expected)) in zip(tangent.scalars, numeric.scalars).enumerated() {
                XCTAssertEqual(analytic, expected, accuracy: 1e-6 * scale, "\(name) element \(j)")
            }
            // ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩.
            let u = Self.sample(value.shape, 200 + index)
            let (_, pullback) = try valueWithPullback(at: inputs, of: f)
            let transposed = try pullback(u)
            let left = zip(u.scalars, tangent.scalars).reduce(0) { $0 + $1.0 * $1.1 }
            var right = 0.0
            for (g, v) in zip(transposed, tangents) { right += zip(g.scalars, v.scalars).reduce(0) { $0 + $1.0 * $1.1 } }
            XCTAssertEqual(left, right, accuracy: 1e-10 * max(1, abs(left)), "\(name): ⟨u, Jv⟩ vs ⟨Jᵀu, v⟩")
        }
    }
}
