// A consumer that imports ODENet and nothing else (no Foundation, no XCTest in this file): everything the
// README's API tour names must be in scope, and `cos` on a `Double` must resolve to libm.
import ODENet

/// Uses the tensor, the solvers and libm through `import ODENet` alone; returns a few numbers to check.
func consumerWithoutFoundation() throws -> (cosine: Double, solved: Double, gradient: Double) {
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
