#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension StepSizeController {
    /// Chooses the first step's magnitude by the algorithm of Hairer, Nørsett & Wanner, *Solving ODEs I*,
    /// §II.4 (code HINIT): with d₀ = ‖y₀‖, d₁ = ‖f₀‖ (scaled by atol + rtol·|y₀|), try h₀ = 0.01·d₀/d₁,
    /// estimate the second derivative d₂ from one more evaluation, and take
    /// h = min(100·h₀, (0.01 / max(d₁, d₂))^(1/(q+1))). Costs one evaluation.
    ///
    /// `derivative` is f(t₀, y₀); `scratch` and `probe` are state-sized buffers it overwrites.
    ///
    /// - Parameters:
    ///   - f: The vector field.
    ///   - t0: The initial time.
    ///   - y0: The initial state.
    ///   - f0: f(t₀, y₀).
    ///   - direction: +1 to integrate forwards, −1 backwards.
    ///   - q: The order of the method's error estimate.
    ///   - scratch: A state-sized buffer it overwrites.
    ///   - probe: Another state-sized buffer it overwrites.
    ///   - evaluations: Incremented by the evaluations of `f` made.
    /// - Returns: The magnitude of the first step.
    /// - Throws: What `f` throws.
    @inlinable
    public func initialStepSize<State: ODEState>(_ f: VectorField<State>, time t0: Double, state y0: State,
                                                 derivative f0: State, direction: Double, errorEstimateOrder q: Int,
                                                 scratch: inout State, probe: inout State,
                                                 evaluations: inout Int) throws -> Double {
        func scaled(_ x: State) -> Double {
            norm.scaledNorm(of: x, start: y0, end: y0, relativeTolerance: relativeTolerance,
                            absoluteTolerance: absoluteTolerance)
        }
        let d0 = scaled(y0)
        let d1 = scaled(f0)
        var h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1
        if !h0.isFinite { h0 = 1e-6 }
        h0 = min(h0, maximumStepSize)
        scratch.setLinearCombination(base: y0, coefficients: [direction * h0], terms: [f0])
        try f(t0 + direction * h0, scratch, &probe)
        evaluations += 1
        scratch.setLinearCombination(base: probe, coefficients: [-1], terms: [f0])
        let d2 = scaled(scratch) / h0
        let largest = max(d1, d2)
        let h1 = largest <= 1e-15 || !largest.isFinite ? max(1e-6, h0 * 1e-3)
            : pow(0.01 / largest, 1 / Double(q + 1))
        return min(maximumStepSize, max(minimumStepSize, min(100 * h0, h1)))
    }
}
