import Dispatch
import XCTest
import Autodiff
import ODENet

/// Layers built without a generator draw from the default one: reproducible after `Random.seed(_:)`,
/// the same weights as an explicit `SeededGenerator` of that seed, and safe to build from many threads.
final class DefaultInitializationTests: XCTestCase {
    func values<M: TypedModule>(_ module: M) -> [[M.ParameterScalar]] { module.parameters.map(\.value.scalars) }

    func testDefaultLayersEqualLayersFromAFreshSeededGeneratorOfTheSeed() {
        Random.seed(7)
        let linear = Linear<Float>(2, 8)
        let conv = Conv2d<Double>(3, 4, kernelSize: 3, padding: 1)
        let concat = ConcatConv2d<Float>(2, 3)
        let timed = TimeConcatenatedLinear<Double>(2, 5, activation: .tanh)
        let weight: Tensor<Float> = Initialization.kaimingUniform([6, 4])

        var g = SeededGenerator(seed: 7)
        XCTAssertEqual(values(linear), values(Linear<Float>(2, 8, using: &g)))
        XCTAssertEqual(values(conv), values(Conv2d<Double>(3, 4, kernelSize: 3, padding: 1, using: &g)))
        XCTAssertEqual(values(concat), values(ConcatConv2d<Float>(2, 3, using: &g)))
        XCTAssertEqual(values(timed), values(TimeConcatenatedLinear<Double>(2, 5, activation: .tanh, using: &g)))
        XCTAssertEqual(weight.scalars, (Initialization.kaimingUniform([6, 4], using: &g) as Tensor<Float>).scalars)
        XCTAssertEqual(timed.layer.activation, .tanh)
        XCTAssertEqual(conv.padding, 1)
    }

    func testReseedingReproducesAndNotReseedingDiffers() {
        Random.seed(123)
        let first = values(Linear<Float>(4, 16))
        let second = values(Linear<Float>(4, 16))
        Random.seed(123)
        let again = values(Linear<Float>(4, 16))
        XCTAssertEqual(again, first, "same seed, same weights")
        XCTAssertNotEqual(second, first, "the next layer draws fresh numbers")
        Random.seed(124)
        XCTAssertNotEqual(values(Linear<Float>(4, 16)), first, "another seed, other weights")
    }

    func testAnyRandomNumberGeneratorInitialisesWithinPyTorchsBound() {
        var system = SystemRandomNumberGenerator()
        let layer = Linear<Double>(9, 3, using: &system)
        let bound = 1 / 9.0.squareRoot()
        for parameter in layer.parameters {
            XCTAssertTrue(parameter.value.scalars.allSatisfy { abs($0) <= bound }, "\(parameter.value.scalars)")
        }
    }

    func testLayersBuiltOnManyThreadsUseEachDrawOnce() {
        // Each Linear(2, 8) draws 16 weights and 8 biases, one 64-bit word each.
        let threads = 8, layersPerThread = 40, drawsPerLayer = 24
        Random.seed(99)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            for _ in 0..<layersPerThread {
                let layer = Linear<Float>(2, 8)
                XCTAssertEqual(layer.parameterCount, drawsPerLayer)
            }
        }
        var reference = SeededGenerator(seed: 99)
        for _ in 0..<threads * layersPerThread * drawsPerLayer { _ = reference.next() }
        var shared = DefaultRandomNumberGenerator()
        XCTAssertEqual(shared.next(), reference.next(), "no draw lost or repeated under concurrency")
    }
}
