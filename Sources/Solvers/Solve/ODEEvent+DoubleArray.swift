extension ODEEvent where State == [Double] {
    /// An event on a `[Double]` state, the form a closure declared on its own takes:
    ///
    ///     let ground = ODEEvent { _, y in y[0] }   // ODEEvent<[Double]>
    ///
    /// A closure's body does not tell Swift its parameter types, so without this initialiser the state type
    /// of an event declared apart from its `solve` cannot be inferred. For another state type, write it:
    /// `ODEEvent<[Float]> { _, y in Double(y[0]) }`, or declare the event in the `solve` call.
    ///
    /// - Parameters:
    ///   - direction: Which sign changes count.
    ///   - timeTolerance: The reported time is within this distance of the crossing (1e-10).
    ///   - action: What happens at a crossing (stop by default).
    ///   - interiorPoints: Points inside each step where g is sampled besides the step's end (10).
    ///   - function: g(t, y).
    public init(direction: Direction = .any, timeTolerance: Double = 1e-10, action: Action = .stop,
                interiorPoints: Int = 10, _ function: @escaping (_ time: Double, _ state: [Double]) throws -> Double) {
        self.function = function
        self.direction = direction
        self.timeTolerance = timeTolerance
        self.action = action
        self.interiorPoints = interiorPoints
    }
}
