import Requirements

/// Derivative operators built on the reverse mode: vector–Jacobian and Jacobian–vector products,
/// Hessian–vector products and Jacobians (whole, or per sample of a batch). Each works at any nesting
/// depth — inside a function that is itself differentiated, the result is recorded and can be
/// differentiated again.
///
/// `jvp` is native forward mode (see `ForwardMode.swift`): one evaluation of `f` that carries the tangent
/// beside every value, op by op — about two evaluations' work where an op has a tangent rule. It composes
/// with reverse mode (its rules are the library's recorded ops). `valueWithDifferential`, whose differential
/// is called many times, is the double-VJP construction: the pullback v ↦ vᵀJ is linear in v, so Jv is the
/// gradient of ⟨vᵀJ, u⟩ with respect to v — about two evaluations of `f` per call after one recorded one.

/// The vector–Jacobian product `vᵀ ∂f/∂x` of `f` at `x`, with the value.
///
/// - Parameters:
///   - x: the point.
///   - cotangent: `v`, shaped like `f(x)`.
///   - f: the function.
/// - Returns: f(x) and vᵀ ∂f/∂x, shaped like `x`.
/// - Throws: what `f` throws, or the error of a failing pullback.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func vjp<Scalar>(
    at x: Tensor<Scalar>, cotangent: Tensor<Scalar>, of f: (Tensor<Scalar>) throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, cotangent: Tensor<Scalar>) {
    let (value, pullback) = try valueWithPullback(at: [x]) { try f($0[0]) }
    return (value, try pullback(cotangent)[0])
}

/// Evaluates `f` at the inputs and returns its value with its differential: `differential(u)` is the
/// Jacobian–vector product `∂f/∂inputs · u` for tangents `u` shaped like the inputs. The differential may
/// be called many times; each call costs about two evaluations of `f` (see the file's note on forward
/// mode).
///
/// - Parameters:
///   - inputs: the point.
///   - f: the function.
/// - Returns: f(inputs) and its differential, which throws the error of a failing pullback.
/// - Throws: what `f` throws.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func valueWithDifferential<Scalar>(
    at inputs: [Tensor<Scalar>], of f: ([Tensor<Scalar>]) throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, differential: ([Tensor<Scalar>]) throws -> Tensor<Scalar>) {
    let (value, pullback) = try valueWithPullback(at: inputs, of: f)
    return (value, differential(of: pullback, valueShape: value.shape, inputShapes: inputs.map(\.shape)))
}

/// The differential u ↦ Ju of a function whose pullback v ↦ vᵀJ is `pullback`: the gradient of ⟨vᵀJ, u⟩
/// with respect to v (the pullback records with v on the tape).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func differential<Scalar>(
    of pullback: @escaping (Tensor<Scalar>) throws -> [Tensor<Scalar>], valueShape: [Int], inputShapes: [[Int]]
) -> ([Tensor<Scalar>]) throws -> Tensor<Scalar> {
    { tangents in
        require(tangents.count == inputShapes.count,
                "differential: \(tangents.count) tangents for \(inputShapes.count) inputs")
        for (i, tangent) in tangents.enumerated() where tangent.shape != inputShapes[i] {
            fatalError("differential: tangent \(i) has shape \(tangent.shape), its input \(inputShapes[i])")
        }
        return try gradient(at: Tensor<Scalar>.zeros(valueShape)) { v in
            let products = try pullback(v)
            var total = (products[0] * tangents[0]).sum()
            for i in 1..<products.count { total = total + (products[i] * tangents[i]).sum() }
            return total
        }
    }
}

/// The Jacobian–vector product `∂f/∂x · u` of `f` at `x`, with the value (forward mode).
///
/// - Parameters:
///   - x: the point.
///   - tangent: `u`, shaped like `x`.
///   - f: the function.
/// - Returns: f(x) and ∂f/∂x · u, shaped like `f(x)`.
/// - Throws: what `f` throws, or the error of a failing pullback.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func jvp<Scalar>(
    at x: Tensor<Scalar>, along tangent: Tensor<Scalar>, of f: (Tensor<Scalar>) throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, tangent: Tensor<Scalar>) {
    try jvp(at: [x], along: [tangent]) { try f($0[0]) }
}

/// The Jacobian–vector product of `f` at several inputs along one tangent each, with the value.
///
/// - Parameters:
///   - inputs: the point.
///   - tangents: one tangent per input, shaped like it.
///   - f: the function.
/// - Returns: f(inputs) and Σᵢ ∂f/∂inputsᵢ · tangentsᵢ.
/// - Throws: what `f` throws, or the error of a failing pullback.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func jvp<Scalar>(
    at inputs: [Tensor<Scalar>], along tangents: [Tensor<Scalar>],
    of f: ([Tensor<Scalar>]) throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, tangent: Tensor<Scalar>) {
    require(tangents.count == inputs.count, "jvp: \(tangents.count) tangents for \(inputs.count) inputs")
    for (i, tangent) in tangents.enumerated() where tangent.shape != inputs[i].shape {
        requirementFailure("jvp: tangent \(i) has shape \(tangent.shape), its input \(inputs[i].shape)")
    }
    if TangentContext<Scalar>.current == nil {
        return try nativeJVP(at: inputs, along: tangents, of: f)
    }
    // A JVP inside a native JVP: the double-VJP construction, whose ops carry the outer JVP's tangents.
    return try withoutActuallyEscaping(f) { f in
        let (value, differential) = try valueWithDifferential(at: inputs, of: f)
        return (value, try differential(tangents))
    }
}

