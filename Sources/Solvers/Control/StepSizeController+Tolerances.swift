// Controllers from tolerances held in `Double` and `[Double]` variables:
//
//     let rtol = 1e-6, atol = 1e-9
//     let controller = StepSizeController(relativeTolerance: rtol, absoluteTolerance: atol)
//
// Literals keep going to the `Tolerance` form (these overloads are disfavoured, so that `0` is not
// ambiguous between `Double` and `Tolerance`), which also takes mixed forms: `(relativeTolerance: 1e-6,
// absoluteTolerance: [1e-9, 1e-6])`, or `Tolerance(rtol)` beside `.perComponent(atols)`.
extension StepSizeController {
    /// A controller with one relative and one absolute tolerance for every component, and default settings.
    ///
    /// - Parameters:
    ///   - relativeTolerance: rtol, finite and ≥ 0.
    ///   - absoluteTolerance: atol, finite and ≥ 0 (not both zero).
    ///   - norm: The norm of the scaled error (RMS).
    @_disfavoredOverload
    public init(relativeTolerance: Double, absoluteTolerance: Double, norm: ErrorNorm = .rms) {
        self.init(relativeTolerance: .scalar(relativeTolerance), absoluteTolerance: .scalar(absoluteTolerance),
                  norm: norm)
    }

    /// A controller with a relative and an absolute tolerance per component, and default settings.
    ///
    /// - Parameters:
    ///   - relativeTolerance: rtol for each component of the state, finite and ≥ 0.
    ///   - absoluteTolerance: atol for each component of the state, finite and ≥ 0 (not both zero for a
    ///     component).
    ///   - norm: The norm of the scaled error (RMS).
    @_disfavoredOverload
    public init(relativeTolerance: [Double], absoluteTolerance: [Double], norm: ErrorNorm = .rms) {
        self.init(relativeTolerance: .perComponent(relativeTolerance),
                  absoluteTolerance: .perComponent(absoluteTolerance), norm: norm)
    }
}
