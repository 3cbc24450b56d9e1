/// The vector field dy/dt = f(t, y): writes f(time, state) into `derivative`, which arrives with the
/// state's length (array fields write in place; a tensor field assigns a new value).
public typealias VectorField<State> = (_ time: Double, _ state: State, _ derivative: inout State) throws -> Void
