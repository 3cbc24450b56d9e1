import XCTest
@testable import Autodiff

/// Group normalisation written directly from its definition, in Double.
private func directGroupNorm(_ x: [Double], shape: [Int], groups: Int, weight: [Double]?, bias: [Double]?,
                             epsilon: Double) -> [Double] {
    let (n, c) = (shape[0], shape[1])
    let spatial = shape.dropFirst(2).reduce(1, *), perGroup = c / groups
    var out = x
    for image in 0..<n {
        for g in 0..<groups {
            var members: [Int] = []
            for channel in (g * perGroup)..<((g + 1) * perGroup) {
                for s in 0..<spatial { members.append((image * c + channel) * spatial + s) }
            }
            let mean = members.map { x[$0] }.reduce(0, +) / Double(members.count)
            let variance = members.map { (x[$0] - mean) * (x[$0] - mean) }.reduce(0, +) / Double(members.count)
            for index in members {
                let channel = (index / spatial) % c
                out[index] = (x[index] - mean) / (variance + epsilon).squareRoot() * (weight?[channel] ?? 1)
                    + (bias?[channel] ?? 0)
            }
        }
    }
    return out
}

final class GroupNormalizationTests: XCTestCase {
    /// (shape, groups) pairs: groups == C, groups == 1, in between, rank 2, 3 and 4.
    let configurations: [([Int], Int)] = [([2, 6, 3, 3], 3), ([3, 4, 5, 2], 4), ([2, 4, 3, 3], 1),
                                          ([4, 6], 2), ([2, 8, 5], 4), ([1, 64, 6, 6], 32)]

    func checkForwardMatchesDefinition<S: TensorScalar>(_: S.Type, tolerance: Double) {
        var generator = SeededGenerator(seed: 3)
        for (shape, groups) in configurations {
            for affine in [false, true] {
                let x = Tensor<S>.randomNormal(shape, mean: 0.5, standardDeviation: 2, using: &generator)
                let w = affine ? Tensor<S>.randomNormal([shape[1]], using: &generator) : nil
                let b = affine ? Tensor<S>.randomNormal([shape[1]], using: &generator) : nil
                let y = groupNorm(x, groups: groups, weight: w, bias: b)
                let expected = directGroupNorm(x.scalars.map(Double.init), shape: shape, groups: groups,
                                               weight: w?.scalars.map(Double.init), bias: b?.scalars.map(Double.init),
                                               epsilon: 1e-5)
                XCTAssertEqual(y.shape, shape)
                let worst = zip(y.scalars, expected).map { abs(Double($0) - $1) }.max() ?? 0
                XCTAssertLessThanOrEqual(worst, tolerance, "shape \(shape), groups \(groups), affine \(affine)")
            }
        }
    }

    func testGroupNormForwardMatchesDefinitionFloat() { checkForwardMatchesDefinition(Float.self, tolerance: 2e-5) }
    func testGroupNormForwardMatchesDefinitionDouble() { checkForwardMatchesDefinition(Double.self, tolerance: 1e-12) }

    func testFloatGroupNormStaysAccurateForLargeMeanAndLongGroups() {
        // Mean 1000, deviation 1, 20 000 elements per group: a one-pass Float E[x²] − E[x]² would lose all digits.
        var generator = SeededGenerator(seed: 4)
        let shape = [2, 4, 100, 100]
        let x = Tensor<Float>.randomNormal(shape, mean: 1000, standardDeviation: 1, using: &generator)
        let y = groupNorm(x, groups: 2)
        let expected = directGroupNorm(x.scalars.map(Double.init), shape: shape, groups: 2, weight: nil, bias: nil,
                                       epsilon: 1e-5)
        let worst = zip(y.scalars, expected).map { abs(Double($0) - $1) }.max() ?? 0
        // x itself is only stored to 6e-5 absolute; the normalised value inherits that, not more.
        XCTAssertLessThanOrEqual(worst, 2e-4)
    }

    func testGroupNormGradientsMatchFiniteDifferences() throws {
        var generator = SeededGenerator(seed: 5)
        for (shape, groups) in configurations {
            for (hasWeight, hasBias) in [(false, false), (true, true), (true, false), (false, true)] {
                var inputs = [Tensor<Double>.randomNormal(shape, mean: 0.3, standardDeviation: 1.5, using: &generator)]
                if hasWeight { inputs.append(Tensor<Double>.randomNormal([shape[1]], using: &generator)) }
                if hasBias { inputs.append(Tensor<Double>.randomNormal([shape[1]], using: &generator)) }
                // Step 1e-5: on the largest shape (2304 outputs) vᵀf is ≈ 50 and the directional derivatives
                // ≈ 0.02; the default 1e-6 leaves a rounding error of ~1e-8 / 0.02 relative.
                let report = try checkGradients(at: inputs, stepSize: 1e-5, randomDirections: 8) { xs in
                    groupNorm(xs[0], groups: groups, weight: hasWeight ? xs[1] : nil,
                              bias: hasBias ? xs[hasWeight ? 2 : 1] : nil)
                }
                XCTAssertLessThanOrEqual(report.maxRelativeError, 1e-6,
                                         "shape \(shape), groups \(groups), weight \(hasWeight), bias \(hasBias): \(report)")
            }
        }
    }

