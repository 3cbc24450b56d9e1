import XCTest
@testable import Autodiff

/// Second derivatives of the layer ops (matmul, linear, conv2d and its companion ops, pooling, groupNorm):
/// `checkSecondDerivatives` differentiates each op's recorded pullback on the tape and compares it with
/// central differences of the fast, unrecorded first-order pullback.
///
/// Every op here is linear or bilinear in its inputs, so its second derivative along one input alone is
/// zero, and a check of the bare op along that input would pass even with a pullback that does not record.
/// Each op is therefore also checked squared (`y * y`, recorded by `*`, whose pullback records): its
/// cotangent 2y ⊙ v then depends on the inputs, and the derivative of the pullback in its cotangent is
/// exercised too.
final class SecondOrderLayerTests: XCTestCase {
    /// The bound on the relative error of every check (in Double).
    let tolerance = 1e-6

    /// Checks the second derivatives of `f` and of `f²` at `inputs`, probing every element; returns the
    /// worst relative error of the two. `stepSize` is the finite differences' step.
    @discardableResult
    func checkTwice(_ label: String, at inputs: [Tensor<Double>], stepSize: Double = 1e-5, squaredOnly: Bool = false,
                    file: StaticString = #filePath, line: UInt = #line,
                    _ f: @escaping ([Tensor<Double>]) throws -> Tensor<Double>) throws -> Double {
        var worst = 0.0
        var variants: [(String, ([Tensor<Double>]) throws -> Tensor<Double>)] = [("y²", { xs in
            let y = try f(xs)
            return y * y
        })]
        if !squaredOnly { variants.insert(("y", f), at: 0) }
        for (name, g) in variants {
            let report = try checkSecondDerivatives(at: inputs, stepSize: stepSize, elementwiseLimit: 400, of: g)
            XCTAssertLessThan(report.maxRelativeError, tolerance, "\(label), \(name): \(report)", file: file, line: line)
            worst = max(worst, report.maxRelativeError)
        }
        return worst
    }

    func random(_ shape: [Int], _ generator: inout SeededGenerator) -> Tensor<Double> {
        Tensor<Double>.randomNormal(shape, using: &generator)
    }

    // MARK: - matmul

    func testMatmulOfMatricesIsDifferentiableTwice() throws {
        var generator = SeededGenerator(seed: 11)
        let a = random([3, 4], &generator), b = random([4, 2], &generator)
        let worst = try checkTwice("matmul [3,4]·[4,2]", at: [a, b]) { $0[0].matmul($0[1]) }
        print("second order: matmul rank 2, worst relative error \(worst)")
    }

    func testBatchedAndVectorMatmulIsDifferentiableTwice() throws {
        var generator = SeededGenerator(seed: 12)
        let shapes: [([Int], [Int])] = [
            ([2, 3, 4], [2, 4, 5]),      // batched
            ([2, 3, 4], [4, 5]),         // rhs broadcast over the batch
            ([3, 4], [2, 4, 5]),         // lhs broadcast over the batch
            ([2, 1, 3, 4], [3, 4, 2]),   // both broadcast: batch [2, 3]
            ([4], [2, 4, 3]),            // row vector
            ([2, 3, 4], [4]),            // column vector
            ([4], [4]),                  // dot product
        ]
        var worst = 0.0
        for (lhs, rhs) in shapes {
            let a = random(lhs, &generator), b = random(rhs, &generator)
            worst = max(worst, try checkTwice("matmul \(lhs)·\(rhs)", at: [a, b]) { $0[0].matmul($0[1]) })
        }
        print("second order: batched matmul, worst relative error \(worst)")
    }

    // MARK: - linear

