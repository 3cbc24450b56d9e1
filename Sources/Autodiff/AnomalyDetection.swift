import Synchronization

/// Anomaly detection for the reverse pass (PyTorch's `torch.autograd.detect_anomaly()`): while it is on,
/// every tape remembers the name of each operation it records, and the reverse pass checks each
/// pullback's cotangents. The first operation whose pullback turns a finite cotangent into a NaN or an
/// infinity stops the pass with ``AutodiffError/nonFiniteCotangent(operation:position:operationCount:input:element:value:)``,
/// which names it — `sqrt(_:)` differentiated at 0, say.
///
/// It costs one name per recorded operation and one pass over every cotangent, so it is off by default
/// and meant for finding where a NaN gradient comes from:
///
///     let g = try withAnomalyDetection {
///         try gradient(at: x) { x in sqrt(x * x).sum() }   // throws: sqrt(_:) returned inf at x = 0
///     }
public enum AnomalyDetection {
    /// Whether tapes created by the current task (or thread) detect anomalies; set by
    /// ``withAnomalyDetection(_:)``.
    @TaskLocal public static var isEnabled = false
}

/// Runs `body` with anomaly detection on: differential operators called inside (and the reverse passes
/// of the tapes they create, wherever those run) throw ``AutodiffError`` naming the first operation whose
/// pullback produced a NaN or an infinity from a finite cotangent.
///
/// - Parameter body: the work to check, typically one gradient computation.
/// - Returns: what `body` returns.
/// - Throws: what `body` throws, including ``AutodiffError/nonFiniteCotangent(operation:position:operationCount:input:element:value:)``.
public func withAnomalyDetection<Result>(_ body: () throws -> Result) rethrows -> Result {
    anomalyDetectionScopes.add(1, ordering: .relaxed)
    defer { anomalyDetectionScopes.subtract(1, ordering: .relaxed) }
    return try AnomalyDetection.$isEnabled.withValue(true) { try body() }
}

/// How many anomaly-detection scopes are open (all threads): while none is, a new tape skips reading the
/// task-local flag, which costs more than the rest of its creation.
@usableFromInline let anomalyDetectionScopes = Atomic<Int>(0)

extension AnomalyDetection {
    /// Whether a tape created now detects anomalies (cheap when no scope is open anywhere).
    @inlinable
    static var isEnabledHere: Bool {
        anomalyDetectionScopes.load(ordering: .relaxed) > 0 && isEnabled
    }
}

/// An error of the reverse pass: an anomaly found under ``withAnomalyDetection(_:)``, or a second derivative
/// through an operation that has none.
public enum AutodiffError: Error, Equatable, CustomStringConvertible {
    /// The pullback of `operation` (the `position`-th of `operationCount` operations recorded on its tape,
    /// counting from 1 in recording order) returned `value` at `element` of the cotangent of its input
    /// number `input` (from 0), although the cotangent it received was finite.
    case nonFiniteCotangent(operation: String, position: Int, operationCount: Int, input: Int, element: Int,
                            value: Double)
    /// A reverse pass had to record through the pullback of `operation`, a custom operation whose pullback
    /// is not differentiable (see `customDifferentiable(inputs:value:operation:pullbackIsDifferentiable:pullback:)`):
    /// a second derivative through it is not available.
    case notDifferentiableTwice(operation: String)

    /// What went wrong, where.
    public var description: String {
        switch self {
        case .nonFiniteCotangent(let operation, let position, let count, let input, let element, let value):
            return "anomaly detection: the pullback of \(operation) (operation \(position) of \(count) recorded) "
                + "returned \(value) at element \(element) of input \(input)'s cotangent from a finite cotangent: "
                + "the op was differentiated where its derivative is undefined or overflows (see the table of "
                + "non-differentiable points in the Autodiff documentation)"
        case .notDifferentiableTwice(let operation):
            return "\(operation) cannot be differentiated twice: its pullback is not differentiable, and a "
                + "derivative of its derivative was asked for (a gradient taken inside a function being "
                + "differentiated, or a pullback called there)"
        }
    }
}

extension Tape {
    /// Throws when `result`, a cotangent the pullback of `node` returned for its input number `input`, is
    /// not finite although the cotangent `incoming` it received is.
    @usableFromInline
    func checkAnomaly(_ result: Tensor<Scalar>, node: Int, input: Int, incoming: Tensor<Scalar>) throws {
        guard let bad = result.firstNonFinite(), incoming.firstNonFinite() == nil else { return }
        let operation = "\(entries[node].operation)"
        throw AutodiffError.nonFiniteCotangent(operation: operation, position: node + 1,
                                               operationCount: entries.count, input: input,
                                               element: bad.index, value: Double(bad.value))
    }
}

extension Tensor {
    /// The first NaN or infinite element in row-major order, with its flat index; nil when every element
    /// is finite. One pass over the elements (a second only when one is not finite).
    ///
    /// - Returns: The flat index and value of the first non-finite element, or nil.
    @inlinable
    public func firstNonFinite() -> (index: Int, value: Scalar)? {
        withUnsafeBufferPointer { buffer in
            var probe = Scalar(0)
            for x in buffer { probe += x * 0 }   // NaN exactly when some element is NaN or infinite
            guard probe.isNaN else { return nil }
            return buffer.firstIndex { !$0.isFinite }.map { ($0, buffer[$0]) }
        }
    }
}
