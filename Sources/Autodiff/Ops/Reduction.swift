import Requirements

/// Reductions: `sum`, `mean`, `max` and `logSumExp` over all elements, one axis, or a set of axes,
/// with or without keeping the reduced axes (as extent 1). One tape entry per call. Negative axes
/// count from the back.
///
/// Reduced axes that are adjacent (the usual case: the last axis, the leading axes, everything) are
/// merged into one and reduced by a single contiguous kernel. Non-adjacent axes: `sum`/`mean` reduce
/// them one after the other inside the same entry; `max`/`logSumExp` first move them to the back
/// with `transposed` (three tape entries).
///
/// When a derivative is being differentiated, the pullbacks record: `sum`/`mean` broadcast the
/// cotangent, `max` multiplies it by the constant one-hot mask of the argmax, and `logSumExp` by the
/// softmax along the reduced extent, recomputed from the input.
extension Tensor {
    /// What a reduction over some axes does to a shape.
    struct ReductionPlan {
        /// The reduced axes, ascending, without repeats.
        var axes: [Int]
        /// The input shape with extent 1 on the reduced axes.
        var keptShape: [Int]
        /// The result's shape (`keptShape` without the reduced axes unless `keepDims`).
        var resultShape: [Int]
        /// Number of elements reduced into each output.
        var reducedCount: Int
        /// `[outer, extent, inner]` when the reduced axes are adjacent.
        var layout: (outer: Int, extent: Int, inner: Int)?
    }

    func reductionPlan(_ axes: [Int], keepDims: Bool, _ operation: StaticString) -> ReductionPlan {
        let sorted = Set(axes.map { normalizedAxis($0, operation) }).sorted()
        var kept = shape
        for a in sorted { kept[a] = 1 }
        let result = keepDims ? kept : shape.indices.filter { !sorted.contains($0) }.map { shape[$0] }
        let reduced = sorted.reduce(1) { $0 * shape[$1] }
        var layout: (Int, Int, Int)?
        if let first = sorted.first, let last = sorted.last, last - first + 1 == sorted.count {
            layout = (shape[..<first].reduce(1, *), reduced, shape[(last + 1)...].reduce(1, *))
        }
        return ReductionPlan(axes: sorted, keptShape: kept, resultShape: result, reducedCount: reduced, layout: layout)
    }

    /// `scale · Σ` over the plan's axes (not recorded).
    func summedValue(_ plan: ReductionPlan, scale: Scalar) -> Tensor {
        if let (outer, extent, inner) = plan.layout {
            let out = TensorStorage<Scalar>(uninitializedCount: outer * inner)
            withUnsafeBufferPointer {
                ReductionKernels.sum($0.baseAddress!, outer: outer, extent: extent, inner: inner, scale: scale, into: out.pointer)
            }
            return Tensor(shape: plan.resultShape, storage: out)
        }
        var value = self, current = shape
        for (i, a) in plan.axes.reversed().enumerated() {
            let (outer, extent, inner) = Tensor.layout(of: current, axis: a)
            let out = TensorStorage<Scalar>(uninitializedCount: outer * inner)
            value.withUnsafeBufferPointer {
                ReductionKernels.sum($0.baseAddress!, outer: outer, extent: extent, inner: inner,
                                     scale: i == plan.axes.count - 1 ? scale : 1, into: out.pointer)
            }
            current[a] = 1
            value = Tensor(shape: current, storage: out)
        }
        return Tensor(shape: plan.resultShape, storage: value.storage)
    }