    func testLinearIsDifferentiableTwiceForEveryActivation() throws {
        var generator = SeededGenerator(seed: 13)
        var worst = 0.0
        for activation in Activation.allCases {
            for xShape in [[3, 4], [2, 3, 4], [4]] {
                for hasBias in [true, false] {
                    // A point away from relu's kink: every pre-activation at least 0.05 from 0 (drawn again
                    // until it is; the finite differences move them by about 1e-5). Entries of standard
                    // deviation 0.6 keep tanh and sigmoid out of saturation, where their derivatives are
                    // tiny next to the others and their relative errors mere rounding.
                    func random(_ shape: [Int], _ generator: inout SeededGenerator) -> Tensor<Double> {
                        Tensor<Double>.randomNormal(shape, standardDeviation: 0.6, using: &generator)
                    }
                    var x = random(xShape, &generator), w = random([5, 4], &generator), b = random([5], &generator)
                    func nearKink() -> Bool {
                        let z = x.matmul(w.transposed()) + (hasBias ? b : Tensor(0.0))
                        return z.scalars.contains { abs($0) <= 0.05 }
                    }
                    var draws = 1
                    while nearKink() && draws < 100 {
                        x = random(xShape, &generator); w = random([5, 4], &generator); b = random([5], &generator)
                        draws += 1
                    }
                    XCTAssertFalse(nearKink(), "\(activation) \(xShape): no point away from the kink in 100 draws")
                    let label = "linear \(activation), x \(xShape), bias \(hasBias)"
                    let inputs = hasBias ? [x, w, b] : [x, w]
                    worst = max(worst, try checkTwice(label, at: inputs) { xs in
                        linear(xs[0], weight: xs[1], bias: hasBias ? xs[2] : nil, activation: activation)
                    })
                }
            }
        }
        print("second order: linear (\(Activation.allCases)), worst relative error \(worst)")
    }

    func testLinearRecordedPullbackEqualsTheFusedOne() throws {
        // The recorded path (taken when the pullback runs inside a differentiated function) returns the
        // same cotangents as the fused kernel path.
        var generator = SeededGenerator(seed: 14)
        for activation in Activation.allCases {
            let x = random([2, 3, 4], &generator), w = random([5, 4], &generator), b = random([5], &generator)
            let v = random([2, 3, 5], &generator)
            let (_, fast) = try valueWithPullback(at: [x, w, b]) { linear($0[0], weight: $0[1], bias: $0[2], activation: activation) }
            let expected = try fast(v)
            var recorded: [Tensor<Double>] = []
            _ = try gradient(at: x) { x in
                let (_, pullback) = try valueWithPullback(at: [x, w, b]) {
                    linear($0[0], weight: $0[1], bias: $0[2], activation: activation)
                }
                recorded = try pullback(v)
                XCTAssertTrue(recorded[0].isRecorded)
                return recorded[0].sum()
            }
            for (r, e) in zip(recorded, expected) {
                XCTAssertTrue(r.isApproximatelyEqual(to: e, absoluteTolerance: 1e-12), "\(activation): \(r) vs \(e)")
            }
        }
    }

    // MARK: - conv2d and its companion ops

    func testConv2dIsDifferentiableTwice() throws {
        var generator = SeededGenerator(seed: 15)
        var worst = 0.0
        for stride in [1, 2] {
            for padding in [0, 1] {
                for hasBias in [false, true] {
                    // 6×5 images: with stride 2 the last row or column is not covered by every configuration.
                    let x = random([2, 2, 6, 5], &generator), w = random([3, 2, 3, 3], &generator)
                    let b = random([3], &generator)
                    let label = "conv2d stride \(stride), padding \(padding), bias \(hasBias)"
                    worst = max(worst, try checkTwice(label, at: hasBias ? [x, w, b] : [x, w]) { xs in
                        conv2d(xs[0], weight: xs[1], bias: hasBias ? xs[2] : nil, stride: stride, padding: padding)
                    })
                }
            }
        }
        // Separate vertical and horizontal strides and paddings.
        let x = random([1, 2, 7, 6], &generator), w = random([2, 2, 2, 3], &generator), b = random([2], &generator)
        worst = max(worst, try checkTwice("conv2d strides (2, 1), padding (0, 2)", at: [x, w, b]) { xs in
            conv2d(xs[0], weight: xs[1], bias: xs[2], strides: (2, 1), padding: (0, 2))
        })
        print("second order: conv2d, worst relative error \(worst)")
    }

