import Synchronization

/// Native forward mode: while `jvp(at:along:of:)` evaluates its function, every op that produces a tensor
/// from inputs that carry a tangent computes the output's tangent at once, from its tangent rule — one extra
/// pass beside the value, no tape, no reverse pass.
///
/// Tangents are kept by buffer: a tensor's tangent is that of its storage (a reshape shares both). The
/// context holds every buffer it has a tangent for, so a buffer is never freed and reused while the
/// context lives, and a tensor with a tangent is never written in place (its buffer is shared). An op
/// without a rule of its own gets its tangent from its pullback: J·t is the gradient of ⟨Jᵀu, t⟩ with
/// respect to u (the double-VJP construction, op by op), which is exact for every op whose pullback is
/// differentiable and throws ``AutodiffError/notDifferentiableTwice(operation:)`` for one whose is not.
///
/// Rules are written with the library's own ops, so a JVP computed inside a function that an enclosing
/// reverse-mode operator differentiates is recorded on its tape like everything else.

/// Native forward-mode contexts active on any thread; ops look for tangents only when it is not zero.
@usableFromInline let activeTangentContexts = Atomic<Int>(0)

/// Whether a native forward-mode context is active on any thread (one relaxed load: the ops' fast check).
@inlinable
var forwardModeIsActive: Bool { activeTangentContexts.load(ordering: .relaxed) > 0 }

/// The tangents of one native `jvp` evaluation, on the thread that runs it.
@usableFromInline
final class TangentContext<Scalar: TensorScalar> {
    /// The tangent of each buffer, with the buffer (held so that its address is not reused).
    @usableFromInline var tangents: [ObjectIdentifier: (storage: TensorStorage<Scalar>, tangent: Tensor<Scalar>)] = [:]
    /// True while a tangent rule runs: its own ops are not differentiated in forward mode.
    @usableFromInline var isSuspended = false
    /// The first error a tangent rule threw (a pullback that cannot be differentiated again); `jvp`
    /// throws it when the function returns.
    @usableFromInline var failure: Error?

    @usableFromInline init() {}

    /// The context of the calling thread, if a native `jvp` is running on it.
    @inlinable
    static var current: TangentContext? {
        get {
            guard let raw = Scalar._tangentSlot.rawValue else { return nil }
            return Unmanaged<TangentContext>.fromOpaque(raw).takeUnretainedValue()
        }
        set {
            Scalar._tangentSlot.rawValue = newValue.map { Unmanaged.passUnretained($0).toOpaque() }
        }
    }

    /// The context that propagates tangents now: the thread's, unless none runs or a rule is running.
    @inlinable
    static var propagating: TangentContext? {
        guard forwardModeIsActive, let context = current, !context.isSuspended else {
            return nil
        }
        return context
    }

    /// The tangent of `x`, shaped like it; nil when `x` carries none (a constant).
    @inlinable
    func tangent(of x: Tensor<Scalar>) -> Tensor<Scalar>? {
        guard let entry = tangents[ObjectIdentifier(x.storage)] else { return nil }
        if entry.tangent.shape == x.shape { return entry.tangent }
        return suspended { entry.tangent.reshaped(x.shape) }
    }

    /// Sets the tangent of `x`'s buffer.
    @inlinable
    func setTangent(_ tangent: Tensor<Scalar>, of x: Tensor<Scalar>) {
        tangents[ObjectIdentifier(x.storage)] = (x.storage, tangent)
    }

    /// Runs `body` with forward propagation off (a tangent rule's own ops).
    @inlinable
    func suspended<R>(_ body: () throws -> R) rethrows -> R {
        let was = isSuspended
        isSuspended = true
        defer { isSuspended = was }
        return try body()
    }

    /// Computes and stores the tangent of `value` by `rule`, or records the rule's error.
    @inlinable
    func propagate(to value: Tensor<Scalar>, _ rule: () throws -> Tensor<Scalar>) {
        do {
            let tangent = try suspended(rule)
            setTangent(tangent, of: value)
        } catch {
            if failure == nil { failure = error }
        }
    }
}

extension Tensor {
    /// Sends the tangents of `inputs` to `value` through the op's pullback (for ops without a tangent rule):
    /// J·t = ∂/∂u ⟨Jᵀu, t⟩, recorded on the enclosing tape when one records.
    ///
    /// - Parameters:
    ///   - value: the op's (recorded) output.
    ///   - inputs: the op's inputs.
    ///   - pullback: the op's pullback, given the cotangent and which inputs need one.
    @usableFromInline
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func propagateTangentThroughPullback(
        to value: Tensor, inputs: [Tensor], pullback: (Tensor, [Bool]) throws -> [Tensor?]
    ) {
        guard let context = TangentContext<Scalar>.propagating else { return }
        let tangents = inputs.map { context.tangent(of: $0) }
        guard tangents.contains(where: { $0 != nil }) else { return }
        context.propagate(to: value) {
            try gradient(at: Tensor.zeros(value.shape)) { u in
                let cotangents = try pullback(u, tangents.map { $0 != nil })
                var total = Tensor(0)
                for (cotangent, tangent) in zip(cotangents, tangents) {
                    if let cotangent, let tangent { total = total + (cotangent * tangent).sum() }
                }
                return total
            }
        }
    }

