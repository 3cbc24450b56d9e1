import Autodiff
import ODENet

/// y ↦ W₂ tanh(W₁ y³ + b₁) + b₂ (+ c·sin(t) when time-dependent), written with broadcasting and
/// sums only, so that the ODE-layer tests do not depend on the layers under test elsewhere.
final class SmallMLPDynamics<Scalar: TensorScalar>: Dynamics {
    let w1: Parameter<Scalar>, b1: Parameter<Scalar>, w2: Parameter<Scalar>, b2: Parameter<Scalar>
    let timeWeight: Parameter<Scalar>?

    init(dimension: Int = 2, hidden: Int = 8, timeDependent: Bool = false, seed: UInt64 = 7) {
        var g = SeededGenerator(seed: seed)
        w1 = Parameter(.randomNormal([hidden, dimension], standardDeviation: 0.5, using: &g))
        b1 = Parameter(.randomNormal([hidden], standardDeviation: 0.1, using: &g))
        w2 = Parameter(.randomNormal([dimension, hidden], standardDeviation: 0.5, using: &g))
        b2 = Parameter(.randomNormal([dimension], standardDeviation: 0.1, using: &g))
        timeWeight = timeDependent ? Parameter(.randomNormal([dimension], standardDeviation: 0.5, using: &g)) : nil
    }

    /// The dynamics with given weights (W₁ [hidden, d], b₁ [hidden], W₂ [d, hidden], b₂ [d]).
    init(w1: Tensor<Scalar>, b1: Tensor<Scalar>, w2: Tensor<Scalar>, b2: Tensor<Scalar>) {
        self.w1 = Parameter(w1)
        self.b1 = Parameter(b1)
        self.w2 = Parameter(w2)
        self.b2 = Parameter(b2)
        timeWeight = nil
    }

    static func affine(_ x: Tensor<Scalar>, _ w: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
        // x [B, in], w [out, in]  →  [B, out]
        (x.expandedDimensions(axis: 1) * w).sum(axis: 2) + b
    }

    func callAsFunction(_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let cube = state * state * state
        let hidden = tanh(Self.affine(cube, w1.value, b1.value))
        var out = Self.affine(hidden, w2.value, b2.value)
        if let timeWeight { out = out + sin(time * 3) * timeWeight.value }
        return out
    }
}
