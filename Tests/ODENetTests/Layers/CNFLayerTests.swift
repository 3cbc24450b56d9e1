import XCTest
import Autodiff
@testable import ODENet

/// The layers of continuous normalizing flows (`ConcatSquashLinear`, `ConcatSquashMLP`,
/// `HyperNetworkDynamics`): forward values against plain loops over the parameters' scalars, first
/// derivatives (input, time, every parameter) and second derivatives against finite differences, and the
/// names and counts of the parameters.
final class CNFLayerTests: XCTestCase {
    // MARK: Plain-loop oracles

    /// `x·Wᵀ + b` for `x` [rows, in] given as row-major scalars, by loops.
    private func affine(_ x: [Double], rows: Int, _ linear: Linear<Double>) -> [Double] {
        let w = linear.weight.value.scalars, b = linear.bias?.value.scalars
        let (n, m) = (linear.inputDimensions, linear.outputDimensions)
        var y = [Double](repeating: 0, count: rows * m)
        for r in 0..<rows {
            for o in 0..<m {
                var s = b?[o] ?? 0
                for i in 0..<n { s += x[r * n + i] * w[o * n + i] }
                y[r * m + o] = s
            }
        }
        return y
    }

    private func sigmoidScalar(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

    /// FFJORD's formula for one ``ConcatSquashLinear`` on `rows` states, by loops.
    private func concatSquash(_ layer: ConcatSquashLinear<Double>, t: Double, _ x: [Double], rows: Int) -> [Double] {
        let main = affine(x, rows: rows, layer.layer)
        let gate = affine([t], rows: 1, layer.hyperGate), shift = affine([t], rows: 1, layer.hyperBias)
        let m = layer.outputDimensions
        return main.indices.map { k in main[k] * sigmoidScalar(gate[k % m]) + shift[k % m] }
    }

    /// torchdiffeq's `CNF.forward` on `rows` states by loops: the hypernetwork's output split into
    /// W [w, d], U [w, d], G [w, d], B [w]; dz_d = mean_w U_wd σ(G_wd) tanh(Σ_e z_e W_we + B_w).
    private func hyperField(_ field: HyperNetworkDynamics<Double>, t: Double, _ z: [Double], rows: Int) -> [Double] {
        let net = field.hyperNetwork
        let d = net.stateDimensions, width = net.width
        let h1 = affine([t], rows: 1, net.fc1).map { Foundation.tanh($0) }
        let h2 = affine(h1, rows: 1, net.fc2).map { Foundation.tanh($0) }
        let p = affine(h2, rows: 1, net.fc3)
        XCTAssertEqual(p.count, 3 * width * d + width)
        let block = width * d
        var out = [Double](repeating: 0, count: rows * d)
        for r in 0..<rows {
            for w in 0..<width {
                var pre = p[3 * block + w]
                for e in 0..<d { pre += z[r * d + e] * p[w * d + e] }
                let h = Foundation.tanh(pre)
                for k in 0..<d {
                    let u = p[block + w * d + k] * sigmoidScalar(p[2 * block + w * d + k])
                    out[r * d + k] += u * h / Double(width)
                }
            }
        }
        return out
    }

    private func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
        XCTAssertEqual(a.count, b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    }

    // MARK: Gradient-check helper

    /// Checks first (or second) derivatives of `apply` with respect to `inputs` and every parameter,
    /// installing each probe of a parameter into it; prints and returns the report.
    @discardableResult
    private func check(_ label: String, _ parameters: [Parameter<Double>], inputs: [Tensor<Double>],
                       secondOrder: Bool = false, tolerance: Double = 1e-6,
                       file: StaticString = #filePath, line: UInt = #line,
                       _ apply: @escaping ([Tensor<Double>]) throws -> Tensor<Double>) throws -> GradientCheckReport {
        let saved = parameters.map(\.value)
        defer { for (p, v) in zip(parameters, saved) { p.value = v } }
        let count = inputs.count
        let f: ([Tensor<Double>]) throws -> Tensor<Double> = { xs in
            for (p, v) in zip(parameters, xs[count...]) { p.value = v }
            return try apply(Array(xs[..<count]))
        }
        let report = secondOrder
            ? try checkSecondDerivatives(at: inputs + saved, elementwiseLimit: 64, randomDirections: 8, of: f)
            : try checkGradients(at: inputs + saved, elementwiseLimit: 64, randomDirections: 8, of: f)
        print("CNFLayerTests \(label): \(report)")
        XCTAssertEqual(report.checkedDirections, (inputs + saved).map { $0.scalarCount <= 64 ? $0.scalarCount : 8 }.reduce(0, +),
                       file: file, line: line)
        XCTAssertLessThan(report.maxRelativeError, tolerance, "\(label): \(report)", file: file, line: line)
        return report
    }

    // MARK: ConcatSquashLinear

    func testConcatSquashLinearForwardMatchesLoops() {
        var generator = SeededGenerator(seed: 11)
        let layer = ConcatSquashLinear<Double>(3, 4, using: &generator)
        let x = Tensor<Double>.randomNormal([5, 3], using: &generator)
        for t in [-0.8, 0.0, 0.35, 1.7] {
            let y = layer(Tensor(t), x)
            XCTAssertEqual(y.shape, [5, 4])
            let error = maxDifference(y.scalars, concatSquash(layer, t: t, x.scalars, rows: 5))
            print("CNFLayerTests ConcatSquashLinear forward, t = \(t): max abs error \(error)")
            XCTAssertLessThan(error, 1e-12)
        }
        // A rank-3 batch is [..., in] too.
        let batched = Tensor<Double>.randomNormal([2, 3, 3], using: &generator)
        XCTAssertLessThan(maxDifference(layer(Tensor(0.2), batched).scalars,
                                        concatSquash(layer, t: 0.2, batched.scalars, rows: 6)), 1e-12)
    }

    func testConcatSquashLinearNamesShapesAndInitialisationBounds() {
        var generator = SeededGenerator(seed: 12)
        let layer = ConcatSquashLinear<Double>(3, 4, using: &generator)
        let named = layer.namedParameters
        XCTAssertEqual(named.map(\.name), ["_layer.weight", "_layer.bias", "_hyper_bias.weight",
                                           "_hyper_gate.weight", "_hyper_gate.bias"])
        XCTAssertEqual(named.map(\.parameter.shape), [[4, 3], [4], [4, 1], [4, 1], [4]])
        XCTAssertEqual(layer.parameterCount, 3 * 4 + 4 + 4 + 4 + 4)
        // nn.Linear's default: uniform on ±1/√fan_in (fan_in 3 for _layer, 1 for the hyper layers).
        for (name, parameter) in named {
            let bound = 1 / (name.hasPrefix("_layer") ? 3.0 : 1.0).squareRoot()
            XCTAssertTrue(parameter.value.scalars.allSatisfy { abs($0) <= bound }, name)
            XCTAssertTrue(parameter.value.scalars.contains { $0 != 0 }, name)
        }
        XCTAssertEqual(layer.description, "ConcatSquashLinear(in: 3, out: 4)")
    }

    func testConcatSquashLinearFirstDerivativesMatchFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 13)
        let layer = ConcatSquashLinear<Double>(3, 4, using: &generator)
        let x = Tensor<Double>.randomNormal([5, 3], using: &generator)
        try check("ConcatSquashLinear d1", layer.parameters, inputs: [Tensor(0.4), x]) { layer($0[0], $0[1]) }
    }

    func testConcatSquashLinearSecondDerivativesMatchFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 14)
        let layer = ConcatSquashLinear<Double>(3, 4, using: &generator)
        let x = Tensor<Double>.randomNormal([5, 3], using: &generator)
        // The layer is bilinear in (layer, gate) pieces; squaring makes every second derivative non-trivial.
        try check("ConcatSquashLinear d2", layer.parameters, inputs: [Tensor(0.4), x], secondOrder: true) { xs in
            let y = layer(xs[0], xs[1])
            return y * y
        }
        try check("ConcatSquashLinear d2 (y)", layer.parameters, inputs: [Tensor(0.4), x], secondOrder: true) {
            layer($0[0], $0[1])
        }
    }

    // MARK: ConcatSquashMLP

    func testConcatSquashMLPForwardMatchesLoops() {
        var generator = SeededGenerator(seed: 21)
        let field = ConcatSquashMLP<Double>(dimensions: [2, 5, 4, 2], using: &generator)
        let z = Tensor<Double>.randomNormal([6, 2], using: &generator)
        let t = 0.6
        var h = z.scalars
        for (index, layer) in field.layers.enumerated() {
            h = concatSquash(layer, t: t, h, rows: 6)
            if index < field.layers.count - 1 { h = h.map { Foundation.tanh($0) } }
        }
        let y = field(Tensor(t), z)
        XCTAssertEqual(y.shape, [6, 2])
        let error = maxDifference(y.scalars, h)
        print("CNFLayerTests ConcatSquashMLP forward: max abs error \(error)")
        XCTAssertLessThan(error, 1e-12)
    }

    func testConcatSquashMLPShapesNamesAndCountLikeFFJORDToyField() {
        var generator = SeededGenerator(seed: 22)
        let dimensions = [2, 64, 64, 64, 2]
        let field = ConcatSquashMLP<Float>(dimensions: dimensions, using: &generator)
        XCTAssertEqual(field.layers.count, dimensions.count - 1)
        XCTAssertEqual(field.dimensions, dimensions)
        let z = Tensor<Float>.randomNormal([7, 2], using: &generator)
        XCTAssertEqual(field(Tensor(0.5), z).shape, [7, 2])
        var expectedNames: [String] = [], expectedShapes: [[Int]] = [], expectedCount = 0
        for (k, (i, o)) in zip(dimensions, dimensions.dropFirst()).enumerated() {
            expectedNames += ["_layer.weight", "_layer.bias", "_hyper_bias.weight", "_hyper_gate.weight",
                              "_hyper_gate.bias"].map { "layers.\(k).\($0)" }
            expectedShapes += [[o, i], [o], [o, 1], [o, 1], [o]]
            expectedCount += o * i + 4 * o
        }
        XCTAssertEqual(field.namedParameters.map(\.name), expectedNames)
        XCTAssertEqual(field.namedParameters.map(\.parameter.shape), expectedShapes)
        XCTAssertEqual(field.parameterCount, expectedCount)
        XCTAssertEqual(field.description, "ConcatSquashMLP(dimensions: [2, 64, 64, 64, 2])")
    }

    func testConcatSquashMLPFirstAndSecondDerivativesMatchFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 23)
        let field = ConcatSquashMLP<Double>(dimensions: [2, 5, 4, 2], using: &generator)
        let z = Tensor<Double>.randomNormal([3, 2], using: &generator)
        try check("ConcatSquashMLP d1", field.parameters, inputs: [Tensor(-0.3), z]) { field($0[0], $0[1]) }
        try check("ConcatSquashMLP d2", field.parameters, inputs: [Tensor(-0.3), z], secondOrder: true) {
            field($0[0], $0[1])
        }
    }

    // MARK: HyperNetworkDynamics

    func testHyperNetworkDynamicsForwardMatchesLoops() {
        var generator = SeededGenerator(seed: 31)
        let field = HyperNetworkDynamics<Double>(stateDimensions: 3, hiddenDimensions: 5, width: 4, using: &generator)
        let z = Tensor<Double>.randomNormal([6, 3], using: &generator)
        for t in [0.0, 0.45, 2.0] {
            let y = field(Tensor(t), z)
            XCTAssertEqual(y.shape, [6, 3])
            let error = maxDifference(y.scalars, hyperField(field, t: t, z.scalars, rows: 6))
            print("CNFLayerTests HyperNetworkDynamics forward, t = \(t): max abs error \(error)")
            XCTAssertLessThan(error, 1e-12)
        }
    }

    func testHyperNetworkDynamicsOfTorchdiffeqExampleHas15904NamedParameters() {
        var generator = SeededGenerator(seed: 32)
        let (d, h, w) = (2, 32, 64)
        let field = HyperNetworkDynamics<Float>(stateDimensions: d, hiddenDimensions: h, width: w, using: &generator)
        let formula = (1 * h + h) + (h * h + h) + (h * (3 * w * d + w) + (3 * w * d + w))
        XCTAssertEqual(formula, 15_904)
        XCTAssertEqual(field.parameterCount, 15_904)
        XCTAssertEqual(field.namedParameters.map(\.name), [
            "hyper_net.fc1.weight", "hyper_net.fc1.bias", "hyper_net.fc2.weight", "hyper_net.fc2.bias",
            "hyper_net.fc3.weight", "hyper_net.fc3.bias",
        ])
        XCTAssertEqual(field.namedParameters.map(\.parameter.shape), [[h, 1], [h], [h, h], [h], [3 * w * d + w, h], [3 * w * d + w]])
        XCTAssertEqual(field(Tensor(0.5), Tensor<Float>.randomNormal([9, 2], using: &generator)).shape, [9, 2])
        XCTAssertEqual(field.description, "HyperNetworkDynamics(D: 2, H: 32, W: 64)")
    }

    func testHyperNetworkDynamicsFirstDerivativesMatchFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 33)
        let field = HyperNetworkDynamics<Double>(stateDimensions: 2, hiddenDimensions: 4, width: 3, using: &generator)
        let z = Tensor<Double>.randomNormal([4, 2], using: &generator)
        try check("HyperNetworkDynamics d1", field.parameters, inputs: [Tensor(0.7), z]) { field($0[0], $0[1]) }
    }

    func testHyperNetworkDynamicsSecondDerivativesMatchFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 34)
        let field = HyperNetworkDynamics<Double>(stateDimensions: 2, hiddenDimensions: 4, width: 3, using: &generator)
        let z = Tensor<Double>.randomNormal([4, 2], using: &generator)
        try check("HyperNetworkDynamics d2", field.parameters, inputs: [Tensor(0.7), z], secondOrder: true) {
            field($0[0], $0[1])
        }
    }

    /// The CNF's use: the exact divergence of the field against its closed form
    /// (1/W) Σ_w (1 − h_w²) Σ_d Wt_wd S_wd, and the gradient of the divergence (which differentiates the
    /// field twice) against finite differences.
    func testHyperNetworkDynamicsDivergenceAndItsGradient() throws {
        var generator = SeededGenerator(seed: 35)
        let field = HyperNetworkDynamics<Double>(stateDimensions: 2, hiddenDimensions: 4, width: 3, using: &generator)
        let z = Tensor<Double>.randomNormal([4, 2], using: &generator)
        let t = 0.25
        let (_, divergence) = try valueWithDivergence(at: z) { field(Tensor(t), $0) }
        let (weight, bias, scale) = withoutRecording(Double.self) { field.hyperNetwork(Tensor(t)) }
        let (wt, b, s, zs) = (weight.scalars, bias.scalars, scale.scalars, z.scalars)
        var expected = [Double](repeating: 0, count: 4)
        for r in 0..<4 {
            for w in 0..<3 {
                var pre = b[w], trace = 0.0
                for k in 0..<2 {
                    pre += zs[r * 2 + k] * wt[w * 2 + k]
                    trace += wt[w * 2 + k] * s[w * 2 + k]
                }
                let h = Foundation.tanh(pre)
                expected[r] += (1 - h * h) * trace / 3
            }
        }
        let error = maxDifference(divergence.scalars, expected)
        print("CNFLayerTests HyperNetworkDynamics divergence: max abs error \(error)")
        XCTAssertLessThan(error, 1e-12)
        try check("HyperNetworkDynamics divergence d1", field.parameters, inputs: [Tensor(t), z]) { xs in
            try valueWithDivergence(at: xs[1]) { field(xs[0], $0) }.divergence
        }
    }

    /// `ClosedFormDivergence`: the layer's own divergence against the generic exact one (D pullbacks), its value
    /// against the field's, and its first and second derivatives against finite differences.
    func testHyperNetworkDynamicsClosedFormDivergence() throws {
        var generator = SeededGenerator(seed: 36)
        let field = HyperNetworkDynamics<Double>(stateDimensions: 3, hiddenDimensions: 4, width: 5, using: &generator)
        let z = Tensor<Double>.randomNormal([4, 3], using: &generator)
        let t = Tensor<Double>(-0.4)
        let (value, divergence) = field.valueWithDivergence(t, z)
        let generic = try valueWithDivergence(at: z) { field(t, $0) }
        XCTAssertEqual(value.scalars, generic.value.scalars)
        XCTAssertLessThan(maxDifference(divergence.scalars, generic.divergence.scalars), 1e-13)
        try check("HyperNetworkDynamics closed-form divergence", field.parameters, inputs: [t, z], secondOrder: true) { xs in
            field.valueWithDivergence(xs[0], xs[1]).divergence
        }
    }

    /// A flow with `TraceEstimator.closedForm` gives the exact trace's log-likelihood and gradients.
    func testClosedFormTraceFlowMatchesTheExactTrace() throws {
        var generator = SeededGenerator(seed: 37)
        let field = HyperNetworkDynamics<Double>(stateDimensions: 2, hiddenDimensions: 4, width: 6, using: &generator)
        let x = Tensor<Double>.randomNormal([5, 2], using: &generator)
        var results: [(Tensor<Double>, [Tensor<Double>])] = []
        for trace in [TraceEstimator.exact, .closedForm] {
            let block = CNFBlock(field, dimensions: 2, dataTime: 1, baseTime: 0, trace: trace,
                                 stepping: .adaptive(.dormandPrince54, controller: StepSizeController(relativeTolerance: 1e-10, absoluteTolerance: 1e-10)),
                                 gradientMode: .adjoint())
            let flow = ContinuousNormalizingFlow(block)
            let (value, gradients) = try valueWithGradient(at: flow) { try flow.logLikelihood(x).mean() }
            results.append((value, gradients))
        }
        XCTAssertEqual(results[0].0.scalar, results[1].0.scalar, accuracy: 1e-9)
        for (a, b) in zip(results[0].1, results[1].1) { XCTAssertLessThan(maxDifference(a.scalars, b.scalars), 1e-7) }
    }
}