    /// `scale · g` repeated along the plan's axes back to `shape` (the pullback of a sum).
    static func expandedValue(_ g: Tensor, _ plan: ReductionPlan, to shape: [Int], scale: Scalar) -> Tensor {
        let out = TensorStorage<Scalar>(uninitializedCount: shape.reduce(1, *))
        g.withUnsafeBufferPointer { gp in
            let source = gp.baseAddress!
            if let (outer, extent, inner) = plan.layout {
                ReductionKernels.expand(source, outer: outer, extent: extent, inner: inner, scale: scale, into: out.pointer)
                return
            }
            Broadcasting.forEachRun(target: shape, stridesA: Broadcasting.strides(of: plan.keptShape, broadcastTo: shape),
                                    stridesB: [Int](repeating: 0, count: shape.count)) { n, offset, step, _, _, outOffset in
                let o = out.pointer + outOffset
                if step == 0 { o.update(repeating: source[offset] * scale, count: n) }
                else { for i in 0..<n { o[i] = source[offset + i] * scale } }
            }
        }
        return Tensor(shape: shape, storage: out)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func reducedSum(_ axes: [Int], keepDims: Bool, mean: Bool, _ operation: StaticString) -> Tensor {
        let plan = reductionPlan(axes, keepDims: keepDims, operation)
        if plan.axes.isEmpty { return self }
        let scale: Scalar = mean ? 1 / Scalar(plan.reducedCount) : 1
        let inputShape = shape
        return Tensor.record(summedValue(plan, scale: scale), input: self, operation: operation,
                             tangent: { t, _ in t.reducedSum(axes, keepDims: keepDims, mean: mean, operation) }) { g in
            if Tensor.mustRecord(g) {
                let expanded = g.reshaped(plan.keptShape).broadcast(to: inputShape)
                return mean ? expanded * scale : expanded
            }
            return Tensor.expandedValue(g, plan, to: inputShape, scale: scale)
        }
    }

    /// The sum of all elements (rank 0).
    ///
    /// - Returns: A rank-0 tensor.
    public func sum() -> Tensor { reducedSum(Array(0..<rank), keepDims: false, mean: false, "sum()") }
    /// The sum along `axis`; the axis is removed, or kept with extent 1 when `keepDims`.
    ///
    /// - Parameters:
    ///   - axis: The axis to sum over (negative counts from the back).
    ///   - keepDims: Whether to keep the axis with extent 1.
    /// - Returns: The sums.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { reducedSum([axis], keepDims: keepDims, mean: false, "sum(axis:)") }
    /// The sum over `axes`; they are removed, or kept with extent 1 when `keepDims`.
    ///
    /// - Parameters:
    ///   - axes: The axes to sum over (negative counts from the back).
    ///   - keepDims: Whether to keep the axes with extent 1.
    /// - Returns: The sums.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor { reducedSum(axes, keepDims: keepDims, mean: false, "sum(axes:)") }

    /// The mean of all elements (rank 0; NaN for an empty tensor).
    ///
    /// - Returns: A rank-0 tensor.
    public func mean() -> Tensor { reducedSum(Array(0..<rank), keepDims: false, mean: true, "mean()") }
    /// The mean along `axis`; the axis is removed, or kept with extent 1 when `keepDims`.
    ///
    /// - Parameters:
    ///   - axis: The axis to average over (negative counts from the back).
    ///   - keepDims: Whether to keep the axis with extent 1.
    /// - Returns: The means.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { reducedSum([axis], keepDims: keepDims, mean: true, "mean(axis:)") }
    /// The mean over `axes`; they are removed, or kept with extent 1 when `keepDims`.
    ///
    /// - Parameters:
    ///   - axes: The axes to average over (negative counts from the back).
    ///   - keepDims: Whether to keep the axes with extent 1.
    /// - Returns: The means.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor { reducedSum(axes, keepDims: keepDims, mean: true, "mean(axes:)") }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func reducedMax(_ axes: [Int], keepDims: Bool, _ operation: StaticString) -> Tensor {
        let plan = reductionPlan(axes, keepDims: keepDims, operation)
        if plan.axes.isEmpty { return self }
        require(plan.reducedCount > 0, "\(operation): cannot take the maximum over an empty axis of shape \(shape)")
        guard let (outer, extent, inner) = plan.layout else {
            // Move the reduced axes to the back, where they are adjacent.
            let kept = shape.indices.filter { !plan.axes.contains($0) }
            let moved = transposed(kept + plan.axes)
            return moved.reducedMax(Array(kept.count..<rank), keepDims: false, operation).reshaped(plan.resultShape)
        }
        let out = TensorStorage<Scalar>(uninitializedCount: outer * inner)
        var argmax = [Int](repeating: 0, count: outer * inner)
        withUnsafeBufferPointer { x in
            argmax.withUnsafeMutableBufferPointer {
                ReductionKernels.max(x.baseAddress!, outer: outer, extent: extent, inner: inner,
                                     into: out.pointer, argmax: $0.baseAddress!)
            }
        }
        let inputShape = shape
        return Tensor.record(Tensor(shape: plan.resultShape, storage: out), input: self, operation: operation) { g in
            if Tensor.mustRecord(g) {
                // g spread along the reduced extent times the constant one-hot mask of the argmax (the
                // mask's derivative is 0 away from ties).
                let mask = TensorStorage<Scalar>(repeating: 0, count: outer * extent * inner)
                for o in 0..<outer {
                    for j in 0..<inner { mask.pointer[(o * extent + argmax[o * inner + j]) * inner + j] = 1 }
                }
                let oneHot = Tensor(shape: [outer, extent, inner], storage: mask)
                return (g.reshaped([outer, 1, inner]) * oneHot).reshaped(inputShape)
            }
            let gradient = TensorStorage<Scalar>(repeating: 0, count: inputShape.reduce(1, *))
            g.withUnsafeBufferPointer { gp in
                for o in 0..<outer {
                    for j in 0..<inner {
                        gradient.pointer[(o * extent + argmax[o * inner + j]) * inner + j] = gp[o * inner + j]
                    }
                }
            }
            return Tensor(shape: inputShape, storage: gradient)
        }
    }

