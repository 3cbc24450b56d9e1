/// Recording operations on the current tape. Every differentiable op computes its value on plain
/// buffers, then calls one of these with a pullback; when no input is on the calling thread's tape
/// (nothing is being differentiated, or inside `withoutDerivative`) the value is returned as is and
/// the pullback is never created.
extension Tensor {
    /// Whether this tensor is a node of `tape`.
    @inlinable
    func node(on tape: Tape<Scalar>) -> Int {
        tapeIdentity == tape.identity ? tapeNode : -1
    }

    /// Attaches this (freshly computed) tensor to `tape` as `node`.
    @inlinable
    func attached(to tape: Tape<Scalar>, node: Int) -> Tensor {
        var result = self
        result.tapeIdentity = tape.identity
        result.tapeNode = node
        return result
    }

    /// Whether operations on this tensor are currently being recorded.
    @inlinable
    public var isRecorded: Bool {
        guard let tape = Tape<Scalar>.current else { return false }
        return node(on: tape) >= 0
    }

    /// Records a one-input operation: `value = op(input)`, `pullback(v) = vᵀ ∂op/∂input`.
    ///
    /// - Parameters:
    ///   - value: The result, computed from `input` without recording.
    ///   - input: The operation's input.
    ///   - operation: The op's name for anomaly detection (the calling function's, by default).
    ///   - pullback: Maps the cotangent of `value` to the cotangent of `input`.
    /// - Returns: `value`, recorded on the current tape when `input` is (as is otherwise).
    @inlinable
    public static func record(_ value: Tensor, input: Tensor, operation: StaticString = #function,
                              pullback: @escaping (Tensor) throws -> Tensor) -> Tensor {
        let result = recordOnTape(value, input: input, operation: operation, pullback: pullback)
        if forwardModeIsActive {
            propagateTangentThroughPullback(to: result, inputs: [input]) { g, _ in [try pullback(g)] }
        }
        return result
    }

    /// Records a one-input operation with its tangent rule, used by native forward mode (`jvp(at:along:of:)`)
    /// instead of the pullback.
    ///
    /// - Parameters:
    ///   - value: The result, computed from `input` without recording.
    ///   - input: The operation's input.
    ///   - operation: The op's name (the calling function's, by default).
    ///   - tangent: Maps the tangent of `input` to the tangent of `value` (∂op/∂input · t), with the
    ///     library's differentiable ops; given the recorded value as its second argument.
    ///   - pullback: Maps the cotangent of `value` to the cotangent of `input`.
    /// - Returns: `value`, recorded on the current tape when `input` is (as is otherwise).
    @inlinable
    public static func record(_ value: Tensor, input: Tensor, operation: StaticString = #function,
                              tangent: (_ t: Tensor, _ value: Tensor) throws -> Tensor,
                              pullback: @escaping (Tensor) throws -> Tensor) -> Tensor {
        let result = recordOnTape(value, input: input, operation: operation, pullback: pullback)
        if forwardModeIsActive {
            propagateTangent(to: result, input: input) { try tangent($0, result) }
        }
        return result
    }

    /// Records an element-wise one-input operation (its Jacobian is diagonal, so the pullback is also its
    /// tangent rule).
    @inlinable
    static func recordElementwise(_ value: Tensor, input: Tensor, operation: StaticString = #function,
                                  pullback: @escaping (Tensor) throws -> Tensor) -> Tensor {
        let result = recordOnTape(value, input: input, operation: operation, pullback: pullback)
        if forwardModeIsActive {
            propagateTangent(to: result, input: input, rule: pullback)
        }
        return result
    }

    /// The tape half of the one-input `record`.
    @inlinable
    static func recordOnTape(_ value: Tensor, input: Tensor, operation: StaticString,
                             pullback: @escaping (Tensor) throws -> Tensor) -> Tensor {
        guard let tape = Tape<Scalar>.current else { return value }
        let first = input.node(on: tape)
        guard first >= 0 else { return value }
        let node = tape.append(.init(first: first, second: -1, others: nil, pullback: .unary(pullback),
                                     operation: operation))
        return value.attached(to: tape, node: node)
    }

