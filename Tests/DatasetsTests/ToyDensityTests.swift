import Foundation
import XCTest
import Autodiff
@testable import Datasets

/// FFJORD's toy densities and scikit-learn's circles, moons and swiss roll: shapes, moments derived from
/// each generator's definition, and the entropies recomputed by Monte Carlo with the exact density.
///
/// Moment checks compare a sample mean of g(x) with E[g] computed from the definition, allowing five
/// standard errors estimated from the same sample (a false failure has probability below 10⁻⁶; the seeds
/// are fixed, so a pass is reproducible).
final class ToyDensityTests: XCTestCase {
    private let sampleCount = 40_000

    // MARK: - Helpers

    /// The rows of a `[n, d]` tensor.
    private func rows<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>) -> [[Double]] {
        let d = tensor.shape[1], scalars = tensor.scalars.map { Double($0) }
        return (0..<tensor.shape[0]).map { Array(scalars[$0 * d ..< ($0 + 1) * d]) }
    }

    /// The mean of `values` and its standard error.
    private func meanAndStandardError(_ values: [Double]) -> (mean: Double, standardError: Double) {
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return (mean, (variance / n).squareRoot())
    }

    /// Asserts that the sample mean of `values` is within five standard errors of `expected`.
    private func assertMean(_ values: [Double], _ expected: Double, _ what: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        let (mean, standardError) = meanAndStandardError(values)
        XCTAssertLessThanOrEqual(abs(mean - expected), 5 * standardError + 1e-12,
                                 "\(what): sample mean \(mean) ± \(standardError), expected \(expected)",
                                 file: file, line: line)
    }

    /// The trapezoidal rule for ∫ₐᵇ f with `intervals` equal steps.
    private func trapezoid(_ a: Double, _ b: Double, intervals: Int, _ f: (Double) -> Double) -> Double {
        let h = (b - a) / Double(intervals)
        var sum = (f(a) + f(b)) / 2
        for i in 1..<intervals { sum += f(a + Double(i) * h) }
        return sum * h
    }

    /// e⁻ˣ I₀(x) for x ≥ 0: the power series of I₀ below 15, the asymptotic series above (relative
    /// error below 10⁻⁹ at the switch, Abramowitz & Stegun 9.7.1).
    private func scaledBesselI0(_ x: Double) -> Double {
        if x < 15 {
            var term = 1.0, sum = 1.0, k = 1.0
            while term > 1e-17 * sum { term *= (x * x / 4) / (k * k); sum += term; k += 1 }
            return sum * exp(-x)
        }
        var term = 1.0, sum = 1.0
        for k in 1...10 {
            let odd = Double(2 * k - 1)
            term *= odd * odd / (8 * Double(k) * x)
            sum += term
        }
        return sum / (2 * Double.pi * x).squareRoot()
    }

    /// The density at `point` of a point uniform on the circle of radius `radius` about the origin plus
    /// N(0, σ²I) noise: exp(−(r² + R²)/2σ²) I₀(rR/σ²) / 2πσ², written with the scaled Bessel function.
    private func noisyCircleDensity(_ point: [Double], radius: Double, standardDeviation σ: Double) -> Double {
        let r = (point[0] * point[0] + point[1] * point[1]).squareRoot()
        let gap = r - radius
        return exp(-gap * gap / (2 * σ * σ)) * scaledBesselI0(r * radius / (σ * σ)) / (2 * Double.pi * σ * σ)
    }

    /// The density of a 2-D normal N(center, σ²I) at `point`.
    private func normalDensity(_ x: Double, _ y: Double, _ cx: Double, _ cy: Double, _ σ: Double) -> Double {
        let dx = x - cx, dy = y - cy
        return exp(-(dx * dx + dy * dy) / (2 * σ * σ)) / (2 * Double.pi * σ * σ)
    }

    /// The Monte Carlo entropy −mean log p over `points`, with its standard error.
    private func monteCarloEntropy(_ points: [[Double]], density: ([Double]) -> Double)
        -> (entropy: Double, standardError: Double) {
        let estimate = meanAndStandardError(points.map { -log(density($0)) })
        return (estimate.mean, estimate.standardError)
    }

    /// Asserts that the Monte Carlo entropy is within 0.02 nats of `density.entropy`, with a standard error
    /// small enough (≤ 0.007) that 0.02 is about three of them or more.
    private func assertEntropy(_ toy: ToyDensity, _ estimate: (entropy: Double, standardError: Double),
                               file: StaticString = #filePath, line: UInt = #line) {
        print("entropy \(toy.rawValue): Monte Carlo \(estimate.entropy) ± \(estimate.standardError), "
              + "documented \(toy.entropy)")
        XCTAssertLessThanOrEqual(estimate.standardError, 0.007, "\(toy.rawValue): too few samples", file: file, line: line)
        XCTAssertEqual(estimate.entropy, toy.entropy, accuracy: 0.02, "\(toy.rawValue) entropy", file: file, line: line)
    }

    // MARK: - Names, shapes

    func testRawValuesAreFFJORDNames() {
        let names = ["8gaussians", "pinwheel", "checkerboard", "rings", "2spirals", "moons", "swissroll", "circles"]
        XCTAssertEqual(ToyDensity.allCases.map(\.rawValue), names)
        for name in names { XCTAssertEqual(ToyDensity(rawValue: name)?.rawValue, name) }
        for toy in ToyDensity.allCases { XCTAssertEqual(ToyDensity(rawValue: toy.rawValue), toy) }
        XCTAssertNil(ToyDensity(rawValue: "line"))
        XCTAssertNil(ToyDensity(rawValue: "eightGaussians"))
    }

    func testEveryDensityReturnsCountFiniteRowsOfTwo() {
        var generator = SeededGenerator(seed: 1)
        for toy in ToyDensity.allCases {
            for count in [1, 2, 3, 4, 5, 6, 7, 11, 200] {
                let points = toy.sample(count, as: Float.self, using: &generator)
                XCTAssertEqual(points.shape, [count, 2], "\(toy.rawValue), \(count) points")
                XCTAssertTrue(points.scalars.allSatisfy(\.isFinite), "\(toy.rawValue), \(count) points")
                let doubles = toy.sample(count, as: Double.self, using: &generator)
                XCTAssertEqual(doubles.shape, [count, 2], "\(toy.rawValue), \(count) points")
                XCTAssertTrue(doubles.scalars.allSatisfy(\.isFinite), "\(toy.rawValue), \(count) points")
            }
        }
        let circles: Tensor<Float> = makeCircles(count: 9, noise: 0.1, factor: 0.3, using: &generator)
        let moons: Tensor<Double> = makeMoons(count: 9, noise: 0.1, using: &generator)
        let roll: Tensor<Float> = makeSwissRoll(count: 9, noise: 0.1, using: &generator)
        XCTAssertEqual(circles.shape, [9, 2])
        XCTAssertEqual(moons.shape, [9, 2])
        XCTAssertEqual(roll.shape, [9, 3])
    }

    /// The labeled moons are makeMoons' points, each labelled by the half circle it lies on (without noise).
    func testLabeledMoonsAreMakeMoonsWithTheirHalfCircles() {
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7)
        let plain: Tensor<Double> = makeMoons(count: 51, noise: 0.05, using: &a)
        let labeled = makeLabeledMoons(count: 51, noise: 0.05, as: Double.self, using: &b)
        XCTAssertEqual(plain.scalars, labeled.points.scalars)
        XCTAssertEqual(labeled.labels.filter { $0 == 0 }.count, 25)
        let exact = makeLabeledMoons(count: 40, noise: 0, as: Double.self, using: &a)
        for (i, label) in exact.labels.enumerated() {
            let (x, y) = (exact.points.scalars[2 * i], exact.points.scalars[2 * i + 1])
            let radius = label == 0 ? (x * x + y * y).squareRoot() : ((1 - x) * (1 - x) + (0.5 - y) * (0.5 - y)).squareRoot()
            XCTAssertEqual(radius, 1, accuracy: 1e-12, "point \(i), label \(label)")
            XCTAssertTrue(label == 0 ? y >= -1e-12 : y <= 0.5 + 1e-12, "point \(i), label \(label)")
        }
    }

    func testSameSeedSameSamples() {
        for toy in ToyDensity.allCases {
            var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
            XCTAssertEqual(toy.sample(64, as: Double.self, using: &a).scalars,
                           toy.sample(64, as: Double.self, using: &b).scalars, toy.rawValue)
        }
    }

    // MARK: - Moments from each definition

    func testCheckerboardIsUniformOnTheBlackSquares() {
        var generator = SeededGenerator(seed: 2)
        let points = rows(ToyDensity.checkerboard.sample(sampleCount, as: Double.self, using: &generator))
        // The squares [2i, 2i + 2) × [2j, 2j + 2), i, j ∈ {−2 … 1}, i + j even (FFJORD's construction × 2).
        let cells = (-2...1).flatMap { i in (-2...1).compactMap { j in (i + j) % 2 == 0 ? (i, j) : nil } }
        XCTAssertEqual(cells.count, 8)
        var counts = [String: Int]()
        for p in points {
            let cell = (Int((p[0] / 2).rounded(.down)), Int((p[1] / 2).rounded(.down)))
            XCTAssertTrue(cells.contains { $0 == cell }, "point \(p) outside the black squares")
            counts["\(cell)", default: 0] += 1
        }
        // Each square holds a binomial(n, 1/8) count.
        let n = Double(points.count), binomialSD = (n / 8 * 7 / 8).squareRoot()
        for cell in cells {
            XCTAssertEqual(Double(counts["\(cell)"] ?? 0), n / 8, accuracy: 5 * binomialSD, "square \(cell)")
        }
        // Moments of the uniform mixture: a square's center (2i + 1, 2j + 1), variance 2²/12 per axis.
        let centers = cells.map { (2 * Double($0.0) + 1, 2 * Double($0.1) + 1) }
        let meanX = centers.map(\.0).reduce(0, +) / 8, meanY = centers.map(\.1).reduce(0, +) / 8
        let squareX = centers.map { $0.0 * $0.0 + 4.0 / 12 }.reduce(0, +) / 8
        let squareY = centers.map { $0.1 * $0.1 + 4.0 / 12 }.reduce(0, +) / 8
        let crossXY = centers.map { $0.0 * $0.1 }.reduce(0, +) / 8
        assertMean(points.map { $0[0] }, meanX, "E[x]")
        assertMean(points.map { $0[1] }, meanY, "E[y]")
        assertMean(points.map { $0[0] * $0[0] }, squareX, "E[x²]")
        assertMean(points.map { $0[1] * $0[1] }, squareY, "E[y²]")
        assertMean(points.map { $0[0] * $0[1] }, crossXY, "E[xy]")
    }

    func testEightGaussiansMoments() {
        var generator = SeededGenerator(seed: 3)
        let points = rows(ToyDensity.eightGaussians.sample(sampleCount, as: Double.self, using: &generator))
        // Centers at radius 4, noise 0.5 per axis, all divided by 1.414: E|x|² = (4² + 2·0.5²)/1.414².
        let expectedSquare = (4.0 * 4 + 2 * 0.5 * 0.5) / (1.414 * 1.414)
        assertMean(points.map { $0[0] }, 0, "E[x]")
        assertMean(points.map { $0[1] }, 0, "E[y]")
        assertMean(points.map { $0[0] * $0[0] + $0[1] * $0[1] }, expectedSquare, "E|x|²")
        // Each point is within a few σ = 0.5/1.414 of one of the eight centers.
        let σ = 0.5 / 1.414
        for p in points.prefix(2000) {
            let nearest = (0..<8).map { k -> Double in
                let angle = Double(k) * Double.pi / 4
                return hypot(p[0] - 4 / 1.414 * cos(angle), p[1] - 4 / 1.414 * sin(angle))
            }.min()!
            XCTAssertLessThan(nearest, 6 * σ, "\(p) far from every center")
        }
    }

    func testMakeCirclesSplitsAndRadii() {
        var generator = SeededGenerator(seed: 4)
        let count = 20_001, noise = 0.01, factor = 0.5
        let points = rows(makeCircles(count: count, noise: noise, factor: factor, as: Double.self, using: &generator))
        // A gap of 0.5 between the circles is 25σ: the radius tells each point's circle.
        let threshold = (1 + factor) / 2
        let outer = points.filter { hypot($0[0], $0[1]) > threshold }
        let inner = points.filter { hypot($0[0], $0[1]) <= threshold }
        XCTAssertEqual(outer.count, count / 2, "⌊n/2⌋ points on the outer circle")
        XCTAssertEqual(inner.count, count - count / 2, "the rest on the inner circle")
        // |c + ε|² for |c| = R and ε ~ N(0, σ²I): mean R² + 2σ² exactly.
        assertMean(outer.map { $0[0] * $0[0] + $0[1] * $0[1] }, 1 + 2 * noise * noise, "outer E[r²]")
        assertMean(inner.map { $0[0] * $0[0] + $0[1] * $0[1] }, factor * factor + 2 * noise * noise, "inner E[r²]")
        assertMean(outer.map { hypot($0[0], $0[1]) }, 1 + noise * noise / 2, "outer E[r] (Rice, to O(σ⁴))")
        assertMean(points.map { $0[0] }, 0, "E[x]")
        assertMean(points.map { $0[1] }, 0, "E[y]")
    }

    func testMakeCirclesWithoutNoiseIsEquallySpaced() {
        var generator = SeededGenerator(seed: 5)
        let count = 13, factor = 0.3
        let points = rows(makeCircles(count: count, noise: 0, factor: factor, as: Double.self, using: &generator))
        for (radius, size) in [(1.0, count / 2), (factor, count - count / 2)] {
            let ring = points.filter { abs(hypot($0[0], $0[1]) - radius) < 1e-12 }
            XCTAssertEqual(ring.count, size, "points at radius \(radius)")
            let angles = ring.map { atan2($0[1], $0[0]) }.map { $0 < -1e-12 ? $0 + 2 * Double.pi : max($0, 0) }.sorted()
            XCTAssertEqual(angles.first ?? -1, 0, accuracy: 1e-12, "one point at angle 0")
            for (a, b) in zip(angles, angles.dropFirst()) {
                XCTAssertEqual(b - a, 2 * Double.pi / Double(size), accuracy: 1e-12, "spacing at radius \(radius)")
            }
        }
    }

    func testCirclesAndRingsSecondMoments() {
        var generator = SeededGenerator(seed: 6)
        // circles: make_circles(n, factor 0.5, noise 0.08) × 3 — radii 3 and 1.5, noise 0.24 per axis.
        let circles = rows(ToyDensity.circles.sample(sampleCount, as: Double.self, using: &generator))
        let circleSkeleton = (Double(sampleCount / 2) * 9 + Double(sampleCount - sampleCount / 2) * 9 * 0.25)
            / Double(sampleCount)
        assertMean(circles.map { $0[0] * $0[0] + $0[1] * $0[1] }, circleSkeleton + 2 * 0.24 * 0.24, "circles E|x|²")
        assertMean(circles.map { $0[0] }, 0, "circles E[x]")
        assertMean(circles.map { $0[1] }, 0, "circles E[y]")
        // rings: radii 3·(1, 0.75, 0.5, 0.25), ⌊n/4⌋ on each of the first three, noise 0.08 per axis.
        let rings = rows(ToyDensity.rings.sample(sampleCount, as: Double.self, using: &generator))
        let quarter = sampleCount / 4
        let ringCounts = [quarter, quarter, quarter, sampleCount - 3 * quarter]
        let ringSkeleton = zip([3.0, 2.25, 1.5, 0.75], ringCounts).map { $0 * $0 * Double($1) }.reduce(0, +)
            / Double(sampleCount)
        assertMean(rings.map { $0[0] * $0[0] + $0[1] * $0[1] }, ringSkeleton + 2 * 0.08 * 0.08, "rings E|x|²")
        assertMean(rings.map { $0[0] }, 0, "rings E[x]")
        assertMean(rings.map { $0[1] }, 0, "rings E[y]")
        // Each point is nearest the ring it came from: the ⌊n/4⌋ split shows in the counts (the rings are
        // 0.75 apart, 4.7σ on each side of the midpoint, so at most a handful are misassigned).
        var nearest = [0, 0, 0, 0]
        for p in rings {
            let r = hypot(p[0], p[1])
            nearest[[3.0, 2.25, 1.5, 0.75].enumerated().min { abs($0.1 - r) < abs($1.1 - r) }!.offset] += 1
        }
        for (found, expected) in zip(nearest, ringCounts) { XCTAssertEqual(found, expected, accuracy: 5) }
    }

    func testMoonsMoments() {
        var generator = SeededGenerator(seed: 7)
        // make_moons skeleton: ⌊n/2⌋ points (cos θ, sin θ), the rest (1 − cos θ, ½ − sin θ), θ = linspace(0, π).
        func skeleton(_ count: Int) -> [(Double, Double)] {
            func angles(_ m: Int) -> [Double] { m == 1 ? [0] : (0..<m).map { Double.pi * Double($0) / Double(m - 1) } }
            return angles(count / 2).map { (cos($0), sin($0)) } + angles(count - count / 2).map { (1 - cos($0), 0.5 - sin($0)) }
        }
        let base = skeleton(sampleCount), n = Double(sampleCount)
        let baseX = base.map(\.0).reduce(0, +) / n, baseY = base.map(\.1).reduce(0, +) / n
        let baseXX = base.map { $0.0 * $0.0 }.reduce(0, +) / n, baseYY = base.map { $0.1 * $0.1 }.reduce(0, +) / n

        let plain = rows(makeMoons(count: sampleCount, noise: 0.1, as: Double.self, using: &generator))
        assertMean(plain.map { $0[0] }, baseX, "make_moons E[x]")
        assertMean(plain.map { $0[1] }, baseY, "make_moons E[y]")
        assertMean(plain.map { $0[0] * $0[0] }, baseXX + 0.01, "make_moons E[x²]")
        assertMean(plain.map { $0[1] * $0[1] }, baseYY + 0.01, "make_moons E[y²]")

        // FFJORD: 2·moons + (−1, −0.2).
        let toy = rows(ToyDensity.moons.sample(sampleCount, as: Double.self, using: &generator))
        let toyX = 2 * baseX - 1, toyY = 2 * baseY - 0.2
        assertMean(toy.map { $0[0] }, toyX, "moons E[x]")
        assertMean(toy.map { $0[1] }, toyY, "moons E[y]")
        assertMean(toy.map { $0[0] * $0[0] }, 4 * baseXX - 4 * baseX + 1 + 4 * 0.01, "moons E[x²]")
        assertMean(toy.map { $0[1] * $0[1] }, 4 * baseYY - 0.8 * baseY + 0.04 + 4 * 0.01, "moons E[y²]")
    }

    func testSwissRollMoments() {
        var generator = SeededGenerator(seed: 8)
        // t uniform on [a, b] = [3π/2, 9π/2]: ∫t cos t = t sin t + cos t, ∫t sin t = sin t − t cos t.
        let a = 1.5 * Double.pi, b = 4.5 * Double.pi
        let meanTCos = ((b * sin(b) + cos(b)) - (a * sin(a) + cos(a))) / (b - a)
        let meanTSin = ((sin(b) - b * cos(b)) - (sin(a) - a * cos(a))) / (b - a)
        let meanTSquare = (b * b * b - a * a * a) / (3 * (b - a))

        let roll = rows(makeSwissRoll(count: sampleCount, noise: 0.5, as: Double.self, using: &generator))
        assertMean(roll.map { $0[0] }, meanTCos, "make_swiss_roll E[x]")
        assertMean(roll.map { $0[1] }, 10.5, "make_swiss_roll E[height]")
        assertMean(roll.map { $0[1] * $0[1] }, 21 * 21 / 3 + 0.25, "make_swiss_roll E[height²]")
        assertMean(roll.map { $0[2] }, meanTSin, "make_swiss_roll E[z]")

        // FFJORD: columns 0 and 2 of make_swiss_roll(noise 1), divided by 5.
        let toy = rows(ToyDensity.swissroll.sample(sampleCount, as: Double.self, using: &generator))
        assertMean(toy.map { $0[0] }, meanTCos / 5, "swissroll E[x]")
        assertMean(toy.map { $0[1] }, meanTSin / 5, "swissroll E[y]")
        assertMean(toy.map { $0[0] * $0[0] + $0[1] * $0[1] }, (meanTSquare + 2) / 25, "swissroll E|x|²")
    }

    func testTwoSpiralsMomentsAndMirroredArms() {
        var generator = SeededGenerator(seed: 9)
        let points = rows(ToyDensity.twoSpirals.sample(sampleCount, as: Double.self, using: &generator))
        // Arm point (−n cos n + u₁/2, n sin n + u₂/2)/3 with n = 3π√U (density 2n/(3π)²), u uniform.
        let top = 3 * Double.pi
        func expectation(_ g: (Double) -> Double) -> Double {
            trapezoid(0, top, intervals: 20_000) { g($0) * 2 * $0 / (top * top) }
        }
        // E|a + u/2|² = E n² + E[n sin n − n cos n]/2 (E u = ½) + 2·E(u/2)² (= 2 · 1/12).
        let expectedSquare = (expectation { $0 * $0 } + expectation { $0 * sin($0) - $0 * cos($0) } / 2 + 2.0 / 12) / 9
            + 2 * 0.1 * 0.1
        assertMean(points.map { $0[0] * $0[0] + $0[1] * $0[1] }, expectedSquare, "2spirals E|x|²")
        assertMean(points.map { $0[0] }, 0, "2spirals E[x]")
        assertMean(points.map { $0[1] }, 0, "2spirals E[y]")
        // The first arm: E[x] = E[−n cos n + u₁/2]/3.
        let half = sampleCount / 2
        assertMean(points.prefix(half).map { $0[0] }, (expectation { -$0 * cos($0) } + 0.25) / 3, "first arm E[x]")
        // Row i + n/2 mirrors row i: their sum is the noise alone, N(0, 2·0.1²) per axis.
        assertMean((0..<half).map { points[$0][0] + points[$0 + half][0] }, 0, "mirror sum E[x]")
        assertMean((0..<half).map { pow(points[$0][0] + points[$0 + half][0], 2) }, 2 * 0.1 * 0.1, "mirror sum E[x²]")
    }

    func testPinwheelMoments() {
        var generator = SeededGenerator(seed: 10)
        let points = rows(ToyDensity.pinwheel.sample(sampleCount, as: Double.self, using: &generator))
        // A rotation keeps |f|; f = (1 + 0.3ε₁, 0.1ε₂) scaled by 2: E|x|² = 4(1 + 0.3² + 0.1²).
        assertMean(points.map { $0[0] * $0[0] + $0[1] * $0[1] }, 4 * (1 + 0.09 + 0.01), "pinwheel E|x|²")
        // Five equal arms rotated by 72° (5 divides the count): the mean is 0.
        assertMean(points.map { $0[0] }, 0, "pinwheel E[x]")
        assertMean(points.map { $0[1] }, 0, "pinwheel E[y]")
        // A point's angle lags its arm by 0.25·exp(f₀) (clockwise) plus atan(f₁/f₀): E[cos 5φ] from the same
        // construction, integrated over f₀ and f₁ numerically.
        func density(_ z: Double) -> Double { exp(-z * z / 2) / (2 * Double.pi).squareRoot() }
        let expectedCos5 = trapezoid(-8, 8, intervals: 800) { e1 in
            trapezoid(-8, 8, intervals: 400) { e2 in
                let f0 = 1 + 0.3 * e1, f1 = 0.1 * e2
                let phi = atan2(f1, f0) - 0.25 * exp(f0)
                return cos(5 * phi) * density(e1) * density(e2)
            }
        }
        assertMean(points.map { cos(5 * atan2($0[1], $0[0])) }, expectedCos5, "pinwheel E[cos 5φ]")
    }

    // MARK: - Entropies

    func testCheckerboardEntropyIsLogOfItsArea() {
        var generator = SeededGenerator(seed: 11)
        let points = rows(ToyDensity.checkerboard.sample(sampleCount, as: Double.self, using: &generator))
        // The occupied 2×2 cells, counted from the samples; uniform density ⇒ entropy = ln(area).
        let occupied = Set(points.map { "\(Int(($0[0] / 2).rounded(.down))),\(Int(($0[1] / 2).rounded(.down)))" })
        XCTAssertEqual(ToyDensity.checkerboard.entropy, log(Double(occupied.count) * 4), accuracy: 1e-12)
    }

    func testEightGaussiansEntropyByMonteCarlo() {
        var generator = SeededGenerator(seed: 12)
        let points = rows(ToyDensity.eightGaussians.sample(60_000, as: Double.self, using: &generator))
        let σ = 0.5 / 1.414, radius = 4 / 1.414
        let centers = (0..<8).map { k -> (Double, Double) in
            (radius * cos(Double(k) * Double.pi / 4), radius * sin(Double(k) * Double.pi / 4))
        }
        let estimate = monteCarloEntropy(points) { p in
            centers.map { normalDensity(p[0], p[1], $0.0, $0.1, σ) }.reduce(0, +) / 8
        }
        assertEntropy(.eightGaussians, estimate)
        // The separated-components value ln 8 + ln(2πeσ²) bounds it from above.
        XCTAssertLessThanOrEqual(estimate.entropy, log(8) + log(2 * Double.pi * exp(1) * σ * σ) + 0.02)
    }

    func testCirclesAndRingsEntropiesByMonteCarlo() {
        var generator = SeededGenerator(seed: 13)
        let circles = rows(ToyDensity.circles.sample(sampleCount, as: Double.self, using: &generator))
        assertEntropy(.circles, monteCarloEntropy(circles) { p in
            0.5 * noisyCircleDensity(p, radius: 3, standardDeviation: 0.24)
                + 0.5 * noisyCircleDensity(p, radius: 1.5, standardDeviation: 0.24)
        })
        let rings = rows(ToyDensity.rings.sample(sampleCount, as: Double.self, using: &generator))
        assertEntropy(.rings, monteCarloEntropy(rings) { p in
            [3.0, 2.25, 1.5, 0.75].map { 0.25 * noisyCircleDensity(p, radius: $0, standardDeviation: 0.08) }.reduce(0, +)
        })
    }

    /// Trapezoid nodes (x, y, weight) along a curve c(s), s ∈ [a, b], with weights summing to 1: a point
    /// with s uniform on [a, b] plus N(0, σ²I) noise has density Σ weight · N(point; node, σ²I).
    private func curveNodes(_ a: Double, _ b: Double, intervals: Int,
                            _ curve: (Double) -> (Double, Double)) -> [(x: Double, y: Double, weight: Double)] {
        (0...intervals).map { i in
            let (x, y) = curve(a + (b - a) * Double(i) / Double(intervals))
            return (x, y, (i == 0 || i == intervals ? 0.5 : 1) / Double(intervals))
        }
    }

    /// Σ weight · N(point; node, σ²I), skipping nodes farther than 9σ (each below e⁻⁴⁰ of the peak).
    private func mixtureDensity(_ point: [Double], _ nodes: [(x: Double, y: Double, weight: Double)], _ σ: Double) -> Double {
        var sum = 0.0
        let cutoff = 81 * σ * σ
        for node in nodes {
            let dx = point[0] - node.x, dy = point[1] - node.y, square = dx * dx + dy * dy
            if square < cutoff { sum += node.weight * exp(-square / (2 * σ * σ)) }
        }
        return sum / (2 * Double.pi * σ * σ)
    }

    func testMoonsAndSwissRollEntropiesByMonteCarlo() {
        var generator = SeededGenerator(seed: 14)
        // moons: each half is a uniform angle on [0, π] of a radius-2 arc, plus N(0, 0.2²) per axis. The
        // nodes are 2π/600 ≈ 0.01 apart, σ/20: the trapezoid error is far below the Monte Carlo error.
        let moons = rows(ToyDensity.moons.sample(30_000, as: Double.self, using: &generator))
        let upper = curveNodes(0, Double.pi, intervals: 600) { θ in (2 * cos(θ) - 1, 2 * sin(θ) - 0.2) }
        let lower = curveNodes(0, Double.pi, intervals: 600) { θ in (2 * (1 - cos(θ)) - 1, 2 * (0.5 - sin(θ)) - 0.2) }
        assertEntropy(.moons, monteCarloEntropy(moons) { p in
            (mixtureDensity(p, upper, 0.2) + mixtureDensity(p, lower, 0.2)) / 2
        })
        // swissroll: t uniform on [3π/2, 9π/2], the point (t cos t, t sin t)/5 plus N(0, 0.2²) per axis (nodes
        // at most 0.03 apart along the curve).
        let roll = rows(ToyDensity.swissroll.sample(30_000, as: Double.self, using: &generator))
        let spiral = curveNodes(1.5 * Double.pi, 4.5 * Double.pi, intervals: 1000) { t in (t * cos(t) / 5, t * sin(t) / 5) }
        assertEntropy(.swissroll, monteCarloEntropy(roll) { p in mixtureDensity(p, spiral, 0.2) })
    }

    func testTwoSpiralsEntropyByMonteCarlo() {
        var generator = SeededGenerator(seed: 15)
        let points = rows(ToyDensity.twoSpirals.sample(30_000, as: Double.self, using: &generator))
        // An arm point is (a(n) + u/2)/3 + ε: per axis, a box of side 1/6 convolved with N(0, 0.1²), whose
        // density is 6[Φ(d/σ) − Φ((d − 1/6)/σ)] at offset d from the box's lower corner.
        // Nodes 3π/1500 apart in n are at most 0.02 apart along the arm, σ/5.
        let top = 3 * Double.pi, intervals = 1500, h = top / Double(intervals), σ = 0.1, side = 1.0 / 6
        let corners = (0...intervals).map { i -> (n: Double, x: Double, y: Double) in
            let n = Double(i) * h
            return (n, -n * cos(n) / 3, n * sin(n) / 3)
        }
        func phi(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
        func box(_ d: Double) -> Double { (phi(d / σ) - phi((d - side) / σ)) / side }
        func armDensity(_ x: Double, _ y: Double) -> Double {
            var sum = 0.0
            for (i, c) in corners.enumerated() {
                let dx = x - c.x, dy = y - c.y
                // Beyond 1 in either axis the box-and-noise density is below 10⁻²⁰.
                if abs(dx) > 1 || abs(dy) > 1 { continue }
                let weight = (i == 0 || i == intervals ? 0.5 : 1) * h * 2 * c.n / (top * top)
                sum += weight * box(dx) * box(dy)
            }
            return sum
        }
        // The second arm is the first negated.
        assertEntropy(.twoSpirals, monteCarloEntropy(points) { p in
            (armDensity(p[0], p[1]) + armDensity(-p[0], -p[1])) / 2
        })
    }

    func testPinwheelEntropyIsTheNonOverlappingBound() {
        // If the arms did not overlap, H = ln 5 + ln 4 (the ×2) + H(f) + E ln|det J|, with f's entropy
        // ½ln(2πe·0.3²) + ½ln(2πe·0.1²) and J the twist f ↦ R(−0.25·e^{f₀}) f, whose determinant is
        // 1 + 0.25·e^{f₀}·f₁ (up to the sign of f₁, which is symmetric).
        var generator = SeededGenerator(seed: 16)
        let logJacobians = (0..<200_000).map { _ -> Double in
            let f0 = 1 + 0.3 * generator.nextNormal(), f1 = 0.1 * generator.nextNormal()
            return log(abs(1 + 0.25 * exp(f0) * f1))
        }
        let (meanLogJacobian, standardError) = meanAndStandardError(logJacobians)
        let featureEntropy = 0.5 * log(2 * Double.pi * exp(1) * 0.09) + 0.5 * log(2 * Double.pi * exp(1) * 0.01)
        let bound = log(5) + log(4) + featureEntropy + meanLogJacobian
        print("entropy pinwheel: non-overlapping bound \(bound) ± \(standardError), documented \(ToyDensity.pinwheel.entropy)")
        XCTAssertEqual(ToyDensity.pinwheel.entropy, bound, accuracy: 0.01)
    }
}
