import XCTest
@testable import Autodiff

/// Second (and third) derivatives through the reductions, softmax family, losses, shape ops, indexing,
/// joining and broadcasting: each op's pullback must record when a derivative is being differentiated.
///
/// Every check compares the tape gradient of ⟨u, vᵀ∂f/∂x⟩ with central differences of first-order
/// VJPs (`checkSecondDerivatives`). Linear ops (and max, l1) have a zero second derivative on their
/// own, so they are checked inside `y ⊙ y`: the cotangent reaching the op then depends on x, and a
/// pullback that does not record loses that dependence. Each check also asserts, by finite differences
/// of first-order VJPs, that the second derivative it compares is not ~0, so that it can fail.
final class SecondOrderStructureTests: XCTestCase {
    typealias T = OpTestSupport

    /// The largest relative error a check may show (Double, h = 1e-5).
    static let tolerance = 1e-6

    /// Checks the second derivatives of `f` at `inputs` and that they are not all zero; returns the
    /// worst relative error.
    @discardableResult
    func check(_ name: String, at inputs: [Tensor<Double>], file: StaticString = #filePath, line: UInt = #line,
               _ f: @escaping ([Tensor<Double>]) throws -> Tensor<Double>) throws -> Double {
        let report = try checkSecondDerivatives(at: inputs, of: f)
        XCTAssertLessThan(report.maxRelativeError, Self.tolerance, "\(name): \(report)", file: file, line: line)
        XCTAssertGreaterThan(report.checkedDirections, 0, name, file: file, line: line)
        XCTAssertGreaterThan(try secondDerivativeMagnitude(at: inputs, f), 1e-3,
                             "\(name): the second derivative is ~0 by finite differences, the check could not fail",
                             file: file, line: line)
        return report.maxRelativeError
    }

    /// The largest element of a Hessian-vector product of ⟨v, f⟩ (seeded random v and direction d),
    /// by central differences of first-order VJPs: independent of the recorded paths under test.
    func secondDerivativeMagnitude(at inputs: [Tensor<Double>],
                                   _ f: @escaping ([Tensor<Double>]) throws -> Tensor<Double>) throws -> Double {
        var generator = SeededGenerator(seed: 99)
        let value = try withoutRecording(Double.self) { try f(inputs) }
        let v = Tensor<Double>.randomNormal(value.shape, using: &generator)
        let d = inputs.map { Tensor<Double>.randomNormal($0.shape, using: &generator) }
        let h = 1e-4
        func vjp(_ sign: Double) throws -> [Double] {
            let shifted = zip(inputs, d).map { x, d in
                Tensor(shape: x.shape, scalars: zip(x.scalars, d.scalars).map { $0 + sign * h * $1 })
            }
            return try valueWithPullback(at: shifted, of: f).pullback(v).flatMap(\.scalars)
        }
        return zip(try vjp(1), try vjp(-1)).map { abs($0 - $1) / (2 * h) }.max() ?? 0
    }

    /// `y ⊙ y`: makes the cotangent reaching `y`'s op depend on the inputs.
    func squared(_ y: Tensor<Double>) -> Tensor<Double> { y * y }

    static let axisSets: [[Int]] = [[0], [1], [-1], [0, 1], [1, 2], [0, 2], [-1, 0], [0, 1, 2]]

    // MARK: - Reductions

    func testSumAndMean() throws {
        let x = T.random([2, 3, 4], seed: 1)
        try check("sum()", at: [x]) { self.squared($0[0].sum()) }
        try check("mean()", at: [x]) { self.squared($0[0].mean()) }
        for keepDims in [false, true] {
            for axis in [0, 1, -1] {
                try check("sum(axis: \(axis), keepDims: \(keepDims))", at: [x]) {
                    self.squared($0[0].sum(axis: axis, keepDims: keepDims))
                }
                try check("mean(axis: \(axis), keepDims: \(keepDims))", at: [x]) {
                    self.squared($0[0].mean(axis: axis, keepDims: keepDims))
                }
            }
            for axes in Self.axisSets {
                try check("sum(axes: \(axes), keepDims: \(keepDims))", at: [x]) {
                    self.squared($0[0].sum(axes: axes, keepDims: keepDims))
                }
                try check("mean(axes: \(axes), keepDims: \(keepDims))", at: [x]) {
                    self.squared($0[0].mean(axes: axes, keepDims: keepDims))
                }
            }
        }
    }

