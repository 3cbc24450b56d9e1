import Synchronization

/// Entries held by all live tapes (all threads); read by the adjoint's O(1)-memory test.
@usableFromInline let liveTapeEntryCounter = Atomic<Int>(0)
/// Source of unique tape identities (0 means "not recorded").
@usableFromInline let tapeIdentityCounter = Atomic<Int>(1)

/// A Wengert list: the operations recorded while a differential operator evaluates a function.
///
/// Recording order is already a topological order, so the reverse pass walks the entries backwards,
/// with no graph search, and gradients come out bit-for-bit reproducible. Entry `i` is node `i`.
/// Leaves (the inputs being differentiated) are entries without a pullback.
@usableFromInline
final class Tape<Scalar: TensorScalar> {
    /// How an entry sends its output's cotangent to its inputs. Every pullback may throw: a custom
    /// operation's (an adjoint's backward solve), or one that differentiates a composite of other ops
    /// while recording (whose nested reverse pass may throw); the reverse pass then throws.
    @usableFromInline
    enum Pullback {
        /// Inputs being differentiated; nothing to propagate.
        case leaf
        /// An input of a nested differential operator that is itself recorded (node `first`): the
        /// nested operator's reverse pass stops here; an enclosing one passes the cotangent through.
        case identity
        /// One input: returns its cotangent.
        case unary((Tensor<Scalar>) throws -> Tensor<Scalar>)
        /// Two inputs: returns their cotangents; a flag says whether each input needs one.
        case binary((Tensor<Scalar>, _ needsFirst: Bool, _ needsSecond: Bool) throws -> (Tensor<Scalar>?, Tensor<Scalar>?))
        /// Three inputs (a fused layer's input, weight and bias): returns their cotangents.
        case ternary((Tensor<Scalar>, _ needsFirst: Bool, _ needsSecond: Bool, _ needsThird: Bool)
                        throws -> (Tensor<Scalar>?, Tensor<Scalar>?, Tensor<Scalar>?))
        /// Any number of inputs: returns their cotangents (nil where not needed).
        case nary((Tensor<Scalar>, _ needs: [Bool]) throws -> [Tensor<Scalar>?])
    }

    /// One recorded operation: its input nodes (−1 for an input not on this tape) and its pullback.
    @usableFromInline
    struct Entry {
        @usableFromInline var first: Int
        @usableFromInline var second: Int
        @usableFromInline var third: Int
        @usableFromInline var others: [Int]?
        @usableFromInline var pullback: Pullback
        /// The operation's name (the function that recorded it), a NUL-terminated UTF-8 string with static
        /// lifetime: one word, so that sixteen entries still fit the allocator's small-block cache.
        @usableFromInline var operationName: UnsafeRawPointer

        @inlinable
        init(first: Int, second: Int, third: Int = -1, others: [Int]?, pullback: Pullback,
             operation: StaticString = "input") {
            self.first = first
            self.second = second
            self.third = third
            self.others = others
            self.pullback = pullback
            // String literals (what `#function` and op names are) have a pointer; a one-scalar literal
            // does not, and is named generically.
            let named: StaticString = operation.hasPointerRepresentation ? operation : "operation"
            self.operationName = UnsafeRawPointer(named.utf8Start)
        }

        /// The operation's name, printed by `Tensor.tapeDescription` and named by anomaly detection.
        var operation: String { String(cString: operationName.assumingMemoryBound(to: CChar.self)) }
    }

    /// Unique identity: tensors remember the tape they were recorded on.
    @usableFromInline let identity: Int
    @usableFromInline var entries: [Entry] = []
    /// Whether the reverse pass checks every cotangent (``withAnomalyDetection(_:)`` was on at creation).
    @usableFromInline let detectsAnomalies: Bool

    @inlinable
    init() {
        identity = tapeIdentityCounter.add(1, ordering: .relaxed).newValue
        detectsAnomalies = AnomalyDetection.isEnabledHere
        // Small enough for the allocator's per-thread cache: a vector field's tape has a handful of entries.
        entries.reserveCapacity(16)
    }

    deinit {
        liveTapeEntryCounter.subtract(entries.count, ordering: .relaxed)
    }

    /// Appends an entry and returns its node index.
    ///
    /// - Parameter entry: the operation's inputs, pullback and name.
    @inlinable
    func append(_ entry: Entry) -> Int {
        entries.append(entry)
        liveTapeEntryCounter.add(1, ordering: .relaxed)
        return entries.count - 1
    }

