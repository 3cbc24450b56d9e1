import Autodiff

/// How the gradient modes of an `ODEBlock` agree with each other and with finite differences.
public struct GradientComparison: CustomStringConvertible {
    /// One mode's gradient against another's (or against finite differences).
    public struct Entry: CustomStringConvertible {
        /// What was compared, e.g. "adjoint vs direct".
        public var label: String
        /// max |a − b| / max(|b|) over all parameters and the initial state: a relative difference that
        /// is not inflated by individual near-zero components.
        public var relativeDifference: Double
        public var description: String { "\(label): \(relativeDifference)" }
    }

    /// Every pairwise comparison made.
    public var entries: [Entry]
    /// The largest relative difference among `entries`.
    public var worstRelativeDifference: Double { entries.map(\.relativeDifference).max() ?? 0 }

    public var description: String {
        "gradient comparison (worst \(worstRelativeDifference)):\n" + entries.map { "  \($0)" }.joined(separator: "\n")
    }
}

extension ODEBlock where Scalar == Double {
    /// Compares the gradient of `loss(block(input))` with respect to the input and every parameter
    /// across the adjoint, direct and checkpointed modes and central finite differences (along
    /// `directions` seeded random directions, step `stepSize`). The block's own mode is restored.
    ///
    /// Use it to decide whether the adjoint can be trusted at your tolerances: the adjoint differs from
    /// the others by roughly the solve tolerance; direct and checkpointed agree to rounding.
    public func compareGradientModes(at input: Tensor<Double>, directions: Int = 5, stepSize: Double = 1e-5,
                                     loss: @escaping (Tensor<Double>) -> Tensor<Double> = { ($0 * $0).sum() })
        throws -> GradientComparison {
        let savedMode = gradientMode
        defer { gradientMode = savedMode }
        let parameters = dynamics.parameters(of: Double.self)
        let originals = parameters.map { $0.value }
        defer { for (p, v) in zip(parameters, originals) { p.value = v } }
        func gradient(_ mode: GradientMode) throws -> [Double] {
            gradientMode = mode
            BackwardFailure.clear()
            let (_, g) = try Autodiff.valueWithGradient(at: [input] + originals) { (xs: [Tensor<Double>]) -> Tensor<Double> in
                for (p, x) in zip(parameters, xs[1...]) { p.value = x }
                return loss(try self(xs[0]))
            }
            if let error = BackwardFailure.take() { throw error }
            return g.flatMap { $0.scalars }
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
        var generator = SeededGenerator(seed: 0xF1D1)
        let flat = ([input] + originals).flatMap { $0.scalars }
        let shapes = ([input] + originals).map { $0.shape }
        func value(_ point: [Double]) throws -> Double {
            var offset = 0
            var tensors: [Tensor<Double>] = []
            for shape in shapes {
                let count = shape.reduce(1, *)
                tensors.append(Tensor(shape: shape, scalars: Array(point[offset..<offset + count])))
                offset += count
            }
            for (p, x) in zip(parameters, tensors[1...]) { p.value = x }
            return try withoutRecording(Double.self) { try loss(self(tensors[0])).scalar }
        }
        for (name, g) in zip(modes.map(\.0), gradients) {
            var worst = 0.0
            var scale = 0.0
            for _ in 0..<directions {
                let d = (0..<flat.count).map { _ in generator.nextNormal() }
                let plus = zip(flat, d).map { $0 + stepSize * $1 }, minus = zip(flat, d).map { $0 - stepSize * $1 }
                let numeric = (try value(plus) - value(minus)) / (2 * stepSize)
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