    func testConvolutionCompanionOpsAreTheAdjointsOfConv2d() throws {
        // ⟨conv2d(x, W), g⟩ = ⟨x, backwardInput(g, W)⟩ = ⟨W, backwardWeight(x, g)⟩, and both equal the
        // convolution's fast gradients.
        var generator = SeededGenerator(seed: 16)
        for (stride, padding) in [((1, 1), (0, 0)), ((2, 2), (1, 1)), ((2, 1), (0, 2))] {
            let x = random([2, 3, 7, 6], &generator), w = random([4, 3, 3, 2], &generator)
            let y = conv2d(x, weight: w, strides: stride, padding: padding)
            let g = random(y.shape, &generator)
            let dx = conv2dBackwardInput(g, weight: w, inputShape: x.shape, stride: stride, padding: padding)
            let dw = conv2dBackwardWeight(x, cotangent: g, weightShape: w.shape, stride: stride, padding: padding)
            let (_, pullback) = try valueWithPullback(at: [x, w]) {
                conv2d($0[0], weight: $0[1], strides: stride, padding: padding)
            }
            let fast = try pullback(g)
            XCTAssertTrue(dx.isApproximatelyEqual(to: fast[0], absoluteTolerance: 1e-12))
            XCTAssertTrue(dw.isApproximatelyEqual(to: fast[1], absoluteTolerance: 1e-12))
            let yg = (y * g).sum().scalars[0], xdx = (x * dx).sum().scalars[0], wdw = (w * dw).sum().scalars[0]
            XCTAssertEqual(xdx, yg, accuracy: 1e-10 * max(1, abs(yg)))
            XCTAssertEqual(wdw, yg, accuracy: 1e-10 * max(1, abs(yg)))
        }
    }

    func testConvolutionCompanionOpsAreDifferentiableTwice() throws {
        // Their pullbacks are each other and conv2d: derivatives of every order of conv2d.
        var generator = SeededGenerator(seed: 17)
        var worst = 0.0
        for (stride, padding) in [((1, 1), (0, 0)), ((1, 1), (1, 1)), ((2, 2), (0, 0)), ((2, 2), (1, 1)), ((2, 1), (0, 2))] {
            let x = random([2, 2, 6, 5], &generator), w = random([3, 2, 3, 2], &generator)
            let outputShape = withoutRecording(Double.self) { conv2d(x, weight: w, strides: stride, padding: padding).shape }
            let g = random(outputShape, &generator)
            let label = "stride \(stride), padding \(padding)"
            let inputShape = x.shape, weightShape = w.shape
            worst = max(worst, try checkTwice("conv2dBackwardInput \(label)", at: [g, w]) { xs in
                conv2dBackwardInput(xs[0], weight: xs[1], inputShape: inputShape, stride: stride, padding: padding)
            })
            worst = max(worst, try checkTwice("conv2dBackwardWeight \(label)", at: [x, g]) { xs in
                conv2dBackwardWeight(xs[0], cotangent: xs[1], weightShape: weightShape, stride: stride, padding: padding)
            })
        }
        print("second order: conv2d companion ops, worst relative error \(worst)")
    }

    func testThirdDerivativeOfAConvolutionCube() throws {
        // f(x) = Σ conv(x, W)³: the third derivative along d is 6 Σ conv(d, W)³ (all pullbacks recorded,
        // twice nested: the companion ops' own pullbacks are differentiated).
        var generator = SeededGenerator(seed: 18)
        let x = random([1, 2, 5, 5], &generator), w = random([2, 2, 3, 3], &generator)
        let d = random(x.shape, &generator)
        func f(_ x: Tensor<Double>) -> Tensor<Double> {
            let y = conv2d(x, weight: w, stride: 2, padding: 1)
            return (y * y * y).sum()
        }
        // ⟨d, ∇⟨d, ∇⟨d, ∇f⟩⟩⟩
        let third = try gradient(at: x) { x in
            let second = try gradient(at: x) { x in (try gradient(at: x) { f($0) } * d).sum() }
            return (second * d).sum()
        }
        let cd = conv2d(d, weight: w, stride: 2, padding: 1)
        let expected = 6 * (cd * cd * cd).sum().scalars[0]
        let actual = (third * d).sum().scalars[0]
        XCTAssertEqual(actual, expected, accuracy: 1e-10 * abs(expected))
        XCTAssertGreaterThan(abs(expected), 1)
    }

    // MARK: - pooling