    /// The tape recording on the calling thread, if any.
    @inlinable
    static var current: Tape<Scalar>? {
        get {
            guard let raw = Scalar._tapeSlot.rawValue else { return nil }
            return Unmanaged<Tape<Scalar>>.fromOpaque(raw).takeUnretainedValue()
        }
        set {
            Scalar._tapeSlot.rawValue = newValue.map { Unmanaged.passUnretained($0).toOpaque() }
        }
    }

    /// Runs `body` with `tape` as the calling thread's recording tape (nil: nothing records), then
    /// restores the previous one, also when `body` throws.
    @inlinable
    static func withCurrent<R>(_ tape: Tape<Scalar>?, _ body: () throws -> R) rethrows -> R {
        let previous = Scalar._tapeSlot.rawValue
        current = tape
        defer { Scalar._tapeSlot.rawValue = previous }
        return try withExtendedLifetime(tape) { try body() }
    }

    /// Propagates `seed` from node `output` back to node `stop` and returns the cotangents indexed from
    /// `base`: its first `stop - base` elements are those of the leaves of the differential operator that
    /// owns this pass (nil where none arrived). Entries below `stop` are not walked; cotangents sent below `base` are dropped.
    ///
    /// The pass leaves the calling thread's recording tape as it finds it. When one is recording (this
    /// pass runs inside a function being differentiated, or a nested operator's pass runs on its
    /// enclosing operator's tape), the pullbacks record their own operations wherever their cotangent or
    /// the tensors they saved are on it — that is what makes a derivative differentiable — and
    /// accumulation is a recorded addition. Otherwise pullbacks take their unrecorded fast paths.
    ///
    /// Rethrows the error of a failing pullback: a gradient is never silently partial. With anomaly
    /// detection, throws for the first pullback that makes a finite cotangent non-finite.
    @usableFromInline
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func reverse(from output: Int, seed: Tensor<Scalar>, base: Int = 0, stop: Int = 0) throws -> [Tensor<Scalar>?] {
        var gradients = [Tensor<Scalar>?](repeating: nil, count: output - base + 1)
        gradients[output - base] = seed
        if detectsAnomalies {
            // Nested tapes created by pullbacks (an adjoint's backward solve) detect anomalies too.
            try withAnomalyDetection { try reverseWalk(from: output, base: base, stop: stop, gradients: &gradients) }
        } else {
            try reverseWalk(from: output, base: base, stop: stop, gradients: &gradients)
        }
        return gradients   // the first `stop - base` are the leaves'
    }

    /// The reverse pass proper: walks the entries from `output` down to `stop`.
    @usableFromInline
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func reverseWalk(from output: Int, base: Int, stop: Int, gradients: inout [Tensor<Scalar>?]) throws {
        let checks = detectsAnomalies
        let recording = Tape.current != nil
        let reaches = leafDependence(from: base, stop: stop, through: output)
        /// Whether input node `target` needs a cotangent: it is in this pass's range and depends on a leaf.
        func needs(_ target: Int) -> Bool { target >= base && reaches[target - base] }
        var node = output
        while node >= stop {
            defer { node -= 1 }
            guard let cotangent = gradients[node - base] else { continue }
            let entry = (first: entries[node].first, second: entries[node].second, third: entries[node].third)
            /// Sends the cotangent `result` of the op's input number `input` to that input's node `target`.
            func deliver(_ result: Tensor<Scalar>?, to target: Int, input: Int) throws {
                guard needs(target), let result else { return }
                if checks { try checkAnomaly(result, node: node, input: input, incoming: cotangent) }
                accumulate(result, at: target, base: base, recording: recording, in: &gradients)
            }
            switch entries[node].pullback {
            case .leaf:
                continue
            case .identity:
                if needs(entry.first) { accumulate(cotangent, at: entry.first, base: base, recording: recording, in: &gradients) }
            case .unary(let pullback):
                if needs(entry.first) { try deliver(try pullback(cotangent), to: entry.first, input: 0) }
            case .binary(let pullback):
                let needsFirst = needs(entry.first), needsSecond = needs(entry.second)
                guard needsFirst || needsSecond else { break }
                let (a, b) = try pullback(cotangent, needsFirst, needsSecond)
                try deliver(a, to: entry.first, input: 0)
                try deliver(b, to: entry.second, input: 1)
            case .ternary(let pullback):
                let needsFirst = needs(entry.first), needsSecond = needs(entry.second)
                let needsThird = needs(entry.third)
                guard needsFirst || needsSecond || needsThird else { break }
                let (a, b, c) = try pullback(cotangent, needsFirst, needsSecond, needsThird)
                try deliver(a, to: entry.first, input: 0)
                try deliver(b, to: entry.second, input: 1)
                try deliver(c, to: entry.third, input: 2)
            case .nary(let pullback):
                let nodes = entries[node].others ?? []
                let needed = nodes.map(needs)
                guard needed.contains(true) else { break }
                let results = try pullback(cotangent, needed)
                if results.count != nodes.count {
                    fatalError("Tape: the pullback of \(entries[node].operation) returned \(results.count) cotangents "
                               + "for \(nodes.count) inputs")
                }
                for j in 0..<nodes.count { try deliver(results[j], to: nodes[j], input: j) }
            }
            gradients[node - base] = nil
        }
    }