    /// Records a two-input operation. The pullback receives the cotangent and whether each input
    /// needs its cotangent (skip the work for one that does not), and returns both.
    ///
    /// - Parameters:
    ///   - value: The result, computed from the inputs without recording.
    ///   - first: The first input.
    ///   - second: The second input.
    ///   - operation: The op's name for anomaly detection (the calling function's, by default).
    ///   - pullback: Maps the cotangent of `value` to the inputs' cotangents (nil for an input that needs none).
    /// - Returns: `value`, recorded on the current tape when an input is (as is otherwise).
    @inlinable
    public static func record(
        _ value: Tensor, inputs first: Tensor, _ second: Tensor, operation: StaticString = #function,
        pullback: @escaping (Tensor, _ needsFirst: Bool, _ needsSecond: Bool) throws -> (Tensor?, Tensor?)
    ) -> Tensor {
        let result = recordOnTape(value, inputs: first, second, operation: operation, pullback: pullback)
        if forwardModeIsActive {
            propagateTangentThroughPullback(to: result, inputs: [first, second]) { g, needs in
                let (a, b) = try pullback(g, needs[0], needs[1])
                return [a, b]
            }
        }
        return result
    }

    /// Records a two-input operation with its tangent rule, used by native forward mode instead of the
    /// pullback.
    ///
    /// - Parameters:
    ///   - value: The result, computed from the inputs without recording.
    ///   - first: The first input.
    ///   - second: The second input.
    ///   - operation: The op's name (the calling function's, by default).
    ///   - tangent: Maps the inputs' tangents (nil for an input without one) and the recorded value to the
    ///     tangent of `value`, with the library's differentiable ops.
    ///   - pullback: Maps the cotangent of `value` to the inputs' cotangents (nil for an input that needs none).
    /// - Returns: `value`, recorded on the current tape when an input is (as is otherwise).
    @inlinable
    public static func record(
        _ value: Tensor, inputs first: Tensor, _ second: Tensor, operation: StaticString = #function,
        tangent: (_ first: Tensor?, _ second: Tensor?, _ value: Tensor) throws -> Tensor,
        pullback: @escaping (Tensor, _ needsFirst: Bool, _ needsSecond: Bool) throws -> (Tensor?, Tensor?)
    ) -> Tensor {
        let result = recordOnTape(value, inputs: first, second, operation: operation, pullback: pullback)
        if forwardModeIsActive {
            propagateTangent(to: result, inputs: first, second) { try tangent($0, $1, result) }
        }
        return result
    }

    /// The tape half of the two-input `record`.
    @inlinable
    static func recordOnTape(
        _ value: Tensor, inputs first: Tensor, _ second: Tensor, operation: StaticString,
        pullback: @escaping (Tensor, _ needsFirst: Bool, _ needsSecond: Bool) throws -> (Tensor?, Tensor?)
    ) -> Tensor {
        guard let tape = Tape<Scalar>.current else { return value }
        let a = first.node(on: tape), b = second.node(on: tape)
        guard a >= 0 || b >= 0 else { return value }
        let node = tape.append(.init(first: a, second: b, others: nil, pullback: .binary(pullback),
                                     operation: operation))
        return value.attached(to: tape, node: node)
    }

