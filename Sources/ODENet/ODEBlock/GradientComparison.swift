import Autodiff

/// How the gradient modes of an ``ODEBlock`` agree with each other and with finite differences.
public struct GradientComparison: CustomStringConvertible {
    /// One mode's gradient against another's (or against finite differences).
    public struct Entry: CustomStringConvertible {
        /// What was compared, e.g. "adjoint vs direct".
        public var label: String
        /// max |a − b| / max(|b|) over all parameters and the initial state: a relative difference that
        /// is not inflated by individual near-zero components.
        public var relativeDifference: Double
        /// `label: difference`.
        public var description: String { "\(label): \(relativeDifference)" }
    }

    /// Every pairwise comparison made.
    public var entries: [Entry]
    /// The largest relative difference among `entries`.
    public var worstRelativeDifference: Double { entries.map(\.relativeDifference).max() ?? 0 }

    /// One line per comparison under a heading with the worst.
    public var description: String {
        "gradient comparison (worst \(worstRelativeDifference)):\n" + entries.map { "  \($0)" }.joined(separator: "\n")
    }
}

extension ODEBlock {
    /// Compares the gradient of the loss with respect to the input and every parameter across the adjoint,
    /// direct and checkpointed modes and central finite differences (along `directions` seeded random
    /// directions). The block's own mode and parameter values are restored.
    ///
    /// Use it to decide whether the adjoint can be trusted at your tolerances: the adjoint differs from
    /// the others by roughly the solve tolerance; direct and checkpointed agree to rounding. In `Float`
    /// the finite differences themselves are good to about 1e-3 relative.
    ///
    /// - Parameters:
    ///   - input: the initial state.
    ///   - times: when given, the loss receives the trajectory at these times (`trajectory(from:at:)`);
    ///     otherwise the final state (`callAsFunction`).
    ///   - directions: the number of random directions of the finite-difference check.
    ///   - stepSize: the finite-difference step; `nil` uses ε^(1/3) of the scalar type (6e-6 in Double,
    ///     5e-3 in Float), which balances truncation and rounding error.
    ///   - loss: a scalar function of the block's output (by default the sum of squares).
    /// - Returns: the pairwise relative differences.
    /// - Throws: what the solves or `loss` throw.
    public func compareGradientModes(
        at input: Tensor<Scalar>, times: [Double]? = nil, directions: Int = 5, stepSize: Double? = nil,
        loss: @escaping (Tensor<Scalar>) throws -> Tensor<Scalar> = { ($0 * $0).sum() }
    ) throws -> GradientComparison {
        let savedMode = gradientMode
        defer { gradientMode = savedMode }
        let parameters = dynamics.parameters(of: Scalar.self)
        let originals = parameters.map { $0.value }
        defer { for (p, v) in zip(parameters, originals) { p.value = v } }
        func output(_ z0: Tensor<Scalar>) throws -> Tensor<Scalar> {
            if let times { return try trajectory(from: z0, at: times) }
            return try self(z0)
        }
        func gradient(_ mode: GradientMode) throws -> [Double] {
            gradientMode = mode
            let (_, g) = try valueWithGradient(at: self, input) { try loss(try output($0)) }
            return ([g.input] + g.parameters).flatMap { $0.scalars.map(Double.init) }
        }
        let modes: [(String, GradientMode)] = [("adjoint", .adjoint()), ("direct", .direct),
                                               ("checkpointed", .checkpointed)]
        let gradients = try modes.map { try gradient($0.1) }
        var entries: [GradientComparison.Entry] = []
        for i in 0..<modes.count {
            for j in (i + 1)..<modes.count {
                entries.append(.init(label: "\(modes[i].0) vs \(modes[j].0)",
                                     relativeDifference: Self.relativeDifference(gradients[i], gradients[j])))
            }
        }
        // Finite differences of the forward map along random directions, against each mode.
        gradientMode = .direct
        let h = stepSize ?? cbrt(Double(Scalar.ulpOfOne))
        var generator = SeededGenerator(seed: 0xF1D1)
        let flat = ([input] + originals).flatMap { $0.scalars.map(Double.init) }
        let shapes = ([input] + originals).map { $0.shape }
        func value(_ point: [Double]) throws -> Double {
            var offset = 0
            var tensors: [Tensor<Scalar>] = []
            for shape in shapes {
                let count = shape.reduce(1, *)
                tensors.append(Tensor(shape: shape, scalars: point[offset..<offset + count].map { Scalar($0) }))
                offset += count
            }
            for (p, x) in zip(parameters, tensors[1...]) { p.value = x }
            return try withoutRecording(Scalar.self) { Double(try loss(try output(tensors[0])).scalar) }
        }
        for (name, g) in zip(modes.map(\.0), gradients) {
            var worst = 0.0
            var scale = 0.0
            for _ in 0..<directions {
                let d = (0..<flat.count).map { _ in generator.nextNormal() }
                let plus = zip(flat, d).map { $0 + h * $1 }, minus = zip(flat, d).map { $0 - h * $1 }
                let numeric = (try value(plus) - value(minus)) / (2 * h)
                let analytic = zip(g, d).reduce(0) { $0 + $1.0 * $1.1 }
                worst = Swift.max(worst, abs(numeric - analytic))
                scale = Swift.max(scale, abs(analytic))
            }
            entries.append(.init(label: "\(name) vs finite differences", relativeDifference: worst / Swift.max(scale, 1e-300)))
        }
        return GradientComparison(entries: entries)
    }

    static func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
        let scale = b.map(abs).max() ?? 0
        let difference = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        return difference / Swift.max(scale, 1e-300)
    }
}

