import XCTest
import Autodiff
@testable import ODENet

/// A model shaped like torchdiffeq's ODE-net feature extractor: `net` is an `nn.Sequential`.
private final class ConvModel: Module {
    let net: Sequential<Double>
    let dynamics: ConcatConv2d<Double>
    let head: Conv2d<Double>

    init(using generator: inout SeededGenerator) {
        net = Sequential(Conv2d(1, 4, kernelSize: 3, using: &generator), ReLU(), GroupNorm(2, 4),
                         Conv2d(4, 4, kernelSize: 3, bias: false, using: &generator))
        dynamics = ConcatConv2d(4, 4, padding: 1, using: &generator)
        head = Conv2d(4, 2, kernelSize: 1, using: &generator)
    }
}

final class ModuleNamingTests: XCTestCase {
    func testNestedSequentialNamesChildrenByIndexAndConcatConvUsesUnderscoreLayer() {
        var generator = SeededGenerator(seed: 0)
        let model = ConvModel(using: &generator)
        let named = model.namedParameters(of: Double.self)
        XCTAssertEqual(named.map(\.name), [
            "net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias", "net.3.weight",
            "dynamics._layer.weight", "dynamics._layer.bias", "head.weight", "head.bias",
        ])
        XCTAssertEqual(named.map(\.parameter.shape), [
            [4, 1, 3, 3], [4], [4], [4], [4, 4, 3, 3], [4, 5, 3, 3], [4], [2, 4, 1, 1], [2],
        ])
        let expectedCount = (4 * 1 * 9 + 4) + (4 + 4) + 4 * 4 * 9 + (4 * 5 * 9 + 4) + (2 * 4 + 2)
        XCTAssertEqual(model.parameterCount(of: Double.self), expectedCount)
    }

    func testTopLevelSequentialNamesStartAtIndex() {
        var generator = SeededGenerator(seed: 0)
        let sequential = Sequential<Float>(Conv2d(3, 8, kernelSize: 3, using: &generator), Tanh(), Flatten())
        XCTAssertEqual(sequential.namedParameters(of: Float.self).map(\.name), ["0.weight", "0.bias"])
        XCTAssertTrue(sequential.namedParameters(of: Double.self).isEmpty)
    }

    func testGroupNormWithoutAffineHasNoParameters() {
        XCTAssertTrue(GroupNorm<Float>(2, 4, affine: false).namedParameters(of: Float.self).isEmpty)
        let affine = GroupNorm<Float>(2, 4)
        XCTAssertEqual(affine.namedParameters(of: Float.self).map(\.name), ["weight", "bias"])
        XCTAssertEqual(affine.weight!.value.scalars, [1, 1, 1, 1])
        XCTAssertEqual(affine.bias!.value.scalars, [0, 0, 0, 0])
    }

    func testDynamicsAdaptorsExposeParameterNames() {
        var generator = SeededGenerator(seed: 0)
        let inner = Sequential<Double>(Conv2d(2, 2, kernelSize: 1, using: &generator), Tanh())
        XCTAssertEqual(TimeIndependent(inner).namedParameters(of: Double.self).map(\.name), ["0.weight", "0.bias"])
        let scale = Parameter(Tensor<Double>(2.0))
        let function = DynamicsFunction<Double>(members: ["net": inner, "scale": scale]) { _, z in try inner(z) * scale.value }
        XCTAssertEqual(function.namedParameters(of: Double.self).map(\.name), ["net.0.weight", "net.0.bias", "scale"])
    }

    func testDescriptionsNameShapesLikePyTorch() {
        var generator = SeededGenerator(seed: 0)
        let conv = Conv2d<Float>(1, 64, kernelSize: 3, stride: 2, padding: 1, using: &generator)
        XCTAssertEqual(conv.description, "Conv2d(in: 1, out: 64, kernel: 3, stride: 2, padding: 1, bias: true)")
        XCTAssertEqual(GroupNorm<Float>(32, 64).description, "GroupNorm(groups: 32, channels: 64, epsilon: 1e-05, affine: true)")
        let inner = Sequential<Float>(ReLU(), Lambda("Halve") { $0 * 0.5 })
        let outer = Sequential<Float>(Tanh(), inner, ELU(), Softplus(), Sigmoid())
        XCTAssertEqual(outer.description, """
            Sequential(
              (0): Tanh()
              (1): Sequential(
                (0): ReLU()
                (1): Halve()
              )
              (2): ELU(alpha: 1.0)
              (3): Softplus(beta: 1.0)
              (4): Sigmoid()
            )
            """)
        XCTAssertEqual(ConcatConv2d<Float>(64, 64, padding: 1, using: &generator).description,
                       "ConcatConv2d(in: 64, out: 64, kernel: 3, stride: 1, padding: 1, bias: true)")
    }
}
