/// The convolution as GEMMs over column matrices built a few images at a time (see `Im2Col.swift` for
/// the channels-last patch order, and `Convolution.swift` for the layout argument).
///
/// The batch is cut into chunks of whole images, small enough that a chunk's column matrix
/// (rows: its N·P output pixels, K = kh·kw·C columns) stays in L2 between im2col and the GEMM. Chunks are
/// shared between the calling thread and the `ForkJoin` worker, each with its own scratch; the GEMMs
/// inside a chunk then run on one thread. Nothing is kept between the forward pass and the pullback: the
/// pullback rebuilds the columns from the input, which costs less than writing and re-reading a column
/// matrix of the whole batch (tens of MB of fresh pages per call).
///
/// With W′ the weights permuted to [O, kh·kw·C] (the patch order), per chunk:
/// forward `Y[rows, O] = cols · W′ᵀ`, then Y is transposed to NCHW with the bias added; backward, from
/// the cotangent transposed to `Gt[rows, O]`: `dW′ᵀ[K, O] += colsᵀ · Gt` (into one partial sum per group
/// of chunks, added in a fixed order, so results do not depend on which thread ran which chunk) and
/// `dCols = Gt · W′`, scattered back by col2im; `dBias[o] = Σ_{n,p} G[n, o, p]`, summed per group of
/// chunks too, while the chunk's cotangent is in cache.
extension Kernels {
    /// `out[n, o, p] = y[n, p, o] + bias[o]` for each image: `y` is [N, P, O], `out` is [N, O, P].
    /// Transposed in 16×16 tiles so that both sides stay in L1.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func pixelsToChannels<S: TensorScalar>(_ y: UnsafePointer<S>, bias: UnsafePointer<S>?,
                                                  _ out: UnsafeMutablePointer<S>, images: Int, pixels: Int,
                                                  channels: Int) {
        let tile = 16
        for n in 0..<images {
            let source = y + n * pixels * channels, target = out + n * pixels * channels
            for p0 in stride(from: 0, to: pixels, by: tile) {
                let p1 = Swift.min(p0 + tile, pixels)
                for o0 in stride(from: 0, to: channels, by: tile) {
                    for o in o0..<Swift.min(o0 + tile, channels) {
                        let b = bias?[o] ?? 0
                        let line = target + o * pixels
                        for p in p0..<p1 { line[p] = source[p * channels + o] + b }
                    }
                }
            }
        }
    }

    /// `out[n, p, o] = g[n, o, p]` for each image: `g` is [N, O, P], `out` is [N, P, O]; 16×16 tiles.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func channelsToPixels<S: TensorScalar>(_ g: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>,
                                                  images: Int, pixels: Int, channels: Int) {
        let tile = 16
        for n in 0..<images {
            let source = g + n * pixels * channels, target = out + n * pixels * channels
            for o0 in stride(from: 0, to: channels, by: tile) {
                let o1 = Swift.min(o0 + tile, channels)
                for p0 in stride(from: 0, to: pixels, by: tile) {
                    for p in p0..<Swift.min(p0 + tile, pixels) {
                        let line = target + p * channels
                        for o in o0..<o1 { line[o] = source[o * pixels + p] }
                    }
                }
            }
        }
    }

    /// `out[c] = Σ_n Σ_p g[n, c, p]` for `g` of shape [N, C, P], accumulated in `Double`.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func sumOverBatchAndPixels<S: TensorScalar>(_ g: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>,
                                                       images: Int, channels: Int, pixels: Int) {
        for c in 0..<channels {
            var total = 0.0
            for n in 0..<images { total += Double(sum(g + (n * channels + c) * pixels, count: pixels)) }
            out[c] = S(total)
        }
    }

    /// Scalars of a chunk's scratch (column block plus pixel-major block, 1 MB in Float): a chunk
    /// stays in L2 between im2col, the GEMM and the transposes.
    @usableFromInline static let columnChunkScalars = 1 << 18
    /// Chunks the batch is cut into at least (when it has that many images), so that both threads get
    /// balanced work.
    @usableFromInline static let minimumConvolutionChunks = 16
    /// Groups of chunks with their own weight-gradient partial sum.
    @usableFromInline static let maximumWeightGradientGroups = 8

    /// Whether the GEMMs run channel-major, per image (`Y_n[O, P] = W′ · cols_nᵀ` straight into the NCHW
    /// output, and `dW′[O, K] += G_n[O, P] · cols_n` from the NCHW cotangent in place): when the patch is
    /// shorter than the output channels (the first 1→64 layer on images, K = 9), where transposing the
    /// [P, O] blocks costs more than the GEMMs.
    @inlinable
    static func isChannelMajor(_ g: ConvolutionGeometry) -> Bool {
        g.patchSize < g.outputChannels && g.outputPixels >= 32
    }

    /// Images per chunk of the batch.
    @inlinable
    static func imagesPerChunk(_ g: ConvolutionGeometry) -> Int {
        let perImage = Swift.max(g.outputPixels * (g.columnStride + g.outputChannels), 1)
        let balanced = (g.batch + minimumConvolutionChunks - 1) / minimumConvolutionChunks
        return Swift.max(1, Swift.min(columnChunkScalars / perImage, balanced))
    }

    /// `permuted[o, (i·kw + j)·C + c] = w[o, c, i, j]`: the weights in the columns' patch order.
    @inline(__always)
    static func permuteWeights<S: TensorScalar>(_ w: UnsafePointer<S>, _ permuted: UnsafeMutablePointer<S>,
                                                geometry g: ConvolutionGeometry) {
        let channels = g.channels, taps = g.kernelHeight * g.kernelWidth, patch = g.patchSize
        for o in 0..<g.outputChannels {
            let source = w + o * patch, target = permuted + o * patch
            for c in 0..<channels {
                for t in 0..<taps { target[t * channels + c] = source[c * taps + t] }
            }
        }
    }

    /// Per-thread scratch of the convolution drivers: for slot 0 (calling thread) and slot 1 (worker),
    /// a staging image, a column block and a pixel-major block. Taken from and returned to `ScratchCache`
    /// (a few MB, which would otherwise be page-faulted in afresh on every call).
    @usableFromInline
    struct ConvolutionScratch<S: TensorScalar> {
        let base: UnsafeMutablePointer<S>
        let padded: Int, columns: Int, pixels: Int
        /// Shared scratch after the two thread slots: the permuted weights and the weight-gradient partials.
        let shared: UnsafeMutablePointer<S>

        @inline(__always)
        init(_ g: ConvolutionGeometry, imagesPerChunk: Int, shared sharedCount: Int) {
            padded = g.paddedImageSize
            columns = imagesPerChunk * g.outputPixels * g.columnStride
            pixels = imagesPerChunk * g.outputPixels * g.outputChannels
            base = ScratchCache.take(S.self, count: 2 * (padded + columns + pixels) + sharedCount)
            shared = base + 2 * (padded + columns + pixels)
        }

        /// (staging image, column block, pixel-major block) of the calling thread.
        @inline(__always)
        func slot() -> (UnsafeMutablePointer<S>, UnsafeMutablePointer<S>, UnsafeMutablePointer<S>) {
            let start = base + (ForkJoin.isWorkerThread ? padded + columns + pixels : 0)
            return (start, start + padded, start + padded + columns)
        }

        func deallocate() { ScratchCache.recycle(base) }
    }

    /// Runs `body(i)` for i in 0..<count on both threads, or inline when there is one chunk (so that the
    /// GEMM inside can use both threads itself).
    @inline(__always)
    static func forEachChunk(_ count: Int, _ body: (Int) -> Void) {
        if count == 1 { body(0) } else { ForkJoin.forEach(count, body) }
    }

    /// `y[r, j] += bias[r]` for a `rows × columns` block.
    @inline(__always)
    static func addRowBias<S: TensorScalar>(_ bias: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, rows: Int,
                                            columns: Int) {
        for r in 0..<rows {
            let line = y + r * columns, b = bias[r]
            for j in 0..<columns { line[j] += b }
        }
    }

    /// The forward convolution, writing the NCHW output to `out`.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func convolutionForward<S: TensorScalar>(
        _ x: UnsafePointer<S>, weight: UnsafePointer<S>, bias: UnsafePointer<S>?,
        _ out: UnsafeMutablePointer<S>, geometry g: ConvolutionGeometry
    ) {
        let patch = g.patchSize, outputs = g.outputChannels
        let chunk = imagesPerChunk(g), chunks = (g.batch + chunk - 1) / chunk
        // Shared scratch: the permuted weights, then the same packed once for the chunks' GEMMs.
        let packedCount = packedOperandBCount(S.self, n: outputs, k: patch)
        let scratch = ConvolutionScratch<S>(g, imagesPerChunk: chunk, shared: outputs * patch + packedCount)
        defer { scratch.deallocate() }
        let permuted = scratch.shared, packed = scratch.shared + outputs * patch
        permuteWeights(weight, permuted, geometry: g)
        if !isChannelMajor(g) {
            packGEMMOperandB(transposeB: true, n: outputs, k: patch, b: permuted, ldb: patch, into: packed)
        }
        forEachChunk(chunks) { index in
            let first = index * chunk
            let (padded, cols, pixelMajor) = scratch.slot()
            convolutionForwardChunk(x, permuted: permuted, packed: packed, bias: bias, out, geometry: g,
                                    images: first..<Swift.min(first + chunk, g.batch),
                                    padded: padded, cols: cols, pixelMajor: pixelMajor)
        }
    }

    /// One chunk of the forward pass: im2col, GEMM, transpose to NCHW with the bias.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline @inline(never)
    static func convolutionForwardChunk<S: TensorScalar>(
        _ x: UnsafePointer<S>, permuted: UnsafePointer<S>, packed: UnsafePointer<S>, bias: UnsafePointer<S>?,
        _ out: UnsafeMutablePointer<S>,
        geometry g: ConvolutionGeometry, images: Range<Int>, padded: UnsafeMutablePointer<S>,
        cols: UnsafeMutablePointer<S>, pixelMajor: UnsafeMutablePointer<S>
    ) {
        let patch = g.patchSize, outputs = g.outputChannels, pixels = g.outputPixels
        im2col(x, cols, padded: padded, geometry: g, images: images)
        if isChannelMajor(g) {
            for n in images {
                let target = out + n * outputs * pixels
                gemm(transposeA: false, transposeB: true, m: outputs, n: pixels, k: patch, a: permuted, lda: patch,
                     b: cols + (n - images.lowerBound) * pixels * g.columnStride, ldb: g.columnStride,
                     c: target, ldc: pixels, accumulate: false)
                if let bias { addRowBias(bias, target, rows: outputs, columns: pixels) }
            }
            return
        }
        gemm(transposeA: false, transposeB: true, m: images.count * pixels, n: outputs, k: patch,
             a: cols, lda: g.columnStride, b: permuted, ldb: patch, c: pixelMajor, ldc: outputs, accumulate: false,
             packedB: packed)
        pixelsToChannels(pixelMajor, bias: bias, out + images.lowerBound * outputs * pixels, images: images.count,
                         pixels: pixels, channels: outputs)
    }

    /// The convolution's pullback, rebuilding the columns from `x`. Each destination pointer is nil when
    /// that gradient is not needed; all are overwritten.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func convolutionBackward<S: TensorScalar>(
        _ gradient: UnsafePointer<S>, x: UnsafePointer<S>, weight: UnsafePointer<S>,
        dx: UnsafeMutablePointer<S>?, dWeight: UnsafeMutablePointer<S>?, dBias: UnsafeMutablePointer<S>?,
        geometry g: ConvolutionGeometry
    ) {
        let patch = g.patchSize, outputs = g.outputChannels, pixels = g.outputPixels
        guard dx != nil || dWeight != nil else {
            if let dBias { sumOverBatchAndPixels(gradient, dBias, images: g.batch, channels: outputs, pixels: pixels) }
            return
        }
        let chunk = imagesPerChunk(g), chunks = (g.batch + chunk - 1) / chunk
        let groups = Swift.min(chunks, maximumWeightGradientGroups)
        // Per group, the bias gradient's sums over the group's images (in Double), added in group order.
        let biasPartials = dBias == nil ? nil : UnsafeMutablePointer<Double>.allocate(capacity: groups * outputs)
        defer { biasPartials?.deallocate() }
        biasPartials?.initialize(repeating: 0, count: groups * outputs)
        // Shared scratch: the permuted weights, the same packed for the input-gradient GEMMs, then per
        // group the weight-gradient partial.
        let packedCount = dx == nil ? 0 : packedOperandBCount(S.self, n: patch, k: outputs)
        let scratch = ConvolutionScratch<S>(g, imagesPerChunk: chunk,
                                            shared: (1 + groups) * outputs * patch + packedCount)
        defer { scratch.deallocate() }
        let permuted = scratch.shared, packed = scratch.shared + outputs * patch
        let partials = packed + packedCount
        if dx != nil {
            permuteWeights(weight, permuted, geometry: g)
            packGEMMOperandB(transposeB: false, n: patch, k: outputs, b: permuted, ldb: patch, into: packed)
        }
        forEachChunk(groups) { group in
            let (padded, cols, pixelMajor) = scratch.slot()
            let firstChunk = group * chunks / groups, endChunk = (group + 1) * chunks / groups
            for index in firstChunk..<endChunk {
                let first = index * chunk
                if let biasPartials {
                    let sums = biasPartials + group * outputs
                    for n in first..<Swift.min(first + chunk, g.batch) {
                        for o in 0..<outputs { sums[o] += Double(sum(gradient + (n * outputs + o) * pixels, count: pixels)) }
                    }
                }
                convolutionBackwardChunk(gradient, x: x, permuted: permuted, packed: packed, dx: dx,
                                         dWeightPartial: dWeight == nil ? nil : partials + group * patch * outputs,
                                         accumulate: index > firstChunk, geometry: g,
                                         images: first..<Swift.min(first + chunk, g.batch),
                                         padded: padded, cols: cols, pixelMajor: pixelMajor)
            }
        }
        if let dBias, let biasPartials {
            for o in 0..<outputs {
                var total = 0.0
                for group in 0..<groups { total += biasPartials[group * outputs + o] }
                dBias[o] = S(total)
            }
        }
        if let dWeight {
            // dW[o, c, i, j] = Σ_groups dW′ᵀ[(i·kw + j)·C + c, o], groups added in order.
            let channels = g.channels, taps = g.kernelHeight * g.kernelWidth
            for group in 1..<Swift.max(groups, 1) {
                let source = partials + group * patch * outputs
                for e in 0..<(patch * outputs) { partials[e] += source[e] }
            }
            let channelMajor = isChannelMajor(g)   // partials are dW′ [O, K] instead of dW′ᵀ [K, O]
            for o in 0..<outputs {
                for c in 0..<channels {
                    for t in 0..<taps {
                        let k = t * channels + c
                        dWeight[(o * channels + c) * taps + t] = partials[channelMajor ? o * patch + k : k * outputs + o]
                    }
                }
            }
        }
    }

    /// One chunk of the pullback: the cotangent made pixel-major, then the weight-gradient partial
    /// `dW′ᵀ (+)= colsᵀ · Gt` (columns rebuilt from x) and the input gradient `col2im(Gt · W′)`.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline @inline(never)
    static func convolutionBackwardChunk<S: TensorScalar>(
        _ gradient: UnsafePointer<S>, x: UnsafePointer<S>, permuted: UnsafePointer<S>, packed: UnsafePointer<S>,
        dx: UnsafeMutablePointer<S>?, dWeightPartial: UnsafeMutablePointer<S>?, accumulate: Bool,
        geometry g: ConvolutionGeometry, images: Range<Int>, padded: UnsafeMutablePointer<S>,
        cols: UnsafeMutablePointer<S>, pixelMajor: UnsafeMutablePointer<S>
    ) {
        let patch = g.patchSize, outputs = g.outputChannels, pixels = g.outputPixels, ld = g.columnStride
        let rows = images.count * pixels
        if isChannelMajor(g), let dWeightPartial {
            im2col(x, cols, padded: padded, geometry: g, images: images)
            for n in images {
                gemm(transposeA: false, transposeB: false, m: outputs, n: patch, k: pixels,
                     a: gradient + n * outputs * pixels, lda: pixels,
                     b: cols + (n - images.lowerBound) * pixels * ld, ldb: ld, c: dWeightPartial, ldc: patch,
                     accumulate: accumulate || n > images.lowerBound)
            }
            guard dx != nil else { return }
        }
        channelsToPixels(gradient + images.lowerBound * outputs * pixels, pixelMajor, images: images.count,
                         pixels: pixels, channels: outputs)
        if !isChannelMajor(g), let dWeightPartial {
            im2col(x, cols, padded: padded, geometry: g, images: images)
            gemm(transposeA: true, transposeB: false, m: patch, n: outputs, k: rows, a: cols, lda: ld,
                 b: pixelMajor, ldb: outputs, c: dWeightPartial, ldc: outputs, accumulate: accumulate)
        }
        if let dx {
            gemm(transposeA: false, transposeB: false, m: rows, n: patch, k: outputs, a: pixelMajor, lda: outputs,
                 b: permuted, ldb: patch, c: cols, ldc: ld, accumulate: false, packedB: packed)
            col2im(cols, dx, padded: padded, geometry: g, images: images)
        }
    }
}
