/// The convolution as GEMMs over the column matrix (see `Convolution.swift` for the layout argument).
///
/// Forward: `Y[N·P, O] = cols[N·P, K] · Wᵀ` (W is [O, K]), then Y is transposed per image to NCHW with
/// the bias added. Backward, from the NCHW cotangent G transposed to `Gt[N·P, O]`:
/// `dCols = Gt · W` (then col2im), `dWᵀ[K, O] = colsᵀ · Gt`, `dBias[o] = Σ_{n,p} G[n, o, p]`.
extension Kernels {
    /// `out[n, o, p] = y[n, p, o] + bias[o]` for each image: `y` is [N, P, O], `out` is [N, O, P].
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func pixelsToChannels<S: TensorScalar>(_ y: UnsafePointer<S>, bias: UnsafePointer<S>?,
                                                  _ out: UnsafeMutablePointer<S>, images: Int, pixels: Int,
                                                  channels: Int) {
        let block = 16
        for n in 0..<images {
            let source = y + n * pixels * channels, target = out + n * pixels * channels
            var o0 = 0
            while o0 < channels {
                let o1 = Swift.min(o0 + block, channels)
                for o in o0..<o1 {
                    let b = bias?[o] ?? 0
                    let line = target + o * pixels
                    for p in 0..<pixels { line[p] = source[p * channels + o] + b }
                }
                o0 = o1
            }
        }
    }

    /// `out[n, p, o] = g[n, o, p]` for each image: `g` is [N, O, P], `out` is [N, P, O].
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func channelsToPixels<S: TensorScalar>(_ g: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>,
                                                  images: Int, pixels: Int, channels: Int) {
        let block = 16
        for n in 0..<images {
            let source = g + n * pixels * channels, target = out + n * pixels * channels
            var p0 = 0
            while p0 < pixels {
                let p1 = Swift.min(p0 + block, pixels)
                for o in 0..<channels {
                    let line = source + o * pixels
                    for p in p0..<p1 { target[p * channels + o] = line[p] }
                }
                p0 = p1
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

    /// `out[j, i] = a[i, j]` for a rows×columns matrix `a`.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func transpose<S: TensorScalar>(_ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>,
                                           rows: Int, columns: Int) {
        let block = 16
        var i0 = 0
        while i0 < rows {
            let i1 = Swift.min(i0 + block, rows)
            for j in 0..<columns {
                for i in i0..<i1 { out[j * rows + i] = a[i * columns + j] }
            }
            i0 = i1
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
        let pixelMajor = UnsafeMutablePointer<S>.allocate(capacity: Swift.max(rows * outputs, 1))
        defer { pixelMajor.deallocate() }
        channelsToPixels(gradient, pixelMajor, images: g.batch, pixels: g.outputPixels, channels: outputs)
        if let dWeight {
            let transposed = UnsafeMutablePointer<S>.allocate(capacity: Swift.max(patch * outputs, 1))
            defer { transposed.deallocate() }
            gemm(transposeA: true, transposeB: false, m: patch, n: outputs, k: rows,
                 a: cols, lda: patch, b: pixelMajor, ldb: outputs, c: transposed, ldc: outputs, accumulate: false)
            transpose(transposed, dWeight, rows: patch, columns: outputs)
        }
        if let dx {
            let dCols = UnsafeMutablePointer<S>.allocate(capacity: Swift.max(rows * patch, 1))
            defer { dCols.deallocate() }
            gemm(transposeA: false, transposeB: false, m: rows, n: patch, k: outputs,
                 a: pixelMajor, lda: outputs, b: weight, ldb: patch, c: dCols, ldc: patch, accumulate: false)
            dx.initialize(repeating: 0, count: g.batch * g.imageSize)
            col2im(dCols, dx, geometry: g, images: 0..<g.batch)
        }
    }
}
