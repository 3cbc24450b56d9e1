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
    /// How an entry sends its output's cotangent to its inputs.
    @usableFromInline
    enum Pullback {
        /// Inputs being differentiated; nothing to propagate.
        case leaf
        /// One input: returns its cotangent.
        case unary((Tensor<Scalar>) -> Tensor<Scalar>)
        /// Two inputs: returns their cotangents; a flag says whether each input needs one.
        case binary((Tensor<Scalar>, _ needsFirst: Bool, _ needsSecond: Bool) -> (Tensor<Scalar>?, Tensor<Scalar>?))
        /// Three inputs (a fused layer's input, weight and bias): returns their cotangents.
        case ternary((Tensor<Scalar>, _ needsFirst: Bool, _ needsSecond: Bool, _ needsThird: Bool)
                        -> (Tensor<Scalar>?, Tensor<Scalar>?, Tensor<Scalar>?))
        /// Any number of inputs: returns their cotangents (nil where not needed). The only pullback that
        /// may fail: a custom operation's (an adjoint's backward solve); the reverse pass then throws.
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

        @inlinable
        init(first: Int, second: Int, third: Int = -1, others: [Int]?, pullback: Pullback) {
            self.first = first
            self.second = second
            self.third = third
            self.others = others
            self.pullback = pullback
        }
    }

    /// Unique identity: tensors remember the tape they were recorded on.
    @usableFromInline let identity: Int
    @usableFromInline var entries: [Entry] = []
    /// Whether the reverse pass checks every cotangent (``withAnomalyDetection(_:)`` was on at creation).
    @usableFromInline let detectsAnomalies: Bool
    /// The name of each entry's operation; kept only when `detectsAnomalies`.
    @usableFromInline var operations: [StaticString] = []

    @inlinable
    init() {
        identity = tapeIdentityCounter.add(1, ordering: .relaxed).newValue
        detectsAnomalies = AnomalyDetection.isEnabled
        // Small enough for the allocator's per-thread cache: a vector field's tape has a handful of entries.
        entries.reserveCapacity(16)
    }

    deinit {
        liveTapeEntryCounter.subtract(entries.count, ordering: .relaxed)
    }

    /// Appends an entry and returns its node index.
    ///
    /// - Parameters:
    ///   - entry: the operation's inputs and pullback.
    ///   - operation: its name, kept for anomaly detection.
    @inlinable
    func append(_ entry: Entry, operation: StaticString = "input") -> Int {
        if detectsAnomalies { operations.append(operation) }
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

    /// Propagates `seed` from node `output` back to the leaves and returns the cotangent of every node
    /// that received one. Intermediate cotangents are dropped as soon as they have been used; the leaves'
    /// (entries without a pullback) are kept. Rethrows the error of a failing pullback: a gradient is
    /// never silently partial. With anomaly detection, throws for the first pullback that makes a finite
    /// cotangent non-finite.
    @usableFromInline
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func reverse(from output: Int, seed: Tensor<Scalar>) throws -> [Tensor<Scalar>?] {
        var gradients = [Tensor<Scalar>?](repeating: nil, count: output + 1)
        gradients[output] = seed
        if detectsAnomalies {
            // Nested tapes created by pullbacks (an adjoint's backward solve) detect anomalies too.
            try AnomalyDetection.$isEnabled.withValue(true) { try reverseWalk(from: output, gradients: &gradients) }
        } else {
            try reverseWalk(from: output, gradients: &gradients)
        }
        return gradients
    }

    /// The reverse pass proper: walks the entries from `output` back to the first, with nothing recording.
    @usableFromInline
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func reverseWalk(from output: Int, gradients: inout [Tensor<Scalar>?]) throws {
        let checks = detectsAnomalies
        // The reverse pass records nothing on this tape; nested differential operators install their own.
        try Tape.withCurrent(nil) {
            var node = output
            while node >= 0 {
                defer { node -= 1 }
                guard let cotangent = gradients[node] else { continue }
                let entry = entries[node]
                switch entry.pullback {
                case .leaf:
                    continue
                case .unary(let pullback):
                    if entry.first >= 0 {
                        let a = pullback(cotangent)
                        if checks { try checkAnomaly(a, node: node, input: 0, incoming: cotangent) }
                        accumulate(a, at: entry.first, in: &gradients)
                    }
                case .binary(let pullback):
                    let (a, b) = pullback(cotangent, entry.first >= 0, entry.second >= 0)
                    if entry.first >= 0, let a {
                        if checks { try checkAnomaly(a, node: node, input: 0, incoming: cotangent) }
                        accumulate(a, at: entry.first, in: &gradients)
                    }
                    if entry.second >= 0, let b {
                        if checks { try checkAnomaly(b, node: node, input: 1, incoming: cotangent) }
                        accumulate(b, at: entry.second, in: &gradients)
                    }
                case .ternary(let pullback):
                    let (a, b, c) = pullback(cotangent, entry.first >= 0, entry.second >= 0, entry.third >= 0)
                    if entry.first >= 0, let a {
                        if checks { try checkAnomaly(a, node: node, input: 0, incoming: cotangent) }
                        accumulate(a, at: entry.first, in: &gradients)
                    }
                    if entry.second >= 0, let b {
                        if checks { try checkAnomaly(b, node: node, input: 1, incoming: cotangent) }
                        accumulate(b, at: entry.second, in: &gradients)
                    }
                    if entry.third >= 0, let c {
                        if checks { try checkAnomaly(c, node: node, input: 2, incoming: cotangent) }
                        accumulate(c, at: entry.third, in: &gradients)
                    }
                case .nary(let pullback):
                    let nodes = entry.others ?? []
                    let results = try pullback(cotangent, nodes.map { $0 >= 0 })
                    if results.count != nodes.count {
                        fatalError("Tape: a pullback returned \(results.count) cotangents for \(nodes.count) inputs")
                    }
                    for j in 0..<nodes.count where nodes[j] >= 0 {
                        if let result = results[j] {
                            if checks { try checkAnomaly(result, node: node, input: j, incoming: cotangent) }
                            accumulate(result, at: nodes[j], in: &gradients)
                        }
                    }
                }
                gradients[node] = nil
            }
        }
    }

    /// Adds `cotangent` to the cotangent of `node` (fan-out: a tensor used several times).
    @inlinable
    func accumulate(_ cotangent: Tensor<Scalar>, at node: Int, in gradients: inout [Tensor<Scalar>?]) {
        if var existing = gradients[node] {
            gradients[node] = nil
            existing.addInPlace(cotangent)
            gradients[node] = existing
        } else {
            gradients[node] = cotangent
        }
    }
}

/// Tape statistics for tests and diagnostics.
public enum TapeStatistics {
    /// Entries held by all live tapes (all threads, both scalar types). Zero when nothing records.
    public static var liveEntryCount: Int { liveTapeEntryCounter.load(ordering: .relaxed) }
}
