import XCTest
import Autodiff
@testable import ODENet

/// Parameters of shapes [2, 3] and [3] with fixed values, and a fixed sequence of gradients for them.
struct OptimizerFixture {
    static let shapes = [[2, 3], [3]]

    static func parameters() -> [Parameter<Double>] {
        var generator = SeededGenerator(seed: 11)
        return shapes.map { Parameter(Tensor<Double>.randomNormal($0, using: &generator)) }
    }

    /// The gradients of step `step` (0-based), the same on every call.
    static func gradients(step: Int) -> [Tensor<Double>] {
        var generator = SeededGenerator(seed: 100 + UInt64(step))
        return shapes.map { Tensor<Double>.randomNormal($0, using: &generator) }
    }

    /// Runs `steps` updates and returns each parameter's flat values afterwards.
    static func run<O: Optimizer>(_ optimizer: O, steps: Int) -> [[Double]] where O.Scalar == Double {
        let parameters = parameters()
        for step in 0..<steps { optimizer.update(parameters, along: gradients(step: step)) }
        return parameters.map(\.value.scalars)
    }

    /// Applies `reference` (one element's update: θ, g, step from 1, per-element state) to the fixture
    /// with plain Double loops and returns the flat values after `steps` steps.
    static func reference(steps: Int, state count: Int,
                          _ update: (_ theta: inout Double, _ g: Double, _ t: Int, _ state: inout [Double]) -> Void)
        -> [[Double]] {
        var values = parameters().map(\.value.scalars)
        var states = values.map { $0.map { _ in [Double](repeating: 0, count: count) } }
        for step in 0..<steps {
            let g = gradients(step: step).map(\.scalars)
            for p in values.indices {
                for i in values[p].indices { update(&values[p][i], g[p][i], step + 1, &states[p][i]) }
            }
        }
        return values
    }
}

/// Asserts that two nested arrays agree element by element within `tolerance` (relative to max(1, |x|)).
func assertClose(_ actual: [[Double]], _ expected: [[Double]], tolerance: Double = 1e-13,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.map(\.count), expected.map(\.count), "shapes differ", file: file, line: line)
    for (a, e) in zip(actual.joined(), expected.joined()) {
        XCTAssertEqual(a, e, accuracy: tolerance * max(1, abs(e)), file: file, line: line)
    }
}