    /// Records a three-input operation (a fused layer: input, weight, bias) without building arrays. The
    /// pullback receives the cotangent and whether each input needs its cotangent, and returns all three.
    ///
    /// - Parameters:
    ///   - value: The result, computed from the inputs without recording.
    ///   - first: The first input.
    ///   - second: The second input.
    ///   - third: The third input.
    ///   - operation: The op's name for anomaly detection (the calling function's, by default).
    ///   - pullback: Maps the cotangent of `value` to the inputs' cotangents (nil for an input that needs none).
    /// - Returns: `value`, recorded on the current tape when an input is (as is otherwise).
    @inlinable
    public static func record(
        _ value: Tensor, inputs first: Tensor, _ second: Tensor, _ third: Tensor,
        operation: StaticString = #function,
        pullback: @escaping (Tensor, _ needsFirst: Bool, _ needsSecond: Bool, _ needsThird: Bool)
            throws -> (Tensor?, Tensor?, Tensor?)
    ) -> Tensor {
        let result = recordOnTape(value, inputs: first, second, third, operation: operation, pullback: pullback)
        if forwardModeIsActive {
            propagateTangentThroughPullback(to: result, inputs: [first, second, third]) { g, needs in
                let (a, b, c) = try pullback(g, needs[0], needs[1], needs[2])
                return [a, b, c]
            }
        }
        return result
    }

    /// The tape half of the three-input `record`.
    @inlinable
    static func recordOnTape(
        _ value: Tensor, inputs first: Tensor, _ second: Tensor, _ third: Tensor, operation: StaticString,
        pullback: @escaping (Tensor, _ needsFirst: Bool, _ needsSecond: Bool, _ needsThird: Bool)
            throws -> (Tensor?, Tensor?, Tensor?)
    ) -> Tensor {
        guard let tape = Tape<Scalar>.current else { return value }
        let a = first.node(on: tape), b = second.node(on: tape), c = third.node(on: tape)
        guard a >= 0 || b >= 0 || c >= 0 else { return value }
        let node = tape.append(.init(first: a, second: b, third: c, others: nil, pullback: .ternary(pullback),
                                     operation: operation))
        return value.attached(to: tape, node: node)
    }

    /// Records an operation with any number of inputs; the pullback returns one cotangent per input
    /// (nil where `needs` is false). The pullback may throw: the differential operator running the
    /// reverse pass then throws the error instead of returning a gradient.
    ///
    /// - Parameters:
    ///   - value: The result, computed from the inputs without recording.
    ///   - inputs: The operation's inputs.
    ///   - operation: The op's name for anomaly detection (the calling function's, by default).
    ///   - pullback: Maps the cotangent of `value` to one cotangent per input; may throw.
    /// - Returns: `value`, recorded on the current tape when an input is (as is otherwise).
    @inlinable
    public static func record(_ value: Tensor, inputs: [Tensor], operation: StaticString = #function,
                              pullback: @escaping (Tensor, _ needs: [Bool]) throws -> [Tensor?]) -> Tensor {
        let result = recordOnTape(value, inputs: inputs, operation: operation, pullback: pullback)
        if forwardModeIsActive {
            propagateTangentThroughPullback(to: result, inputs: inputs, pullback: pullback)
        }
        return result
    }

    /// Records an operation with any number of inputs and its tangent rule, used by native forward mode
    /// instead of the pullback.
    ///
    /// - Parameters:
    ///   - value: The result, computed from the inputs without recording.
    ///   - inputs: The operation's inputs.
    ///   - operation: The op's name (the calling function's, by default).
    ///   - tangent: Maps the inputs' tangents (nil for an input without one) and the recorded value to the
    ///     tangent of `value`, with the library's differentiable ops.
    ///   - pullback: Maps the cotangent of `value` to one cotangent per input; may throw.
    /// - Returns: `value`, recorded on the current tape when an input is (as is otherwise).
    @inlinable
    public static func record(_ value: Tensor, inputs: [Tensor], operation: StaticString = #function,
                              tangent: (_ tangents: [Tensor?], _ value: Tensor) throws -> Tensor,
                              pullback: @escaping (Tensor, _ needs: [Bool]) throws -> [Tensor?]) -> Tensor {
        let result = recordOnTape(value, inputs: inputs, operation: operation, pullback: pullback)
        if forwardModeIsActive {
            propagateTangent(to: result, inputs: inputs) { try tangent($0, result) }
        }
        return result
    }