    func testMax() throws {
        // Distinct values, far apart compared with the finite-difference step: no tie is crossed.
        let x = T.random([2, 3, 4], seed: 2)
        try check("max()", at: [x]) { self.squared($0[0].max()) }
        for keepDims in [false, true] {
            for axis in [0, 1, -1] {
                try check("max(axis: \(axis), keepDims: \(keepDims))", at: [x]) {
                    self.squared($0[0].max(axis: axis, keepDims: keepDims))
                }
            }
            for axes in Self.axisSets {
                try check("max(axes: \(axes), keepDims: \(keepDims))", at: [x]) {
                    self.squared($0[0].max(axes: axes, keepDims: keepDims))
                }
            }
        }
    }

    func testLogSumExp() throws {
        let x = T.random([2, 3, 4], seed: 3)
        try check("logSumExp()", at: [x]) { $0[0].logSumExp() }
        try check("logSumExp() squared", at: [x]) { self.squared($0[0].logSumExp()) }
        for keepDims in [false, true] {
            for axis in [0, 1, -1] {
                try check("logSumExp(axis: \(axis), keepDims: \(keepDims))", at: [x]) {
                    $0[0].logSumExp(axis: axis, keepDims: keepDims)
                }
                try check("logSumExp(axis: \(axis), keepDims: \(keepDims)) squared", at: [x]) {
                    self.squared($0[0].logSumExp(axis: axis, keepDims: keepDims))
                }
            }
            for axes in Self.axisSets {
                try check("logSumExp(axes: \(axes), keepDims: \(keepDims))", at: [x]) {
                    $0[0].logSumExp(axes: axes, keepDims: keepDims)
                }
                try check("logSumExp(axes: \(axes), keepDims: \(keepDims)) squared", at: [x]) {
                    self.squared($0[0].logSumExp(axes: axes, keepDims: keepDims))
                }
            }
        }
    }

    // MARK: - Softmax

    func testSoftmaxAndLogSoftmax() throws {
        for (shape, axes) in [([3, 4], [0, 1, -1]), ([2, 3, 4], [0, 1, 2, -1])] {
            let x = T.random(shape, seed: 4)
            for axis in axes {
                try check("softmax(\(shape), axis: \(axis))", at: [x]) { softmax($0[0], axis: axis) }
                try check("softmax(\(shape), axis: \(axis)) squared", at: [x]) { self.squared(softmax($0[0], axis: axis)) }
                try check("logSoftmax(\(shape), axis: \(axis))", at: [x]) { logSoftmax($0[0], axis: axis) }
                try check("logSoftmax(\(shape), axis: \(axis)) squared", at: [x]) {
                    self.squared(logSoftmax($0[0], axis: axis))
                }
            }
        }
    }

    // MARK: - Losses

    static let reductions: [LossReduction] = [.none, .sum, .mean]

    func testMSELossBothInputs() throws {
        let p = T.random([3, 4], seed: 5), t = T.random([3, 4], seed: 6)
        for reduction in Self.reductions {
            try check("mseLoss(\(reduction))", at: [p, t]) {
                mseLoss(predictions: $0[0], targets: $0[1], reduction: reduction)
            }
            try check("mseLoss(\(reduction)) squared", at: [p, t]) {
                self.squared(mseLoss(predictions: $0[0], targets: $0[1], reduction: reduction))
            }
        }
    }

    func testL1LossBothInputs() throws {
        // |p − t| ≥ 0.05 everywhere: far from the kink at p = t compared with the step.
        let p = T.random([3, 4], seed: 7)
        let t = Tensor(shape: p.shape, scalars: p.scalars.enumerated().map { $1 + ($0 % 2 == 0 ? 1 : -1) * (0.05 + 0.1 * Double($0)) })
        for reduction in Self.reductions {
            // l1's own second derivative is 0 away from the kink: checked inside a square.
            try check("l1Loss(\(reduction)) squared", at: [p, t]) {
                self.squared(l1Loss(predictions: $0[0], targets: $0[1], reduction: reduction))
            }
        }
    }

    func testCrossEntropy() throws {
        let logits = T.random([4, 5], seed: 8)
        let labels = [2, 0, 4, 2]
        for reduction in Self.reductions {
            try check("crossEntropy(\(reduction))", at: [logits]) {
                crossEntropy(logits: $0[0], labels: labels, reduction: reduction)
            }
            try check("crossEntropy(\(reduction)) squared", at: [logits]) {
                self.squared(crossEntropy(logits: $0[0], labels: labels, reduction: reduction))
            }
        }
    }

