import FusedMultiplyAdd
import Requirements

/// `base + Σ_j c_j · terms[j]` in one pass over memory and one tape entry: the stage combination of a
/// Runge–Kutta step when the state is a tensor. No intermediate tensors; terms with a zero coefficient
/// are not read.

/// `base + Σ_j coefficients[j] · terms[j]` (without `base` when it is nil). All tensors must have the
/// same shape (no broadcasting). One tape entry; the pullback gives `g` to `base` and
/// `coefficients[j] · g` to `terms[j]`, skipping inputs that need no cotangent.
///
/// - Parameters:
///   - base: The tensor to add to, or nil for none.
///   - coefficients: One coefficient per term.
///   - terms: The tensors to combine, all of one shape (that of `base`).
/// - Returns: `base + Σ_j coefficients[j] · terms[j]`.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func linearCombination<Scalar>(base: Tensor<Scalar>?, coefficients: [Double],
                                      terms: [Tensor<Scalar>]) -> Tensor<Scalar> {
    let shape = Tensor.checkLinearCombination(base: base, coefficients: coefficients, terms: terms)
    let count = shape.reduce(1, *)
    let out = TensorStorage<Scalar>(uninitializedCount: count)
    Tensor.combine(base: base?.storage.pointer, coefficients: coefficients, terms: terms, into: out.pointer, count: count)
    let value = withExtendedLifetime(base) { Tensor(shape: shape, storage: out) }
    guard Tensor.anyRecorded(base, terms) else { return value }
    let inputs = base.map { [$0] + terms } ?? terms
    let offset = base == nil ? 0 : 1
    return Tensor.record(value, inputs: inputs, tangent: { tangents, _ in
        // The same combination of the tangents (a missing one is zero).
        let baseTangent: Tensor<Scalar>? = offset == 1 ? tangents[0] : nil
        var used: [Double] = [], usedTerms: [Tensor<Scalar>] = []
        for j in 0..<coefficients.count {
            if let t = tangents[j + offset] { used.append(coefficients[j]); usedTerms.append(t) }
        }
        if usedTerms.isEmpty { return baseTangent! }   // only the base carries a tangent
        return linearCombination(base: baseTangent, coefficients: used, terms: usedTerms)
    }) { g, needs in
        var results = [Tensor<Scalar>?](repeating: nil, count: needs.count)
        if offset == 1 && needs[0] { results[0] = g }
        let recorded = Tensor.mustRecord(g)
        for j in 0..<coefficients.count where needs[j + offset] && coefficients[j] != 0 {
            if recorded {
                results[j + offset] = g * Scalar(coefficients[j])
                continue
            }
            let gradient = TensorStorage<Scalar>(uninitializedCount: count)
            g.withUnsafeBufferPointer {
                Kernels.affine($0.baseAddress!, scale: Scalar(coefficients[j]), shift: 0, gradient.pointer, count: count)
            }
            results[j + offset] = Tensor(shape: shape, storage: gradient)
        }
        return results
    }
}