    /// Sends the tangent of `input` to `value` by `rule` (given the input's tangent).
    ///
    /// - Parameters:
    ///   - value: the op's (recorded) output.
    ///   - input: the op's input.
    ///   - rule: the op's tangent rule, J·t.
    @inlinable
    static func propagateTangent(to value: Tensor, input: Tensor, rule: (Tensor) throws -> Tensor) {
        guard let context = TangentContext<Scalar>.propagating, let t = context.tangent(of: input) else { return }
        context.propagate(to: value) { try rule(t) }
    }

    /// Sends the tangents of two inputs to `value` by `rule` (given each input's tangent, nil for none).
    ///
    /// - Parameters:
    ///   - value: the op's (recorded) output.
    ///   - first: the first input.
    ///   - second: the second input.
    ///   - rule: the op's tangent rule.
    @inlinable
    static func propagateTangent(to value: Tensor, inputs first: Tensor, _ second: Tensor,
                                 rule: (Tensor?, Tensor?) throws -> Tensor) {
        guard let context = TangentContext<Scalar>.propagating else { return }
        let a = context.tangent(of: first), b = context.tangent(of: second)
        guard a != nil || b != nil else { return }
        context.propagate(to: value) { try rule(a, b) }
    }

    /// Sends the tangents of three inputs to `value` by `rule` (given each input's tangent, nil for none).
    ///
    /// - Parameters:
    ///   - value: the op's (recorded) output.
    ///   - first: the first input.
    ///   - second: the second input.
    ///   - third: the third input.
    ///   - rule: the op's tangent rule.
    @inlinable
    static func propagateTangent(to value: Tensor, inputs first: Tensor, _ second: Tensor, _ third: Tensor,
                                 rule: (Tensor?, Tensor?, Tensor?) throws -> Tensor) {
        guard let context = TangentContext<Scalar>.propagating else { return }
        let a = context.tangent(of: first), b = context.tangent(of: second), c = context.tangent(of: third)
        guard a != nil || b != nil || c != nil else { return }
        context.propagate(to: value) { try rule(a, b, c) }
    }

    /// Sends the tangents of any number of inputs to `value` by `rule` (one tangent per input, nil for none).
    ///
    /// - Parameters:
    ///   - value: the op's (recorded) output.
    ///   - inputs: the op's inputs.
    ///   - rule: the op's tangent rule.
    @inlinable
    static func propagateTangent(to value: Tensor, inputs: [Tensor], rule: ([Tensor?]) throws -> Tensor) {
        guard let context = TangentContext<Scalar>.propagating else { return }
        let tangents = inputs.map { context.tangent(of: $0) }
        guard tangents.contains(where: { $0 != nil }) else { return }
        context.propagate(to: value) { try rule(tangents) }
    }

    /// Whether forward-mode tangents are being propagated on this thread now (a native `jvp` runs and
    /// no tangent rule is running): in-place shortcuts must then not be taken.
    @inlinable
    static var propagatesTangents: Bool { TangentContext<Scalar>.propagating != nil }
}

/// The Jacobian–vector product in native forward mode: evaluates `f` once, propagating `tangents` beside
/// the values. Used by `jvp(at:along:of:)` unless a native JVP already runs on this thread (a JVP of a
/// JVP), which takes the double-VJP construction instead.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func nativeJVP<Scalar>(
    at inputs: [Tensor<Scalar>], along tangents: [Tensor<Scalar>], of f: ([Tensor<Scalar>]) throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, tangent: Tensor<Scalar>) {
    let context = TangentContext<Scalar>()
    // Fresh buffers for the inputs: a tensor that `f` captures and that shares an input's buffer is a
    // constant, not the input (no perturbation confusion); the outer tape's nodes are kept.
    var leaves = inputs
    for i in leaves.indices {
        leaves[i].storage = inputs[i].storage.copy()
        context.setTangent(tangents[i], of: leaves[i])
    }
    let previous = Scalar._tangentSlot.rawValue
    TangentContext<Scalar>.current = context
    activeTangentContexts.add(1, ordering: .relaxed)
    defer {
        activeTangentContexts.subtract(1, ordering: .relaxed)
        Scalar._tangentSlot.rawValue = previous
    }
    let value = try withExtendedLifetime(context) { try f(leaves) }
    if let failure = context.failure { throw failure }
    let tangent = context.tangent(of: value) ?? Tensor.zeros(value.shape)
    return (value, tangent)
}
