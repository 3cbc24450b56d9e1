extension ODESolution {
    /// The solution at `time`, from the dense output: `solution(t)`.
    ///
    ///     let solution = try solve(problem, using: .dormandPrince54, controller: controller, saveAt: .dense)
    ///     let y = try solution(0.25)
    ///
    /// Between steps the state comes from the method's continuous extension (exact stored states at step
    /// boundaries and at `finalTime`); the solved interval runs from the initial time to `finalTime`, which
    /// is the event time when a terminal event stopped the solve.
    ///
    /// - Parameter time: A time within the solved interval.
    /// - Returns: The state at `time`.
    /// - Throws: ``SolverError/denseOutputNotSaved`` when the solve did not keep dense output (pass
    ///   `saveAt: .dense`, or `SaveAt(…, dense: true)`); `SolverError.evaluationTimeOutsideSolution` when
    ///   `time` lies outside the solved interval.
    @inlinable
    public func callAsFunction(_ time: Double) throws -> State {
        guard let denseOutput else { throw SolverError.denseOutputNotSaved }
        let start = denseOutput.starts.first ?? finalTime
        let direction: Double = finalTime >= start ? 1 : -1
        guard (time - start) * direction >= 0 && (finalTime - time) * direction >= 0 else {
            throw SolverError.evaluationTimeOutsideSolution(time: time, start: start, end: finalTime)
        }
        if time == finalTime { return finalState }
        return try denseOutput.state(at: time)
    }
}
