/// The convolution as GEMMs over the column matrix (see `Convolution.swift` for the layout argument).
///
/// Forward: `Y[N·P, O] = cols[N·P, K] · Wᵀ` (W is [O, K]), then Y is transposed per image to NCHW with
/// the bias added. Backward, from the NCHW cotangent G transposed to `Gt[N·P, O]`:
/// `dCols = Gt · W` (then col2im); from G made channel-major, `Gc[O, N·P]` (a copy by runs),
/// `dW = Gc · cols`; and `dBias[o] = Σ_{n,p} G[n, o, p]`. Every GEMM reads A untransposed.
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

    /// `out[o, n·P + p] = g[n, o, p]`: [N, O, P] to channel-major [O, N·P], by runs of P.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func batchToChannelMajor<S: TensorScalar>(_ g: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>,
                                                     images: Int, pixels: Int, channels: Int) {
        for n in 0..<images {
            for o in 0..<channels {
                (out + (o * images + n) * pixels).update(from: g + (n * channels + o) * pixels, count: pixels)
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

    /// The forward convolution: fills `cols` ([N·P, K]) from `x` and writes the NCHW output to `out`.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func convolutionForward<S: TensorScalar>(
        _ x: UnsafePointer<S>, weight: UnsafePointer<S>, bias: UnsafePointer<S>?,
        cols: UnsafeMutablePointer<S>, _ out: UnsafeMutablePointer<S>, geometry g: ConvolutionGeometry
    ) {
        let rows = g.rows, patch = g.patchSize, outputs = g.outputChannels
        im2col(x, cols, geometry: g, images: 0..<g.batch)
        let pixelMajor = UnsafeMutablePointer<S>.allocate(capacity: Swift.max(rows * outputs, 1))
        defer { pixelMajor.deallocate() }
        gemm(transposeA: false, transposeB: true, m: rows, n: outputs, k: patch,
             a: cols, lda: patch, b: weight, ldb: patch, c: pixelMajor, ldc: outputs, accumulate: false)
        pixelsToChannels(pixelMajor, bias: bias, out, images: g.batch, pixels: g.outputPixels, channels: outputs)
    }

    /// The convolution's pullback. Each destination pointer is nil when that gradient is not needed;
    /// `dx` is overwritten (it need not be initialised).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func convolutionBackward<S: TensorScalar>(
        _ gradient: UnsafePointer<S>, weight: UnsafePointer<S>, cols: UnsafePointer<S>,
        dx: UnsafeMutablePointer<S>?, dWeight: UnsafeMutablePointer<S>?, dBias: UnsafeMutablePointer<S>?,
        geometry g: ConvolutionGeometry
    ) {
        let rows = g.rows, patch = g.patchSize, outputs = g.outputChannels
        if let dBias {
            sumOverBatchAndPixels(gradient, dBias, images: g.batch, channels: outputs, pixels: g.outputPixels)
        }
        guard dx != nil || dWeight != nil else { return }
        if let dWeight {
            // dW[O, K] = G[O, N·P] · cols[N·P, K], with G made channel-major by runs (no transpose).
            let channelMajor = UnsafeMutablePointer<S>.allocate(capacity: Swift.max(rows * outputs, 1))
            defer { channelMajor.deallocate() }
            batchToChannelMajor(gradient, channelMajor, images: g.batch, pixels: g.outputPixels, channels: outputs)
            gemm(transposeA: false, transposeB: false, m: outputs, n: patch, k: rows,
                 a: channelMajor, lda: rows, b: cols, ldb: patch, c: dWeight, ldc: patch, accumulate: false)
        }
        if let dx {
            // dCols[N·P, K] = G[N·P, O] · W[O, K], then scattered back onto the images, a few images at
            // a time so that the dCols block (≤ 1 MB) stays in cache between the GEMM and col2im.
            let pixelMajor = UnsafeMutablePointer<S>.allocate(capacity: Swift.max(rows * outputs, 1))
            defer { pixelMajor.deallocate() }
            channelsToPixels(gradient, pixelMajor, images: g.batch, pixels: g.outputPixels, channels: outputs)
            let imageRows = g.outputPixels * patch
            let chunk = Swift.max(1, Swift.min(g.batch, (1 << 18) / Swift.max(imageRows, 1)))
            let dCols = UnsafeMutablePointer<S>.allocate(capacity: Swift.max(chunk * imageRows, 1))
            defer { dCols.deallocate() }
            for first in stride(from: 0, to: g.batch, by: chunk) {
                let images = first..<Swift.min(first + chunk, g.batch)
                gemm(transposeA: false, transposeB: false, m: images.count * g.outputPixels, n: patch, k: outputs,
                     a: pixelMajor + first * g.outputPixels * outputs, lda: outputs, b: weight, ldb: patch,
                     c: dCols, ldc: patch, accumulate: false)
                col2im(dCols, dx, geometry: g, images: images)
            }
        }
    }
}