    /// The tape half of the n-input `record`.
    @inlinable
    static func recordOnTape(_ value: Tensor, inputs: [Tensor], operation: StaticString,
                             pullback: @escaping (Tensor, _ needs: [Bool]) throws -> [Tensor?]) -> Tensor {
        guard let tape = Tape<Scalar>.current else { return value }
        let nodes = inputs.map { $0.node(on: tape) }
        guard nodes.contains(where: { $0 >= 0 }) else { return value }
        let node = tape.append(.init(first: -1, second: -1, others: nodes, pullback: .nary(pullback),
                                     operation: operation))
        return value.attached(to: tape, node: node)
    }
}

/// Second-order support for pullbacks. A pullback runs while a tape records when a derivative is being
/// differentiated (a gradient inside a function being differentiated); it must then compute its
/// cotangents with differentiable operations, so that they are recorded. Each op's pullback checks
/// `mustRecord` and takes its recorded path, or its fast kernel path when nothing records. Inside a native
/// `jvp` (forward over reverse: the JVP of a gradient) pullbacks take the recorded path too, so that their
/// ops carry tangents.
extension Tensor {
    /// Whether a pullback running now must record its operations: a tape is recording and `a` is on it, or a
    /// native `jvp` propagates tangents.
    ///
    /// - Parameter a: the cotangent or a tensor the pullback saved.
    /// - Returns: Whether the pullback must use its recorded (differentiable) path.
    @inlinable
    public static func mustRecord(_ a: Tensor) -> Bool {
        if let tape = Tape<Scalar>.current, a.tapeIdentity == tape.identity { return true }
        return propagatesTangents
    }

    /// Whether a pullback running now must record its operations: a tape is recording and `a` or `b` is
    /// on it, or a native `jvp` propagates tangents.
    ///
    /// - Parameters:
    ///   - a: the cotangent or a tensor the pullback saved.
    ///   - b: another.
    /// - Returns: Whether the pullback must use its recorded (differentiable) path.
    @inlinable
    public static func mustRecord(_ a: Tensor, _ b: Tensor) -> Bool {
        if let tape = Tape<Scalar>.current, a.tapeIdentity == tape.identity || b.tapeIdentity == tape.identity {
            return true
        }
        return propagatesTangents
    }

    /// Whether a pullback running now must record its operations: a tape is recording and one of
    /// `tensors` is on it, or a native `jvp` propagates tangents.
    ///
    /// - Parameter tensors: the cotangent and the tensors the pullback saved.
    /// - Returns: Whether the pullback must use its recorded (differentiable) path.
    @inlinable
    public static func mustRecord(_ tensors: [Tensor]) -> Bool {
        if let tape = Tape<Scalar>.current, tensors.contains(where: { $0.tapeIdentity == tape.identity }) {
            return true
        }
        return propagatesTangents
    }

    /// The recorded path of a pullback whose fast path is a kernel: the vector–Jacobian product of
    /// `composite` — the op recomputed from differentiable primitives — at `inputs` for the cotangent `g`,
    /// recorded on the current tape. Costs a second forward evaluation, only when a derivative is being
    /// differentiated.
    ///
    /// - Parameters:
    ///   - composite: the op written with differentiable operations (never with the op itself).
    ///   - inputs: the op's inputs (as recorded).
    ///   - g: the cotangent of the op's value.
    /// - Returns: one cotangent per input.
    /// - Throws: the error of the nested reverse pass (anomaly detection).
    public static func recordedPullback(of composite: ([Tensor]) throws -> Tensor, at inputs: [Tensor],
                                        cotangent g: Tensor) throws -> [Tensor] {
        let (_, pullback) = try valueWithPullback(at: inputs, of: composite)
        return try pullback(g)
    }
}
