import Dispatch
import Synchronization
import XCTest
import Autodiff

/// The default generator behind `Tensor.randomNormal(_:)` and the layers' generator-free initialisers:
/// seeded by `Random.seed(_:)`, equal to a fresh `SeededGenerator` of that seed, and safe from many threads.
final class DefaultRandomNumberGeneratorTests: XCTestCase {
    func testSeedingRestartsTheSequenceOfAFreshSeededGenerator() {
        for seed: UInt64 in [0, 7, 0xDEAD_BEEF] {
            Random.seed(seed)
            var shared = DefaultRandomNumberGenerator()
            var reference = SeededGenerator(seed: seed)
            let drawn = (0..<100).map { _ in shared.next() }
            let expected = (0..<100).map { _ in reference.next() }
            XCTAssertEqual(drawn, expected, "seed \(seed)")
        }
    }

    func testRandomTensorsWithoutAGeneratorAreReproducibleAfterSeeding() {
        Random.seed(11)
        let normal = Tensor<Double>.randomNormal([4, 3], mean: 1, standardDeviation: 2)
        let uniform = Tensor<Float>.randomUniform([5], lowerBound: -1, upperBound: 3)
        var reference = SeededGenerator(seed: 11)
        XCTAssertEqual(normal.scalars,
                       Tensor<Double>.randomNormal([4, 3], mean: 1, standardDeviation: 2, using: &reference).scalars)
        XCTAssertEqual(uniform.scalars,
                       Tensor<Float>.randomUniform([5], lowerBound: -1, upperBound: 3, using: &reference).scalars)

        Random.seed(11)
        XCTAssertEqual(Tensor<Double>.randomNormal([4, 3], mean: 1, standardDeviation: 2).scalars, normal.scalars,
                       "the same seed gives the same tensor")
        XCTAssertNotEqual(Tensor<Double>.randomNormal([4, 3], mean: 1, standardDeviation: 2).scalars, normal.scalars,
                          "without reseeding the sequence moves on")
    }

    func testAnyGeneratorGivesTheSameSamplesAsTheSeededGeneratorOnItsStream() {
        /// A generator of another type replaying a SeededGenerator's words.
        struct Replay: RandomNumberGenerator {
            var inner: SeededGenerator
            mutating func next() -> UInt64 { inner.next() }
        }
        var seeded = SeededGenerator(seed: 3)
        var replay = Replay(inner: SeededGenerator(seed: 3))
        XCTAssertEqual(Tensor<Double>.randomNormal([50], using: &replay).scalars,
                       (0..<50).map { _ in seeded.nextNormal() })
        XCTAssertEqual(Tensor<Double>.randomUniform([50], using: &replay).scalars,
                       (0..<50).map { _ in seeded.nextUniform() })
    }

    func testConcurrentDrawsNeitherLoseNorRepeatNumbers() {
        let seed: UInt64 = 2024
        let threads = 8, drawsPerThread = 2_000
        Random.seed(seed)
        let collected = Mutex<[UInt64]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var generator = DefaultRandomNumberGenerator()
            var mine: [UInt64] = []
            mine.reserveCapacity(drawsPerThread)
            for _ in 0..<drawsPerThread { mine.append(generator.next()) }
            collected.withLock { $0.append(contentsOf: mine) }
        }
        var reference = SeededGenerator(seed: seed)
        let expected = (0..<threads * drawsPerThread).map { _ in reference.next() }
        let drawn = collected.withLock { $0 }
        XCTAssertEqual(drawn.sorted(), expected.sorted(), "every draw is one of the sequence's, none twice")
        var shared = DefaultRandomNumberGenerator()
        XCTAssertEqual(shared.next(), reference.next(), "the shared sequence advanced by exactly the draws made")
    }
}