    // MARK: - Shape ops

    func testShapeOps() throws {
        let x = T.random([2, 3, 4], seed: 9)
        let ops: [(String, (Tensor<Double>) -> Tensor<Double>)] = [
            ("reshaped", { $0.reshaped([4, -1]) }),
            ("flattened()", { $0.flattened() }),
            ("flattened(startAxis:)", { $0.flattened(startAxis: 1) }),
            ("expandedDimensions", { $0.expandedDimensions(axis: -1) }),
            ("squeezed(axis:)", { $0.reshaped([2, 1, 12]).squeezed(axis: 1) }),
            ("squeezed()", { $0.reshaped([1, 2, 1, 12]).squeezed() }),
            ("transposed()", { $0.transposed() }),
            ("transposed(_:)", { $0.transposed([1, 2, 0]) }),
            ("transposed(last two)", { $0.transposed([0, 2, 1]) }),
            ("permuted", { $0.permuted([2, 0, 1]) }),
        ]
        for (name, op) in ops {
            try check(name, at: [x]) { self.squared(op($0[0])) }
        }
    }

    // MARK: - Indexing

    func testSliced() throws {
        let x = T.random([4, 5, 3], seed: 10)
        for (range, axis) in [(0..<2, 0), (1..<3, 0), (2..<4, 0), (1..<4, 1), (0..<1, -1), (2..<3, 2), (1..<2, -2)] {
            try check("sliced(\(range), axis: \(axis))", at: [x]) { self.squared($0[0].sliced(range, axis: axis)) }
        }
        try check("subscript", at: [x]) { self.squared($0[0][1..<3]) }
    }

    func testGathering() throws {
        let x = T.random([4, 3, 2], seed: 11)
        for (indices, axis) in [([2, 0, 2, -1], 0), ([1], 1), ([2, 2, 0, 1, 1], 1), ([1, 0, 1], -1)] {
            try check("gathering(\(indices), axis: \(axis))", at: [x]) {
                self.squared($0[0].gathering(indices: indices, axis: axis))
            }
        }
        // The companion op on its own: its pullback (the gather) records too.
        let g = T.random([5, 3, 2], seed: 12)
        try check("scatteringAdd", at: [g]) { self.squared($0[0].scatteringAdd(indices: [3, 0, 3, 1, 3], axis: 0, extent: 4)) }
        try check("scatteringAdd axis 2", at: [T.random([4, 3, 3], seed: 13)]) {
            self.squared($0[0].scatteringAdd(indices: [1, 0, 1], axis: 2, extent: 2))
        }
    }

    // MARK: - Joining

    func testConcatenatedEveryInput() throws {
        let a = T.random([2, 3, 4], seed: 14), b = T.random([2, 1, 4], seed: 15), c = T.random([2, 2, 4], seed: 16)
        try check("concatenated axis 1", at: [a, b, c]) { self.squared(concatenated($0, axis: 1)) }
        try check("concatenated axis -1", at: [a, T.random([2, 3, 2], seed: 17)]) { self.squared(concatenated($0, axis: -1)) }
        try check("concatenated axis 0", at: [a, T.random([1, 3, 4], seed: 18)]) { self.squared(concatenated($0, axis: 0)) }
        // The same tensor twice: both cotangents accumulate.
        try check("concatenated [x, x]", at: [a]) { self.squared(concatenated([$0[0], $0[0]], axis: 2)) }
    }

    func testStackedEveryInput() throws {
        let inputs = (0..<3).map { T.random([2, 3], seed: 20 + UInt64($0)) }
        for axis in [0, 1, 2, -1] {
            try check("stacked axis \(axis)", at: inputs) { self.squared(stacked($0, axis: axis)) }
        }
    }

    // MARK: - Broadcasting

    func testBroadcastAndUnbroadcastSecondOrder() throws {
        for (from, to) in [([3], [2, 3]), ([2, 1], [2, 3]), ([1, 3, 1], [2, 3, 4]), ([], [2, 2])] as [([Int], [Int])] {
            try check("broadcast \(from) → \(to)", at: [T.random(from, seed: 30)]) {
                self.squared($0[0].broadcast(to: to))
            }
            try check("unbroadcast \(to) → \(from)", at: [T.random(to, seed: 31)]) {
                self.squared($0[0].unbroadcast(to: from))
            }
        }
    }

