import Autodiff

extension DifferentiableSolve {
    /// Gradients for the output times in the modes that differentiate through the solver (direct and
    /// checkpointed), from the flow map's derivatives: with z_k = Φ(t_k; t₀, z₀),
    ///
    ///     ∂z_k/∂t_k = f(t_k, z_k)  (k ≥ 1),   ∂z_k/∂t₀ = −(∂z_k/∂z₀)·f(t₀, z₀),
    ///
    /// so ∂L/∂t_k = ⟨g_k, f(t_k, z_k)⟩ for the cotangent g_k of output k, and ∂L/∂t₀ = −⟨ḡ − g₀, f(t₀, z₀)⟩
    /// where ḡ is the cotangent that reaches z₀ through the solve and g₀ that of output 0 (z₀ itself). Two
    /// identity operations carry them: one on z₀ before the solve (the −⟨ḡ, f(t₀, z₀)⟩ part) and one on the
    /// stacked outputs (⟨g_k, f(t_k, z_k)⟩ for every k, which for k = 0 cancels output 0's share of ḡ). The
    /// adjoint's ∂L/∂t is the same quantity (the paper's eq. 4, a(t)ᵀf). One field evaluation per output
    /// time and one at t₀, counted as backward evaluations. First order only: differentiating these time
    /// gradients again throws `AutodiffError.notDifferentiableTwice`.
    ///
    /// - Parameters:
    ///   - z0: the initial state.
    ///   - timeTensor: the output times, recorded.
    ///   - times: their values.
    ///   - trajectory: the mode's solve from a start state to the stacked outputs `[T, …]`.
    /// - Returns: the outputs, recorded with the times as inputs.
    func timeDifferentiable(from z0: Tensor<Scalar>, timeTensor: Tensor<Scalar>, times: [Double],
                            _ trajectory: (Tensor<Scalar>) throws -> Tensor<Scalar>) throws -> Tensor<Scalar> {
        let dynamics = self.dynamics, recorder = self.recorder, count = times.count
        /// f(t, z) off the tape, as a flat array of Double.
        func rate(_ t: Double, _ z: Tensor<Scalar>) throws -> [Double] {
            try withoutRecording(Scalar.self) { try dynamics(Tensor(Scalar(t)), z) }.scalars.map { Double($0) }
        }
        func dot(_ g: Tensor<Scalar>, _ f: [Double]) -> Double {
            zip(g.scalars, f).reduce(0) { $0 + Double($1.0) * $1.1 }
        }
        let initial = withoutDerivative(at: z0)
        let start = customDifferentiable(inputs: [z0, timeTensor], value: initial,
                                         operation: "time gradient of a solve (start)") { g in
            let f0 = try rate(times[0], initial)
            recorder.addBackward(evaluations: count + 1)   // runs last: after the mode's own backward pass
            var dt = [Scalar](repeating: 0, count: count)
            dt[0] = Scalar(-dot(g, f0))
            return [g, Tensor(shape: [count], scalars: dt)]
        }
        let outputs = try trajectory(start)
        let values = withoutDerivative(at: outputs)
        return customDifferentiable(inputs: [outputs, timeTensor], value: values,
                                    operation: "time gradient of a solve (outputs)") { g in
            var dt = [Scalar](repeating: 0, count: count)
            try withoutRecording(Scalar.self) {
                for k in 0..<count {
                    let state = values.sliced(k..<(k + 1), axis: 0).squeezed(axis: 0)
                    let cotangent = g.sliced(k..<(k + 1), axis: 0).squeezed(axis: 0)
                    dt[k] = Scalar(dot(cotangent, try rate(times[k], state)))
                }
            }
            return [g, Tensor(shape: [count], scalars: dt)]
        }
    }
}