    /// The largest element (rank 0). The gradient goes to the first largest element in row-major
    /// order (ties are not shared; PyTorch's `max()` would split it evenly). A NaN element is the maximum.
    ///
    /// - Returns: A rank-0 tensor.
    public func max() -> Tensor { reducedMax(Array(0..<rank), keepDims: false, "max()") }
    /// The largest element along `axis`; the gradient goes to the first maximum along the axis (as
    /// PyTorch's `max(dim)` sends it to the index it returns).
    ///
    /// - Parameters:
    ///   - axis: The axis to reduce (negative counts from the back).
    ///   - keepDims: Whether to keep the axis with extent 1.
    /// - Returns: The maxima.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor { reducedMax([axis], keepDims: keepDims, "max(axis:)") }
    /// The largest element over `axes`; the gradient goes to the first maximum in row-major order.
    ///
    /// - Parameters:
    ///   - axes: The axes to reduce (negative counts from the back).
    ///   - keepDims: Whether to keep the axes with extent 1.
    /// - Returns: The maxima.
    public func max(axes: [Int], keepDims: Bool = false) -> Tensor { reducedMax(axes, keepDims: keepDims, "max(axes:)") }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func reducedLogSumExp(_ axes: [Int], keepDims: Bool, _ operation: StaticString) -> Tensor {
        let plan = reductionPlan(axes, keepDims: keepDims, operation)
        if plan.axes.isEmpty { return self }
        guard let (outer, extent, inner) = plan.layout else {
            let kept = shape.indices.filter { !plan.axes.contains($0) }
            return transposed(kept + plan.axes).reducedLogSumExp(Array(kept.count..<rank), keepDims: false, operation)
                .reshaped(plan.resultShape)
        }
        let out = TensorStorage<Scalar>(uninitializedCount: outer * inner)
        withUnsafeBufferPointer { x in
            ReductionKernels.logSumExp(x.baseAddress!, outer: outer, extent: extent, inner: inner, into: out.pointer)
        }
        let value = Tensor(shape: plan.resultShape, storage: out)
        let input = withoutDerivative(at: self)
        let x = self
        return Tensor.record(value, input: self, operation: operation) { g in
            if Tensor.mustRecord(g, x) {
                // g spread along the reduced extent times e^{x − logSumExp(x)}: the softmax along it,
                // recomputed from the recorded input (softmax's own pullback records in turn).
                let probabilities = softmax(x.reshaped([outer, extent, inner]), axis: 1)
                return (g.reshaped([outer, 1, inner]) * probabilities).reshaped(input.shape)
            }
            let gradient = TensorStorage<Scalar>(uninitializedCount: input.scalarCount)
            input.withUnsafeBufferPointer { x in
                g.withUnsafeBufferPointer { gp in
                    ReductionKernels.logSumExpPullback(x.baseAddress!, out.pointer, gp.baseAddress!, outer: outer,
                                                       extent: extent, inner: inner, into: gradient.pointer)
                }
            }
            return withExtendedLifetime(value) { Tensor(shape: input.shape, storage: gradient) }
        }
    }

    /// ln Σ eˣ over all elements (rank 0), computed stably (shifted by the maximum).
    ///
    /// - Returns: A rank-0 tensor.
    public func logSumExp() -> Tensor { reducedLogSumExp(Array(0..<rank), keepDims: false, "logSumExp()") }
    /// ln Σ eˣ along `axis`, computed stably; the gradient is the softmax along the axis.
    ///
    /// - Parameters:
    ///   - axis: The axis to reduce (negative counts from the back).
    ///   - keepDims: Whether to keep the axis with extent 1.
    /// - Returns: ln Σ eˣ along `axis`.
    public func logSumExp(axis: Int, keepDims: Bool = false) -> Tensor {
        reducedLogSumExp([axis], keepDims: keepDims, "logSumExp(axis:)")
    }
    /// ln Σ eˣ over `axes`, computed stably.
    ///
    /// - Parameters:
    ///   - axes: The axes to reduce (negative counts from the back).
    ///   - keepDims: Whether to keep the axes with extent 1.
    /// - Returns: ln Σ eˣ over `axes`.
    public func logSumExp(axes: [Int], keepDims: Bool = false) -> Tensor {
        reducedLogSumExp(axes, keepDims: keepDims, "logSumExp(axes:)")
    }
}
