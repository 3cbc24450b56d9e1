extension Integrator {
    /// The error ratio of the last accepted step — its local error estimate ‖e / (atol + rtol·max(|y₀|, |y₁|))‖ —
    /// measured with `norm` and the given tolerances instead of the controller's (pass the controller's to
    /// read the ratio the step was accepted with). Call it right after `step()` returned `true`.
    ///
    /// Diagnostics use it to put the error two solves were allowed to make on one scale (the adjoint's
    /// drift statistic measures the backward steps' state components with the forward tolerances).
    ///
    /// - Parameters:
    ///   - norm: the norm (a seminorm picks components).
    ///   - relativeTolerance: rtol of the scale.
    ///   - absoluteTolerance: atol of the scale.
    /// - Returns: the ratio, or `nil` when the method has no error estimate or no step has been taken.
    @inlinable
    public func lastStepErrorRatio(norm: ErrorNorm, relativeTolerance: Tolerance,
                                   absoluteTolerance: Tolerance) -> Double? {
        guard needsAdvance, workspace.packed.e != nil else { return nil }
        return errorRatio(error: workspace.error, secondaryError: workspace.secondaryErrorEstimate,
                          start: _previousState, end: _state, relativeTolerance: relativeTolerance,
                          absoluteTolerance: absoluteTolerance, norm: norm)
    }
}