    func testAveragePoolingIsDifferentiableTwice() throws {
        var generator = SeededGenerator(seed: 19)
        var worst = 0.0
        // Non-overlapping, overlapping, and with gaps between the windows (uncovered pixels). For y = Px
        // linear, h(x) = ⟨u, Pᵀ(2Px ⊙ v)⟩ is linear in x: central differences are exact at any step, and a
        // long one (1e-3) makes their rounding error 100 times smaller than the default's.
        let step = 1e-3
        for (kernel, stride) in [(2, 2), (3, 1), (2, 3)] {
            let x = random([2, 2, 7, 6], &generator)
            worst = max(worst, try checkTwice("avgPool2d kernel \(kernel), stride \(stride)", at: [x], stepSize: step, squaredOnly: true) {
                avgPool2d($0[0], kernelSize: kernel, stride: stride)
            })
            let outputShape = avgPool2d(x, kernelSize: kernel, stride: stride).shape
            let g = random(outputShape, &generator)
            let inputShape = x.shape
            worst = max(worst, try checkTwice("avgPool2dTransposed kernel \(kernel), stride \(stride)", at: [g],
                                              stepSize: step, squaredOnly: true) {
                avgPool2dTransposed($0[0], inputShape: inputShape, kernelSize: kernel, stride: stride)
            })
        }
        for keepDims in [true, false] {
            let x = random([2, 3, 4, 5], &generator)
            worst = max(worst, try checkTwice("globalAveragePool2d keepDims \(keepDims)", at: [x], stepSize: step, squaredOnly: true) {
                globalAveragePool2d($0[0], keepDims: keepDims)
            })
        }
        print("second order: pooling, worst relative error \(worst)")
    }

    func testAveragePoolTransposedIsTheAdjointOfAveragePool() throws {
        var generator = SeededGenerator(seed: 20)
        for (kernel, stride) in [(2, 2), (3, 1), (2, 3)] {
            let x = random([2, 2, 7, 6], &generator)
            let y = avgPool2d(x, kernelSize: kernel, stride: stride)
            let g = random(y.shape, &generator)
            let transposed = avgPool2dTransposed(g, inputShape: x.shape, kernelSize: kernel, stride: stride)
            let fast = try valueWithPullback(at: [x]) { avgPool2d($0[0], kernelSize: kernel, stride: stride) }.pullback(g)[0]
            XCTAssertEqual(transposed.scalars, fast.scalars)
            XCTAssertEqual((y * g).sum().scalars[0], (x * transposed).sum().scalars[0], accuracy: 1e-12)
        }
    }

    // MARK: - groupNorm

    /// (shape, groups) pairs: instance norm, layer norm, in between; ranks 2, 3 and 4. Every group has at
    /// least 3 elements: with 2, the normalised values are ±√(σ²/(σ² + ε)) ≈ ±1, whose derivatives are
    /// of order ε and all but rounding noise.
    let groupNormConfigurations: [([Int], Int)] = [([2, 4, 3, 3], 2), ([2, 4, 3, 2], 4), ([2, 4, 3, 2], 1),
                                                    ([3, 6], 2), ([2, 6, 5], 3)]

    func testGroupNormCompositeEqualsGroupNormAndItsGradient() throws {
        var generator = SeededGenerator(seed: 21)
        for (shape, groups) in groupNormConfigurations {
            for (hasWeight, hasBias) in [(false, false), (true, false), (false, true), (true, true)] {
                let x = Tensor<Double>.randomNormal(shape, mean: 0.5, standardDeviation: 2, using: &generator)
                let w = random([shape[1]], &generator), b = random([shape[1]], &generator)
                let inputs = [x] + (hasWeight ? [w] : []) + (hasBias ? [b] : [])
                func split(_ xs: [Tensor<Double>]) -> (Tensor<Double>?, Tensor<Double>?) {
                    (hasWeight ? xs[1] : nil, hasBias ? xs[xs.count - 1] : nil)
                }
                let v = random(shape, &generator)
                let (value, fast) = try valueWithPullback(at: inputs) { xs in
                    let (w, b) = split(xs)
                    return groupNorm(xs[0], groups: groups, weight: w, bias: b)
                }
                let (composite, compositePullback) = try valueWithPullback(at: inputs) { xs in
                    let (w, b) = split(xs)
                    return groupNormComposite(xs[0], groups: groups, weight: w, bias: b, epsilon: 1e-5)
                }
                let label = "shape \(shape), groups \(groups), weight \(hasWeight), bias \(hasBias)"
                XCTAssertTrue(composite.isApproximatelyEqual(to: value, absoluteTolerance: 1e-12), label)
                for (c, f) in zip(try compositePullback(v), try fast(v)) {
                    XCTAssertTrue(c.isApproximatelyEqual(to: f, absoluteTolerance: 1e-11), "\(label): \(c) vs \(f)")
                }
                // And groupNorm's recorded path (its pullback inside a differentiated function) is the same.
                var recorded: [Tensor<Double>] = []
                _ = try gradient(at: x) { x in
                    let (_, pullback) = try valueWithPullback(at: [x] + Array(inputs.dropFirst())) { xs in
                        let (w, b) = split(xs)
                        return groupNorm(xs[0], groups: groups, weight: w, bias: b)
                    }
                    recorded = try pullback(v)
                    XCTAssertTrue(recorded[0].isRecorded, label)
                    return recorded[0].sum()
                }
                for (r, f) in zip(recorded, try fast(v)) {
                    XCTAssertTrue(r.isApproximatelyEqual(to: f, absoluteTolerance: 1e-11), "\(label): \(r) vs \(f)")
                }
            }
        }
    }

