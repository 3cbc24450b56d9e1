import XCTest
import Autodiff
@testable import ODENet

/// torchdiffeq's `ODEFunc` for the spirals example: `net` is an `nn.Sequential` of linear layers.
private final class MLPDynamics: Dynamics {
    let net: Sequential<Double>
    let timeLayer: TimeConcatenatedLinear<Double>

    init(using generator: inout SeededGenerator) {
        net = Sequential(Linear(2, 50, using: &generator), Tanh(), Linear(50, 2, bias: false, using: &generator))
        timeLayer = TimeConcatenatedLinear(2, 2, using: &generator)
    }

    func callAsFunction(_ time: Tensor<Double>, _ state: Tensor<Double>) throws -> Tensor<Double> {
        try net(state) + timeLayer(time, state)
    }
}

final class LinearLayerTests: XCTestCase {
    func testNamesAndCountsFollowPyTorch() {
        var generator = SeededGenerator(seed: 0)
        let model = MLPDynamics(using: &generator)
        XCTAssertEqual(model.namedParameters(of: Double.self).map(\.name),
                       ["net.0.weight", "net.0.bias", "net.2.weight", "timeLayer._layer.weight", "timeLayer._layer.bias"])
        XCTAssertEqual(model.namedParameters(of: Double.self).map(\.parameter.shape),
                       [[50, 2], [50], [2, 50], [2, 3], [2]])
        XCTAssertEqual(model.parameterCount(of: Double.self), (2 * 50 + 50) + 50 * 2 + (3 * 2 + 2))
    }

    func testWeightsAndBiasAreUniformOnInverseRootFanIn() {
        var generator = SeededGenerator(seed: 1)
        let layer = Linear<Double>(40, 64, using: &generator)
        let bound = 1 / 40.0.squareRoot()
        let w = layer.weight.value.scalars, b = layer.bias!.value.scalars
        XCTAssertTrue(w.allSatisfy { abs($0) <= bound } && b.allSatisfy { abs($0) <= bound })
        let n = Double(w.count), variance = w.reduce(0) { $0 + $1 * $1 } / n
        XCTAssertEqual(variance, bound * bound / 3, accuracy: 5 * (4.0 / 45 / n).squareRoot() * bound * bound)
    }

    func testForwardIsAffineMapWithActivation() {
        let layer = Linear<Double>(weight: Tensor([[1, 2], [3, -4]]), bias: Tensor([0.5, -0.5]), activation: .relu)
        let y = layer(Tensor([[1, 1], [2, 0]]))
        XCTAssertEqual(y.scalars, [3.5, 0, 2.5, 5.5])
        XCTAssertEqual(layer.description, "Linear(in: 2, out: 2, bias: true, activation: relu)")
        var generator = SeededGenerator(seed: 0)
        XCTAssertEqual(Linear<Float>(2, 50, using: &generator).description, "Linear(in: 2, out: 50, bias: true)")
    }

    func testTimeColumnIsAppendedAfterTheState() {
        // weight [1, 3]: picks z0 + 10·z1 + 100·t.
        let layer = TimeConcatenatedLinear(Linear<Double>(weight: Tensor([[1, 10, 100]]), bias: nil))
        XCTAssertEqual(layer(Tensor(0.5), Tensor([[1, 2], [3, 4]])).scalars, [71, 93])
        XCTAssertEqual(layer.description, "TimeConcatenatedLinear(in: 2, out: 1, bias: false)")
    }

    func testLinearGradientsMatchFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 2)
        for activation in [Activation.identity, .tanh, .sigmoid] {
            let layer = Linear<Double>(3, 4, activation: activation, using: &generator)
            let x = Tensor<Double>.randomNormal([5, 3], using: &generator)
            try assertLayerGradients(layer.parameters(), inputs: [x]) { layer($0[0]) }
        }
    }

    func testTimeConcatenatedLinearGradientsIncludingTimeMatchFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 3)
        let layer = TimeConcatenatedLinear<Double>(3, 2, activation: .tanh, using: &generator)
        let x = Tensor<Double>.randomNormal([4, 3], using: &generator)
        try assertLayerGradients(layer.parameters(), inputs: [Tensor(-0.4), x]) { layer($0[0], $0[1]) }
    }

    func testAdamFitsLinearLayerThroughModelGradients() throws {
        var generator = SeededGenerator(seed: 4)
        let layer = Linear<Double>(2, 1, using: &generator)
        let x = Tensor<Double>.randomNormal([32, 2], using: &generator)
        let y = linear(x, weight: Tensor([[2, -3]]), bias: Tensor([0.5]))
        let optimizer = Adam<Double>(learningRate: 0.05)
        for _ in 0..<600 {
            let (_, gradients) = try valueWithGradient(at: layer) { mseLoss(predictions: layer(x), targets: y) }
            optimizer.update(layer, along: gradients)
        }
        XCTAssertTrue(layer.weight.value.isApproximatelyEqual(to: Tensor([[2, -3]]), absoluteTolerance: 1e-3), "\(layer.weight.value)")
        XCTAssertEqual(layer.bias!.value.scalar, 0.5, accuracy: 1e-3)
    }
}
