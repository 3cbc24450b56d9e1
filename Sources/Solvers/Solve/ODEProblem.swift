/// An initial-value problem dy/dt = f(t, y), y(start) = initialState.
public struct ODEProblem<State: ODEState> {
    /// The vector field f.
    public var function: VectorField<State>
    /// y(t₀).
    public var initialState: State
    /// [t₀, t₁].
    public var timeSpan: TimeSpan

    /// A problem from its vector field, initial state and span.
    ///
    /// - Parameters:
    ///   - timeSpan: [t₀, t₁]; t₁ may precede t₀ (backward integration).
    ///   - initialState: y(t₀).
    ///   - function: The vector field, writing f(t, y) into its third argument.
    public init(timeSpan: TimeSpan, initialState: State, function: @escaping VectorField<State>) {
        self.function = function
        self.initialState = initialState
        self.timeSpan = timeSpan
    }
}
