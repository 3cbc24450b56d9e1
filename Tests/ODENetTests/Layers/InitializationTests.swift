import XCTest
import Autodiff
@testable import ODENet

final class InitializationTests: XCTestCase {
    /// Checks that all values lie in ±bound, have mean ≈ 0 and variance ≈ bound²/3, with tolerances of
    /// five standard errors for the sample size (Var(s²) ≈ (μ₄ − σ⁴)/n = (4/45)·bound⁴/n for a uniform).
    func assertUniform(_ values: [Double], bound: Double, file: StaticString = #filePath, line: UInt = #line) {
        let n = Double(values.count)
        XCTAssertTrue(values.allSatisfy { abs($0) <= bound }, "values outside ±\(bound)", file: file, line: line)
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        XCTAssertEqual(mean, 0, accuracy: 5 * bound / (3 * n).squareRoot(), file: file, line: line)
        XCTAssertEqual(variance, bound * bound / 3, accuracy: 5 * (4.0 / 45 / n).squareRoot() * bound * bound,
                       file: file, line: line)
    }

    func testFanInCountsInputsPerOutput() {
        XCTAssertEqual(Initialization.fanIn(ofWeightShape: [50, 2]), 2)
        XCTAssertEqual(Initialization.fanIn(ofWeightShape: [16, 8, 3, 3]), 72)
        XCTAssertEqual(Initialization.fanOut(ofWeightShape: [16, 8, 3, 3]), 144)
    }

    func testConv2dWeightsAndBiasAreUniformOnInverseRootFanIn() {
        var generator = SeededGenerator(seed: 1)
        let conv = Conv2d<Double>(8, 16, kernelSize: 3, using: &generator)
        let bound = 1 / (8.0 * 3 * 3).squareRoot()
        assertUniform(conv.weight.value.scalars, bound: bound)
        XCTAssertTrue(conv.bias!.value.scalars.allSatisfy { abs($0) <= bound })
    }

    func testKaimingUniformWithDefaultSlopeHasBoundInverseRootFanIn() {
        var generator = SeededGenerator(seed: 2)
        let w: Tensor<Double> = Initialization.kaimingUniform([64, 40], using: &generator)
        assertUniform(w.scalars, bound: 1 / 40.0.squareRoot())
        let relu: Tensor<Double> = Initialization.kaimingUniform([64, 40], negativeSlope: 0, using: &generator)
        assertUniform(relu.scalars, bound: (6 / 40.0).squareRoot())
    }

    func testNormalHasRequestedDeviation() {
        var generator = SeededGenerator(seed: 3)
        let n = 4000.0, sigma = 0.2
        let x: [Double] = Initialization.normal([4000], standardDeviation: sigma, using: &generator).scalars
        let variance = x.reduce(0) { $0 + $1 * $1 } / n
        // Var(s²) = 2σ⁴/n for a normal.
        XCTAssertEqual(variance, sigma * sigma, accuracy: 5 * (2 / n).squareRoot() * sigma * sigma)
    }

    func testSameSeedGivesSameLayer() {
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        XCTAssertEqual(Conv2d<Float>(2, 3, kernelSize: 3, using: &a).weight.value.scalars,
                       Conv2d<Float>(2, 3, kernelSize: 3, using: &b).weight.value.scalars)
    }
}
