import XCTest
import Autodiff
@testable import ODENet

/// Finite-difference checks of the layers with respect to their inputs and parameters, in Double.
final class LayerGradientTests: XCTestCase {
    func testConv2dGradientsMatchFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 5)
        let conv = Conv2d<Double>(2, 3, kernelSize: 3, stride: 2, padding: 1, using: &generator)
        let x = Tensor<Double>.randomNormal([2, 2, 5, 5], using: &generator)
        try assertLayerGradients(conv.parameters(), inputs: [x]) { conv($0[0]) }
    }

    func testGroupNormGradientsMatchFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 6)
        let norm = GroupNorm<Double>(2, 4)
        norm.weight!.value = Tensor.randomNormal([4], using: &generator)
        norm.bias!.value = Tensor.randomNormal([4], using: &generator)
        let x = Tensor<Double>.randomNormal([2, 4, 3, 3], using: &generator)
        try assertLayerGradients(norm.parameters(), inputs: [x]) { norm($0[0]) }
    }

    func testConcatConv2dGradientsIncludingTimeMatchFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 7)
        let layer = ConcatConv2d<Double>(2, 2, padding: 1, using: &generator)
        let x = Tensor<Double>.randomNormal([1, 2, 4, 4], using: &generator)
        try assertLayerGradients(layer.parameters(), inputs: [Tensor(0.3), x]) { layer($0[0], $0[1]) }
    }

    func testSequentialOfConvActivationsGradientsMatchFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 8)
        let model = Sequential<Double>(Conv2d(1, 2, kernelSize: 3, padding: 1, using: &generator), Softplus(),
                                       GroupNorm(1, 2), Tanh(), Flatten())
        let x = Tensor<Double>.randomNormal([2, 1, 3, 3], using: &generator)
        try assertLayerGradients(model.parameters(), inputs: [x]) { try model($0[0]) }
    }
}

/// Runs `checkGradients` on `inputs + parameters`, installing each probe of a parameter into it.
func assertLayerGradients(_ parameters: [Parameter<Double>], inputs: [Tensor<Double>], tolerance: Double = 1e-6,
                          file: StaticString = #filePath, line: UInt = #line,
                          _ apply: ([Tensor<Double>]) throws -> Tensor<Double>) throws {
    let saved = parameters.map(\.value)
    defer { for (p, v) in zip(parameters, saved) { p.value = v } }
    let report = try checkGradients(at: inputs + saved) { xs in
        for (p, v) in zip(parameters, xs[inputs.count...]) { p.value = v }
        return try apply(Array(xs[..<inputs.count]))
    }
    XCTAssertLessThan(report.maxRelativeError, tolerance, "\(report)", file: file, line: line)
}
