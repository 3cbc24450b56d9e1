import XCTest
import Foundation
@testable import Autodiff

/// xoshiro256** seeded by SplitMix64, written here from the published algorithms (Blackman & Vigna,
/// "Scrambled linear pseudorandom number generators", 2018; Steele, Lea & Flood, SplitMix, 2014), as an
/// oracle independent of `SeededGenerator`.
struct ReferenceXoshiro {
    var s: [UInt64]

    static func splitMix64(_ x: inout UInt64) -> UInt64 {
        x = x &+ 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    init(seed: UInt64) {
        var x = seed
        s = (0..<4).map { _ in ReferenceXoshiro.splitMix64(&x) }
    }

    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    mutating func next() -> UInt64 {
        let result = ReferenceXoshiro.rotl(s[1] &* 5, 7) &* 9
        let t = s[1] << 17
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = ReferenceXoshiro.rotl(s[3], 45)
        return result
    }
}

final class RandomTests: XCTestCase {
    func testSplitMix64MatchesItsPublishedFirstOutput() {
        var x: UInt64 = 0
        XCTAssertEqual(ReferenceXoshiro.splitMix64(&x), 0xE220_A839_7B1D_CDAF, "SplitMix64(0) first output")
    }

    func testSeededGeneratorMatchesIndependentXoshiro256StarStar() {
        for seed: UInt64 in [0, 1, 42, 0xDEAD_BEEF, .max] {
            var generator = SeededGenerator(seed: seed)
            var reference = ReferenceXoshiro(seed: seed)
            XCTAssertEqual(generator.stateWords, reference.s, "seed \(seed): initial state")
            for i in 0..<1000 {
                let (a, b) = (generator.next(), reference.next())
                if a != b { XCTFail("seed \(seed): output \(i) is \(a), expected \(b)"); break }
            }
        }
    }

    func testUniformUsesTheTop53Bits() {
        var generator = SeededGenerator(seed: 7)
        var reference = ReferenceXoshiro(seed: 7)
        for _ in 0..<1000 {
            let u = generator.nextUniform()
            XCTAssertEqual(u, Double(reference.next() >> 11) / 9_007_199_254_740_992)
            XCTAssertTrue(u >= 0 && u < 1)
        }
    }

    func testSavedStateResumesTheSequenceExactly() throws {
        var generator = SeededGenerator(seed: 99)
        for _ in 0..<17 { _ = generator.next() }
        var resumed = SeededGenerator(state: generator.stateWords)
        let decoded = try JSONDecoder().decode(SeededGenerator.self, from: JSONEncoder().encode(generator))
        XCTAssertEqual(decoded, generator)
        var decodedCopy = decoded
        for _ in 0..<100 {
            let expected = generator.next()
            XCTAssertEqual(resumed.next(), expected)
            XCTAssertEqual(decodedCopy.next(), expected)
        }
    }

    func testDifferentSeedsGiveDifferentSequences() {
        var a = SeededGenerator(seed: 1), b = SeededGenerator(seed: 2)
        XCTAssertNotEqual((0..<4).map { _ in a.next() }, (0..<4).map { _ in b.next() })
    }

    func testNormalSamplesHaveMeanZeroAndUnitVariance() {
        var generator = SeededGenerator(seed: 2026)
        let n = 100_000
        let samples = (0..<n).map { _ in generator.nextNormal() }
        let mean = samples.reduce(0, +) / Double(n)
        let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        // Standard errors: 1/√n ≈ 0.0032 for the mean, √(2/n) ≈ 0.0045 for the variance; allow ~5σ.
        XCTAssertEqual(mean, 0, accuracy: 0.016)
        XCTAssertEqual(variance, 1, accuracy: 0.023)
        let within1 = Double(samples.filter { abs($0) < 1 }.count) / Double(n)
        XCTAssertEqual(within1, 0.682_689, accuracy: 0.008, "P(|Z| < 1)")
    }

    func checkTensorSampling<S: TensorScalar>(_: S.Type) {
        var g1 = SeededGenerator(seed: 5), g2 = SeededGenerator(seed: 5)
        let x = Tensor<S>.randomNormal([200, 50], mean: 2, standardDeviation: 3, using: &g1)
        let reference = (0..<10_000).map { _ in S(2 + 3 * g2.nextNormal()) }
        XCTAssertEqual(x.scalars, reference, "a sample is the Double sample, rounded")
        let mean = x.scalars.reduce(0.0) { $0 + Double($1) } / 10_000
        XCTAssertEqual(mean, 2, accuracy: 0.15)
        var g3 = SeededGenerator(seed: 6)
        let u = Tensor<S>.randomUniform([1000], lowerBound: -1, upperBound: 2, using: &g3)
        XCTAssertTrue(u.scalars.allSatisfy { $0 >= -1 && $0 <= 2 })
        XCTAssertEqual(u.scalars.reduce(0.0) { $0 + Double($1) } / 1000, 0.5, accuracy: 0.15)
    }

    func testTensorSamplingIsDeterministicAndCenteredFloat() { checkTensorSampling(Float.self) }
    func testTensorSamplingIsDeterministicAndCenteredDouble() { checkTensorSampling(Double.self) }
}