    /// Which nodes from `base` through `output` depend on a leaf of this pass (the nodes `base..<stop`): a
    /// pullback computes no cotangent for an input that does not, since none of it could reach a leaf. In a
    /// nested pass (a divergence inside a function being differentiated) this skips the operations that
    /// depend only on tensors captured from outside — a hypernetwork's t ↦ weights, say — which the pass
    /// would otherwise differentiate for nothing.
    @usableFromInline
    func leafDependence(from base: Int, stop: Int, through output: Int) -> [Bool] {
        var reaches = [Bool](repeating: false, count: Swift.max(0, output - base + 1))
        if stop > base { for i in 0..<Swift.min(stop - base, reaches.count) { reaches[i] = true } }
        func reached(_ input: Int) -> Bool { input >= base && input <= output && reaches[input - base] }
        var node = Swift.max(stop, base)
        while node <= output {
            let entry = entries[node]
            switch entry.pullback {
            case .leaf: break
            case .identity, .unary: reaches[node - base] = reached(entry.first)
            case .binary: reaches[node - base] = reached(entry.first) || reached(entry.second)
            case .ternary: reaches[node - base] = reached(entry.first) || reached(entry.second) || reached(entry.third)
            case .nary: reaches[node - base] = (entry.others ?? []).contains(where: reached)
            }
            node += 1
        }
        return reaches
    }

    /// Adds `cotangent` to the cotangent of `node` (fan-out: a tensor used several times); drops it below
    /// `base`. While a tape records, a sum that involves a recorded cotangent is a recorded addition (an
    /// in-place add would change a tensor the tape holds), as is every sum while a native `jvp` propagates
    /// tangents (the sum's tangent is needed); otherwise the add is in place.
    @inlinable
    func accumulate(_ cotangent: Tensor<Scalar>, at node: Int, base: Int, recording: Bool,
                    in gradients: inout [Tensor<Scalar>?]) {
        guard node >= base else { return }
        let slot = node - base
        if var existing = gradients[slot] {
            gradients[slot] = nil
            if recording && (existing.isRecorded || cotangent.isRecorded) || Tensor<Scalar>.propagatesTangents {
                gradients[slot] = existing + cotangent
            } else {
                existing.addInPlace(cotangent)
                gradients[slot] = existing
            }
        } else {
            gradients[slot] = cotangent
        }
    }

    /// The entries up to `node`, one per line: index, operation and input nodes.
    func description(upTo node: Int) -> String {
        var lines: [String] = []
        for (index, entry) in entries.prefix(node + 1).enumerated() {
            var inputs: [Int]
            switch entry.pullback {
            case .leaf: inputs = []
            case .identity, .unary: inputs = [entry.first]
            case .binary: inputs = [entry.first, entry.second]
            case .ternary: inputs = [entry.first, entry.second, entry.third]
            case .nary: inputs = entry.others ?? []
            }
            let from = inputs.map { $0 >= 0 ? "%\($0)" : "const" }.joined(separator: ", ")
            lines.append("%\(index) = \(entry.operation)(\(from))")
        }
        return lines.joined(separator: "\n")
    }
}

/// Tape statistics for tests and diagnostics.
public enum TapeStatistics {
    /// Entries held by all live tapes (all threads, both scalar types). Zero when nothing records.
    public static var liveEntryCount: Int { liveTapeEntryCounter.load(ordering: .relaxed) }
}