/// The Hessian–vector product `∇²f(x) · v` of a scalar function (reverse over reverse: the gradient of
/// ⟨∇f, v⟩), about four evaluations of `f`. (Forward over reverse — `jvp` of the gradient along v — gives
/// the same product; on this library's tape it costs about as much.)
///
/// - Parameters:
///   - x: the point.
///   - v: the direction, shaped like `x`.
///   - f: a function returning one scalar.
/// - Returns: ∇²f(x) · v, shaped like `x`.
/// - Throws: what `f` throws, or the error of a failing pullback.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func hessianVectorProduct<Scalar>(
    at x: Tensor<Scalar>, along v: Tensor<Scalar>, of f: (Tensor<Scalar>) throws -> Tensor<Scalar>
) throws -> Tensor<Scalar> {
    require(v.shape == x.shape, "hessianVectorProduct: direction shape \(v.shape) differs from the point's \(x.shape)")
    return try gradient(at: x) { x in (try gradient(at: x, of: f) * v).sum() }
}

/// The Jacobian of `f` at `x`, shaped `f(x).shape + x.shape`: by rows (one pullback per output element)
/// when `f` has no more outputs than inputs, else by columns (one Jacobian–vector product per input
/// element). `f` is evaluated once either way.
///
/// - Parameters:
///   - x: the point.
///   - f: the function.
/// - Returns: ∂f/∂x, with element `[i…, j…]` = ∂f[i…]/∂x[j…].
/// - Throws: what `f` throws, or the error of a failing pullback.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func jacobian<Scalar>(
    at x: Tensor<Scalar>, of f: (Tensor<Scalar>) throws -> Tensor<Scalar>
) throws -> Tensor<Scalar> {
    try withoutActuallyEscaping(f) { f in
        let (value, pullback) = try valueWithPullback(at: [x]) { try f($0[0]) }
        let (m, n) = (value.scalarCount, x.scalarCount)
        var pieces: [Tensor<Scalar>] = []
        if m <= n {
            for i in 0..<m {
                pieces.append(try pullback(Tensor<Scalar>.basisVector(i, shape: value.shape))[0].reshaped([n]))
            }
            return stacked(pieces, axis: 0).reshaped(value.shape + x.shape)
        }
        let columns = differential(of: pullback, valueShape: value.shape, inputShapes: [x.shape])
        for j in 0..<n {
            pieces.append(try columns([Tensor<Scalar>.basisVector(j, shape: x.shape)]).reshaped([m]))
        }
        return stacked(pieces, axis: 1).reshaped(value.shape + x.shape)
    }
}

/// The Jacobian of each sample of a batch, for a function whose samples do not interact (an MLP, a
/// vector field evaluated on a batch): `x` is `[B, D]`, `f(x)` is `[B, E]`, and the result `[B, E, D]`
/// holds the diagonal blocks ∂f[b]/∂x[b] of the (block-diagonal) Jacobian. Costs E pullbacks of one
/// evaluation — each seeds output feature i for every sample at once — however large B is.
///
/// The blocks are exact only when samples do not interact; a function that mixes samples (a batch
/// norm) gives the sums of the off-diagonal blocks into each row.
///
/// - Parameters:
///   - x: the batch, `[B, D]`.
///   - f: the function, `[B, D]` → `[B, E]`.
/// - Returns: `[B, E, D]`.
/// - Throws: what `f` throws, or the error of a failing pullback.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func batchedJacobian<Scalar>(
    at x: Tensor<Scalar>, of f: (Tensor<Scalar>) throws -> Tensor<Scalar>
) throws -> Tensor<Scalar> {
    require(x.rank == 2, "batchedJacobian: the input must be [batch, features], got shape \(x.shape)")
    return try withoutActuallyEscaping(f) { f in
        let (value, pullback) = try valueWithPullback(at: [x]) { try f($0[0]) }
        require(value.rank == 2 && value.shape[0] == x.shape[0],
                "batchedJacobian: f must map [B, D] to [B, E], got \(x.shape) → \(value.shape)")
        var rows: [Tensor<Scalar>] = []
        for i in 0..<value.shape[1] {
            rows.append(try pullback(Tensor<Scalar>.featureSelector(i, shape: value.shape))[0])
        }
        return stacked(rows, axis: 1)
    }
}

extension Tensor {
    /// The tensor of `shape` that is 1 at flat index `index` and 0 elsewhere.
    static func basisVector(_ index: Int, shape: [Int]) -> Tensor {
        let storage = TensorStorage<Scalar>(repeating: 0, count: shape.reduce(1, *))
        storage.pointer[index] = 1
        return Tensor(shape: shape, storage: storage)
    }

    /// The `[B, E]` tensor that is 1 in column `feature` of every row and 0 elsewhere.
    static func featureSelector(_ feature: Int, shape: [Int]) -> Tensor {
        let storage = TensorStorage<Scalar>(repeating: 0, count: shape[0] * shape[1])
        for b in 0..<shape[0] { storage.pointer[b * shape[1] + feature] = 1 }
        return Tensor(shape: shape, storage: storage)
    }
}