    func testBroadcastAndUnbroadcastThirdOrderExactly() throws {
        // f(x) = Σ broadcast(x)³ with each x_i repeated k = 4 times: f = 4 Σ x³, so ∇(Σ ∇(Σ ∇f)) = 24.
        let x = Tensor<Double>(shape: [2, 1], scalars: [0.5, -1.5])
        let third = try gradient(at: x) { x in
            try gradient(at: x) { x in
                try gradient(at: x) { x in
                    let y = x.broadcast(to: [2, 4])
                    return (y * y * y).sum()
                }.sum()
            }.sum()
        }
        XCTAssertEqual(third.shape, [2, 1])
        XCTAssertEqual(third.scalars, [24, 24])
        // u = unbroadcast(x) of shape [2] from [3, 2] (sums of 3 rows); f = Σ u³: ∇f = 3u² per element,
        // Σ∇f = 9 Σ u², its gradient 18 u_j, Σ of that = 54 Σ u, whose gradient is 54.
        let z = T.random([3, 2], seed: 32)
        let second = try gradient(at: z) { z in
            try gradient(at: z) { z in
                let u = z.unbroadcast(to: [2])
                return (u * u * u).sum()
            }.sum()
        }
        let u = z.unbroadcast(to: [2]).scalars
        for (i, value) in second.scalars.enumerated() {
            XCTAssertEqual(value, 18 * u[i % 2], accuracy: 1e-12)
        }
        let thirdU = try gradient(at: z) { z in
            try gradient(at: z) { z in
                try gradient(at: z) { z in
                    let u = z.unbroadcast(to: [2])
                    return (u * u * u).sum()
                }.sum()
            }.sum()
        }
        XCTAssertEqual(thirdU.scalars, [Double](repeating: 54, count: 6))
    }

    // MARK: - Third order

    /// Third derivatives: the second derivatives of a first derivative, against finite differences of
    /// its (second-order) VJPs.
    func testThirdDerivativesOfLogSumExpSoftmaxAndCrossEntropy() throws {
        let x = T.random([3, 4], seed: 40)
        let w = T.random([3, 4], seed: 41)
        try check("∇ logSumExp(axis: 1)", at: [x]) { xs in
            try gradient(at: xs[0]) { x in (x.logSumExp(axis: 1) * x.logSumExp(axis: 1)).sum() }
        }
        try check("∇ logSumExp(axes: [0, 1])", at: [x]) { xs in
            try gradient(at: xs[0]) { x in x.logSumExp(axes: [0, 1]) }
        }
        try check("∇ softmax", at: [x]) { xs in
            try gradient(at: xs[0]) { x in (softmax(x, axis: 1) * w).sum() }
        }
        try check("∇ logSoftmax axis 0", at: [x]) { xs in
            try gradient(at: xs[0]) { x in (logSoftmax(x, axis: 0) * w).sum() }
        }
        try check("∇ crossEntropy", at: [x]) { xs in
            try gradient(at: xs[0]) { x in crossEntropy(logits: x, labels: [1, 3, 0]) }
        }
    }

    /// Third derivatives through the linear structure ops and max (inside a cube).
    func testThirdDerivativesOfStructureOps() throws {
        let x = T.random([3, 4], seed: 42)
        let ops: [(String, (Tensor<Double>) -> Tensor<Double>)] = [
            ("sliced", { $0.sliced(1..<3, axis: 1) }),
            ("gathering", { $0.gathering(indices: [2, 0, 2], axis: 0) }),
            ("concatenated", { concatenated([$0, $0.sliced(0..<1, axis: 0)], axis: 0) }),
            ("stacked", { stacked([$0, $0.transposed().transposed()], axis: 1) }),
            ("max(axis:)", { $0.max(axis: 1) }),
            ("mean(axes:)", { $0.mean(axes: [0], keepDims: true) }),
            ("broadcast", { $0.sum(axis: 0).broadcast(to: [2, 4]) }),
        ]
        for (name, op) in ops {
            try check("∇ \(name) cubed", at: [x]) { xs in
                try gradient(at: xs[0]) { x in
                    let y = op(x)
                    return (y * y * y).sum()
                }
            }
        }
    }
}
