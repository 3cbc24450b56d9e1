// The same consumer with Foundation imported too: the re-exported C library must not make `cos` ambiguous.
import Foundation
import ODENet

/// As `consumerWithoutFoundation`, with Foundation in scope.
func consumerWithFoundation() throws -> (cosine: Double, solved: Double, gradient: Double) {
    let angle = 0.5
    let cosine = cos(angle) + sin(angle) * 0 + exp(0.0) - 1
    var generator = SeededGenerator(seed: 1)
    let problem = ODEProblem(timeSpan: TimeSpan(start: 0, end: 1), initialState: [1.0]) { _, y, dy in dy[0] = -y[0] }
    let solution = try solve(problem, using: .dormandPrince54,
                             controller: StepSizeController(relativeTolerance: 1e-8, absoluteTolerance: 1e-10))
    let x = Tensor<Double>.randomNormal([3], using: &generator)
    let g = try gradient(at: x) { ($0 * $0).sum() }
    return (cosine, solution.finalState[0], abs(g - 2 * x).max().scalar)
}
