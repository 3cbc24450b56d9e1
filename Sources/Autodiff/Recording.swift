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
/// `mustRecord` and takes its recorded path, or its fast kernel path when nothing records.
extension Tensor {
    /// Whether a pullback running now must record its operations: a tape is recording and `a` is on it.
    ///
    /// - Parameter a: the cotangent or a tensor the pullback saved.
    /// - Returns: Whether the pullback must use its recorded (differentiable) path.
    @inlinable
    public static func mustRecord(_ a: Tensor) -> Bool {
        guard let tape = Tape<Scalar>.current else { return false }
        return a.tapeIdentity == tape.identity
    }

    /// Whether a pullback running now must record its operations: a tape is recording and `a` or `b` is
    /// on it.
    ///
    /// - Parameters:
    ///   - a: the cotangent or a tensor the pullback saved.
    ///   - b: another.
    /// - Returns: Whether the pullback must use its recorded (differentiable) path.
    @inlinable
    public static func mustRecord(_ a: Tensor, _ b: Tensor) -> Bool {
        guard let tape = Tape<Scalar>.current else { return false }
        return a.tapeIdentity == tape.identity || b.tapeIdentity == tape.identity
    }

    /// Whether a pullback running now must record its operations: a tape is recording and one of
    /// `tensors` is on it.
    ///
    /// - Parameter tensors: the cotangent and the tensors the pullback saved.
    /// - Returns: Whether the pullback must use its recorded (differentiable) path.
    @inlinable
    public static func mustRecord(_ tensors: [Tensor]) -> Bool {
        guard let tape = Tape<Scalar>.current else { return false }
        return tensors.contains { $0.tapeIdentity == tape.identity }
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
