import Foundation
import Autodiff
import Solvers
import ODENet

// W2 (shared/peers/RESULTS.md): the ode_demo field f(y) = Linear(50→2)(tanh(Linear(2→50)(y³))), a batch
// of 20 initial states solved as one state, 10 output times t_k = 25·k/999, L1 loss, Dormand–Prince
// rtol 1e-7 atol 1e-9, full error norm, adjoint tolerances equal to the forward ones, Float.
// Inputs: the peers' w2_weights.json (committed as a test fixture); a seeded stand-in if it is missing.

/// The ode_demo vector field with the fused linear op.
final class ODEDemoField<Scalar: TensorScalar>: Dynamics {
    let l1Weight: Parameter<Scalar>, l1Bias: Parameter<Scalar>, l2Weight: Parameter<Scalar>, l2Bias: Parameter<Scalar>

    init(l1Weight: Tensor<Scalar>, l1Bias: Tensor<Scalar>, l2Weight: Tensor<Scalar>, l2Bias: Tensor<Scalar>) {
        self.l1Weight = Parameter(l1Weight)
        self.l1Bias = Parameter(l1Bias)
        self.l2Weight = Parameter(l2Weight)
        self.l2Bias = Parameter(l2Bias)
    }

    func callAsFunction(_ time: Tensor<Scalar>, _ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let hidden = linear(y * y * y, weight: l1Weight.value, bias: l1Bias.value, activation: .tanh)
        return linear(hidden, weight: l2Weight.value, bias: l2Bias.value)
    }
}

struct W2Inputs {
    var field: ODEDemoField<Float>
    var y0: Tensor<Float>
    var times: [Double]
    var target: Tensor<Float>

    static func load() -> W2Inputs {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tests/ODENetTests/Fixtures/w2_weights.json")
        if let data = try? Data(contentsOf: path),
           let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            func tensor(_ key: String) -> Tensor<Float> {
                func flat(_ v: Any) -> [Double] { (v as? [Any])?.flatMap(flat) ?? [(v as! NSNumber).doubleValue] }
                func shape(_ v: Any) -> [Int] { (v as? [Any]).map { [$0.count] + shape($0[0]) } ?? [] }
                return Tensor(shape: shape(json[key]!), scalars: flat(json[key]!).map { Float($0) })
            }
            return W2Inputs(field: ODEDemoField(l1Weight: tensor("l1.weight"), l1Bias: tensor("l1.bias"),
                                                l2Weight: tensor("l2.weight"), l2Bias: tensor("l2.bias")),
                            y0: tensor("y0"), times: tensor("t").scalars.map { Double($0) }, target: tensor("target"))
        }
        var g = SeededGenerator(seed: 1234)
        let field = ODEDemoField<Float>(l1Weight: .randomNormal([50, 2], standardDeviation: 0.1, using: &g),
                                        l1Bias: .randomNormal([50], standardDeviation: 0.1, using: &g),
                                        l2Weight: .randomNormal([2, 50], standardDeviation: 0.1, using: &g),
                                        l2Bias: .randomNormal([2], standardDeviation: 0.1, using: &g))
        return W2Inputs(field: field, y0: .randomUniform([20, 2], lowerBound: -2, upperBound: 2, using: &g),
                        times: (0..<10).map { 25 * Double($0) / 999 },
                        target: .randomUniform([10, 20, 2], lowerBound: -2, upperBound: 2, using: &g))
    }
}

private func w2Run(_ mode: GradientMode?, name: String) throws -> [BenchmarkResult] {
    let inputs = W2Inputs.load()
    let block = ODEBlock(inputs.field, method: .dormandPrince54, relativeTolerance: 1e-7, absoluteTolerance: 1e-9,
                         gradientMode: mode ?? .adjoint())
    var loss: Float = 0
    let seconds: Double
    if let _ = mode {
        seconds = try medianSeconds {
            let (value, _) = try valueWithGradient(at: inputs.field) {
                l1Loss(predictions: try block.trajectory(from: inputs.y0, at: inputs.times), targets: inputs.target)
            }
            loss = value.scalar
        }
    } else {
        seconds = try medianSeconds {
            let path = try block.trajectory(from: inputs.y0, at: inputs.times)
            loss = l1Loss(predictions: path, targets: inputs.target).scalar
        }
    }
    return [BenchmarkResult(name: name, value: seconds * 1e3, unit: "ms",
                            extra: ["nfe_forward": block.statistics.forwardEvaluations,
                                    "nfe_backward": block.statistics.backwardEvaluations,
                                    "loss": Double(loss)])]
}

let w2Benchmarks: [Benchmark] = [
    Benchmark(name: "w2.forward") { try w2Run(nil, name: "w2.forward") },
    Benchmark(name: "w2.adjoint") { try w2Run(.adjoint(), name: "w2.adjoint") },
    Benchmark(name: "w2.direct") { try w2Run(.direct, name: "w2.direct") },
    Benchmark(name: "w2.checkpointed") { try w2Run(.checkpointed, name: "w2.checkpointed") },
]