    /// √ as a custom op whose pullback g / (2√x) is written with recorded ops (this very op and `/`): a
    /// square root that is differentiable to any order, independently of `sqrt`'s own pullback.
    static func twiceDifferentiableSquareRoot(_ x: Tensor<Double>) -> Tensor<Double> {
        let value = withoutRecording(Double.self) { sqrt(x) }
        return customDifferentiable(inputs: [x], value: value, operation: "testSquareRoot",
                                    pullbackIsDifferentiable: true) { g in
            [g / (2 * twiceDifferentiableSquareRoot(x))]
        }
    }

    func testGroupNormCompositeIsDifferentiableTwiceWithADifferentiableSquareRoot() throws {
        // The composite's second derivatives, with every op but sqrt the library's: shows that groupNorm's
        // second derivative depends on nothing else than sqrt's second-order support.
        var generator = SeededGenerator(seed: 22)
        var worst = 0.0
        for (shape, groups) in groupNormConfigurations {
            for (hasWeight, hasBias) in [(false, false), (true, true), (true, false)] {
                let x = Tensor<Double>.randomNormal(shape, mean: 0.5, standardDeviation: 2, using: &generator)
                let w = random([shape[1]], &generator), b = random([shape[1]], &generator)
                let inputs = [x] + (hasWeight ? [w] : []) + (hasBias ? [b] : [])
                let label = "groupNorm composite \(shape), groups \(groups), weight \(hasWeight), bias \(hasBias)"
                worst = max(worst, try checkTwice(label, at: inputs) { xs in
                    groupNormComposite(xs[0], groups: groups, weight: hasWeight ? xs[1] : nil,
                                       bias: hasBias ? xs[xs.count - 1] : nil, epsilon: 1e-5,
                                       squareRoot: Self.twiceDifferentiableSquareRoot)
                })
            }
        }
        print("second order: groupNorm composite (test √), worst relative error \(worst)")
    }

    func testGroupNormIsDifferentiableTwice() throws {
        var generator = SeededGenerator(seed: 23)
        var worst = 0.0
        for (shape, groups) in groupNormConfigurations {
            for (hasWeight, hasBias) in [(false, false), (true, true), (true, false), (false, true)] {
                let x = Tensor<Double>.randomNormal(shape, mean: 0.5, standardDeviation: 2, using: &generator)
                let w = random([shape[1]], &generator), b = random([shape[1]], &generator)
                let inputs = [x] + (hasWeight ? [w] : []) + (hasBias ? [b] : [])
                for squared in [false, true] {
                    let report = try checkSecondDerivatives(at: inputs, elementwiseLimit: 400) { xs in
                        let y = groupNorm(xs[0], groups: groups, weight: hasWeight ? xs[1] : nil,
                                          bias: hasBias ? xs[xs.count - 1] : nil)
                        return squared ? y * y : y
                    }
                    let label = "groupNorm \(shape), groups \(groups), weight \(hasWeight), bias \(hasBias), squared \(squared)"
                    XCTAssertLessThan(report.maxRelativeError, tolerance, "\(label): \(report)")
                    worst = max(worst, report.maxRelativeError)
                }
            }
        }
        print("second order: groupNorm, worst relative error \(worst)")
    }
}