    func testOnlyParameterGradientsWhenInputIsConstant() throws {
        var generator = SeededGenerator(seed: 6)
        let x = Tensor<Double>.randomNormal([3, 4, 2, 2], using: &generator)
        let inputs = [Tensor<Double>.randomNormal([4], using: &generator), Tensor<Double>.randomNormal([4], using: &generator)]
        let report = try checkGradients(at: inputs) { ps in groupNorm(x, groups: 2, weight: ps[0], bias: ps[1]) }
        XCTAssertLessThanOrEqual(report.maxRelativeError, 1e-6, "\(report)")
    }

    func testNormalisedGroupsHaveZeroMeanAndUnitVariance() {
        var generator = SeededGenerator(seed: 7)
        let y = groupNorm(Tensor<Double>.randomNormal([2, 4, 3, 3], mean: 5, standardDeviation: 3, using: &generator),
                          groups: 2, epsilon: 0)
        let values = y.scalars
        for block in 0..<4 {
            let group = values[(block * 18)..<((block + 1) * 18)]
            let mean = group.reduce(0, +) / 18
            let variance = group.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 18
            XCTAssertEqual(mean, 0, accuracy: 1e-12)
            XCTAssertEqual(variance, 1, accuracy: 1e-12)
        }
    }

    /// A batch large enough to be cut into image chunks on two threads (20 × 8 × 15 × 15 = 36,000 scalars)
    /// gives the values and gradients of the same normalisation applied to each image alone (one chunk).
    private func checkChunkedBatchMatchesPerImage<S: TensorScalar>(_: S.Type, tolerance: Double) throws {
        var generator = SeededGenerator(seed: 31)
        let x = Tensor<S>.randomNormal([20, 8, 15, 15], mean: 1, standardDeviation: 2, using: &generator)
        let w = Tensor<S>.randomNormal([8], using: &generator), b = Tensor<S>.randomNormal([8], using: &generator)
        let v = Tensor<S>.randomNormal(x.shape, using: &generator)
        XCTAssertGreaterThan(Kernels.groupNormChunking(batch: 20, imageSize: 8 * 225).count, 1)
        let (y, pullback) = try valueWithPullback(at: [x, w, b]) { xs in groupNorm(xs[0], groups: 4, weight: xs[1], bias: xs[2]) }
        let grads = try pullback(v)
        var expectedY: [Double] = [], expectedDx: [Double] = []
        var expectedDw = [Double](repeating: 0, count: 8), expectedDb = [Double](repeating: 0, count: 8)
        for n in 0..<20 {
            let image = x.sliced(n..<(n + 1)), cotangent = v.sliced(n..<(n + 1))
            let (yn, pn) = try valueWithPullback(at: [image, w, b]) { xs in groupNorm(xs[0], groups: 4, weight: xs[1], bias: xs[2]) }
            let gn = try pn(cotangent)
            expectedY += yn.scalars.map { Double($0) }
            expectedDx += gn[0].scalars.map { Double($0) }
            for c in 0..<8 {
                expectedDw[c] += Double(gn[1].scalars[c])
                expectedDb[c] += Double(gn[2].scalars[c])
            }
        }
        func worst(_ actual: [S], _ expected: [Double]) -> Double {
            let scale = max(1, expected.map(abs).max() ?? 1)
            return zip(actual, expected).map { abs(Double($0) - $1) / scale }.max() ?? 0
        }
        XCTAssertLessThanOrEqual(worst(y.scalars, expectedY), tolerance)
        XCTAssertLessThanOrEqual(worst(grads[0].scalars, expectedDx), tolerance)
        XCTAssertLessThanOrEqual(worst(grads[1].scalars, expectedDw), tolerance)
        XCTAssertLessThanOrEqual(worst(grads[2].scalars, expectedDb), tolerance)
    }

    func testChunkedBatchMatchesPerImageFloat() throws { try checkChunkedBatchMatchesPerImage(Float.self, tolerance: 1e-5) }
    func testChunkedBatchMatchesPerImageDouble() throws { try checkChunkedBatchMatchesPerImage(Double.self, tolerance: 1e-12) }
}