extension Tensor {
    /// Sets this tensor to `base + Σ_j coefficients[j] · terms[j]`, writing into its own buffer when
    /// neither it nor the inputs are recorded on the current tape and the buffer is not shared (no
    /// allocation: the solvers' per-stage path for states without gradient). Otherwise it behaves as
    /// `self = linearCombination(...)`: a tensor the tape recorded is never written to.
    /// `base` may be this tensor's own value only at the cost of an allocation (the buffer is then
    /// shared); use `addLinearCombination` for `self += Σ c_j terms[j]`.
    ///
    /// - Parameters:
    ///   - base: The tensor to add to, or nil for none.
    ///   - coefficients: One coefficient per term.
    ///   - terms: The tensors to combine, all of this tensor's shape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func formLinearCombination(base: Tensor?, coefficients: [Double], terms: [Tensor]) {
        let shape = Tensor.checkLinearCombination(base: base, coefficients: coefficients, terms: terms)
        if shape == self.shape && !Tensor.anyRecorded(self, base, terms) && isKnownUniquelyReferenced(&storage) {
            Tensor.combine(base: base?.storage.pointer, coefficients: coefficients, terms: terms,
                           into: storage.pointer, count: storage.count)
            withExtendedLifetime(base) {}
            tapeIdentity = 0
            tapeNode = -1
        } else {
            self = linearCombination(base: base, coefficients: coefficients, terms: terms)
        }
    }

    /// `formLinearCombination(base:coefficients:terms:)` reading the coefficients and terms from buffers:
    /// the solvers' per-stage seam, which then builds no arrays unless the combination is recorded.
    ///
    /// - Parameters:
    ///   - base: The tensor to add to, or nil for none.
    ///   - coefficients: One coefficient per term.
    ///   - terms: The tensors to combine, all of this tensor's shape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func formLinearCombination(base: Tensor?, coefficients: UnsafeBufferPointer<Double>,
                                               terms: UnsafeBufferPointer<Tensor>) {
        let shape = Tensor.checkLinearCombination(base: base, coefficients: coefficients, terms: terms)
        if shape == self.shape && !Tensor.anyRecorded(self, base, terms) && isKnownUniquelyReferenced(&storage) {
            Tensor.combine(base: base?.storage.pointer, coefficients: coefficients, terms: terms,
                           into: storage.pointer, count: storage.count)
            withExtendedLifetime(base) {}
            tapeIdentity = 0
            tapeNode = -1
        } else {
            self = linearCombination(base: base, coefficients: Array(coefficients), terms: Array(terms))
        }
    }

    /// `self += Σ_j coefficients[j] · terms[j]`, in place (no allocation) when nothing is being recorded
    /// and the buffer is not shared; otherwise recorded as `linearCombination(base: self, ...)`.
    ///
    /// - Parameters:
    ///   - coefficients: One coefficient per term.
    ///   - terms: The tensors to add, all of this tensor's shape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func addLinearCombination(coefficients: [Double], terms: [Tensor]) {
        _ = Tensor.checkLinearCombination(base: self, coefficients: coefficients, terms: terms)
        if !Tensor.anyRecorded(self, terms) && isKnownUniquelyReferenced(&storage) {
            Tensor.combine(base: storage.pointer, coefficients: coefficients, terms: terms,
                           into: storage.pointer, count: storage.count)
            tapeIdentity = 0
            tapeNode = -1
        } else {
            self = linearCombination(base: self, coefficients: coefficients, terms: terms)
        }
    }

    /// The common shape. Preconditions: as many coefficients as terms, at least one tensor, equal shapes.
    static func checkLinearCombination<C: Collection<Double>, T: Collection<Tensor>>(
        base: Tensor?, coefficients: C, terms: T) -> [Int] {
        require(coefficients.count == terms.count,
                "linearCombination: \(coefficients.count) coefficients for \(terms.count) terms")
        guard let shape = base?.shape ?? terms.first?.shape else {
            requirementFailure("linearCombination: needs a base or at least one term")
        }
        for t in terms {
            require(t.shape == shape, "linearCombination: term of shape \(t.shape) differs from shape \(shape)")
        }
        return shape
    }

    /// Whether any of the tensors is on the calling thread's recording tape (always, while a native `jvp`
    /// propagates tangents).
    static func anyRecorded<T: Collection<Tensor>>(_ base: Tensor?, _ terms: T) -> Bool {
        if propagatesTangents { return true }   // forward mode: no in-place shortcut, the tangent is recorded
        guard let tape = Tape<Scalar>.current else { return false }
        if let base, base.tapeIdentity == tape.identity { return true }
        for term in terms where term.tapeIdentity == tape.identity { return true }
        return false
    }

    /// Whether the tensor being overwritten or any of the inputs is on the calling thread's recording
    /// tape: the in-place paths never write into a recorded tensor.
    static func anyRecorded<T: Collection<Tensor>>(_ destination: Tensor, _ base: Tensor?, _ terms: T) -> Bool {
        if propagatesTangents { return true }
        guard let tape = Tape<Scalar>.current else { return false }
        return destination.tapeIdentity == tape.identity || anyRecorded(base, terms)
    }

    /// out = base + Σ c_j terms[j] (base nil: 0 +), skipping zero coefficients. `out` may be `base`.
    static func combine(base: UnsafeMutablePointer<Scalar>?, coefficients: [Double], terms: [Tensor],
                        into out: UnsafeMutablePointer<Scalar>, count: Int) {
        coefficients.withUnsafeBufferPointer { c in
            terms.withUnsafeBufferPointer { t in combine(base: base, coefficients: c, terms: t, into: out, count: count) }
        }
    }

    /// `combine` over buffers of coefficients and terms.
    static func combine(base: UnsafeMutablePointer<Scalar>?, coefficients: UnsafeBufferPointer<Double>,
                        terms: UnsafeBufferPointer<Tensor>, into out: UnsafeMutablePointer<Scalar>, count: Int) {
        var used = 0
        for c in coefficients where c != 0 { used += 1 }
        withUnsafeTemporaryAllocation(of: UnsafePointer<Scalar>.self, capacity: Swift.max(used, 1)) { pointers in
            withUnsafeTemporaryAllocation(of: Scalar.self, capacity: Swift.max(used, 1)) { scales in
                var k = 0
                for j in coefficients.indices where coefficients[j] != 0 {
                    pointers[k] = UnsafePointer(terms[j].storage.pointer)
                    scales[k] = Scalar(coefficients[j])
                    k += 1
                }
                Kernels.linearCombination(base: base.map { UnsafePointer($0) }, scales: scales.baseAddress!,
                                          terms: pointers.baseAddress!, termCount: used, into: out, count: count)
            }
        }
    }
}

extension Kernels {
    /// out[i] = base[i] + Σ_j scales[j] · terms[j][i] (base nil: no base), 16 lanes at a time with
    /// `multiplyAdd`. `out` may equal `base` or a term exactly.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    static func linearCombination<S: TensorScalar>(base: UnsafePointer<S>?, scales: UnsafePointer<S>,
                                                   terms: UnsafePointer<UnsafePointer<S>>, termCount: Int,
                                                   into out: UnsafeMutablePointer<S>, count: Int) {
        typealias V = SIMD16<S>
        var i = 0
        while i + V.scalarCount <= count {
            var acc = base.map { UnsafeRawPointer($0 + i).loadUnaligned(as: V.self) } ?? V()
            for j in 0..<termCount {
                acc = multiplyAdd(V(repeating: scales[j]), UnsafeRawPointer(terms[j] + i).loadUnaligned(as: V.self), acc)
            }
            UnsafeMutableRawPointer(out + i).storeBytes(of: acc, as: V.self)
            i += V.scalarCount
        }
        while i < count {
            var acc = base?[i] ?? 0
            for j in 0..<termCount { acc = multiplyAdd(scales[j], terms[j][i], acc) }
            out[i] = acc
            i += 1
        }
    }
}
