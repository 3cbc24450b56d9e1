import Requirements

/// The shape arithmetic of a 2-D convolution over NCHW images (PyTorch semantics: zero padding,
/// output extent ⌊(H + 2p − kh) / s⌋ + 1), shared by the forward kernel and its pullbacks.
@usableFromInline
struct ConvolutionGeometry: Sendable {
    @usableFromInline let batch, channels, height, width: Int
    @usableFromInline let outputChannels, kernelHeight, kernelWidth: Int
    @usableFromInline let strideY, strideX, paddingY, paddingX: Int
    @usableFromInline let outputHeight, outputWidth: Int

    @usableFromInline
    init(input: [Int], weight: [Int], stride: (Int, Int), padding: (Int, Int)) {
        require(input.count == 4, "conv2d: input shape \(input) is not [N, C, H, W]")
        require(weight.count == 4, "conv2d: weight shape \(weight) is not [O, C, kh, kw]")
        require(input[1] == weight[1],
                "conv2d: input shape \(input) has \(input[1]) channels, weight shape \(weight) expects \(weight[1])")
        require(stride.0 > 0 && stride.1 > 0, "conv2d: stride \(stride) must be positive")
        require(padding.0 >= 0 && padding.1 >= 0, "conv2d: padding \(padding) must not be negative")
        batch = input[0]; channels = input[1]; height = input[2]; width = input[3]
        outputChannels = weight[0]; kernelHeight = weight[2]; kernelWidth = weight[3]
        strideY = stride.0; strideX = stride.1; paddingY = padding.0; paddingX = padding.1
        let paddedHeight = height + 2 * paddingY, paddedWidth = width + 2 * paddingX
        require(kernelHeight >= 1 && kernelWidth >= 1 && kernelHeight <= paddedHeight && kernelWidth <= paddedWidth,
                "conv2d: kernel of weight shape \(weight) does not fit input shape \(input) padded by \(padding)")
        outputHeight = (paddedHeight - kernelHeight) / strideY + 1
        outputWidth = (paddedWidth - kernelWidth) / strideX + 1
    }

    /// Elements of one patch: C·kh·kw (the GEMM reduction length).
    @usableFromInline var patchSize: Int { channels * kernelHeight * kernelWidth }
    /// Output pixels per image: OH·OW.
    @usableFromInline var outputPixels: Int { outputHeight * outputWidth }
    /// Rows of the column matrix: N·OH·OW.
    @usableFromInline var rows: Int { batch * outputPixels }
    /// Elements of one input image: C·H·W.
    @usableFromInline var imageSize: Int { channels * height * width }
    /// The output shape [N, O, OH, OW].
    @usableFromInline var outputShape: [Int] { [batch, outputChannels, outputHeight, outputWidth] }
}

extension ConvolutionGeometry {
    /// Rows of the padded channels-last staging image: H + 2·pY.
    @usableFromInline var paddedHeight: Int { height + 2 * paddingY }
    /// Columns of the padded channels-last staging image: W + 2·pX.
    @usableFromInline var paddedWidth: Int { width + 2 * paddingX }
    /// Scalars of one padded channels-last staging image: (H + 2·pY)·(W + 2·pX)·C.
    @usableFromInline var paddedImageSize: Int { paddedHeight * paddedWidth * channels }
    /// Scalars of one patch row of the kernel (kw·C), contiguous in the channels-last staging image.
    @usableFromInline var patchRun: Int { kernelWidth * channels }
    /// Leading dimension of the column matrices built here: K, or K + 16 when K is a multiple of 16, so
    /// that rows read with a power-of-two stride do not compete for the same L1 sets.
    @usableFromInline var columnStride: Int { patchSize % 16 == 0 ? patchSize + 16 : patchSize }
}

/// im2col and col2im in channels-last patch order.
///
/// Each image is first staged as a zero-bordered channels-last copy, [(H + 2p), (W + 2p), C]. A patch
/// row of the kernel (kernel row i, all kw columns, all C channels) is then one contiguous run of kw·C
/// scalars, whatever the stride, so a column-matrix row is kh block copies. The columns are therefore
/// ordered (i, j, c), not PyTorch's (c, i, j): the drivers permute the weights to [O, kh, kw, C] to match.
extension Kernels {
    /// Writes the patches of images `images` of `x` (NCHW) as rows of `cols` (row `(n, oh, ow)` of
    /// length K = kh·kw·C in (i, j, c) order, leading dimension `geometry.columnStride`), starting at row
    /// 0 of `images.lowerBound`. `padded` is scratch of `geometry.paddedImageSize` scalars.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func im2col<S: TensorScalar>(_ x: UnsafePointer<S>, _ cols: UnsafeMutablePointer<S>,
                                        padded: UnsafeMutablePointer<S>, geometry g: ConvolutionGeometry,
                                        images: Range<Int>) {
        padded.update(repeating: 0, count: g.paddedImageSize)
        let run = g.patchRun, ld = g.columnStride
        let rowPitch = g.paddedWidth * g.channels
        var row = cols
        for n in images {
            stageChannelsLast(x + n * g.imageSize, into: padded, geometry: g)
            for oh in 0..<g.outputHeight {
                for ow in 0..<g.outputWidth {
                    var source = UnsafePointer(padded) + (oh * g.strideY * g.paddedWidth + ow * g.strideX) * g.channels
                    var target = row
                    for _ in 0..<g.kernelHeight {
                        copyRun(source, target, count: run)
                        source += rowPitch
                        target += run
                    }
                    row += ld
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds every entry of the column-matrix gradient `dCols` (same layout) to
    /// the input element it was copied from, dropping entries in the padding, and overwrites those
    /// images of `dx` (NCHW) with the result. `padded` is scratch of `geometry.paddedImageSize` scalars.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func col2im<S: TensorScalar>(_ dCols: UnsafePointer<S>, _ dx: UnsafeMutablePointer<S>,
                                        padded: UnsafeMutablePointer<S>, geometry g: ConvolutionGeometry,
                                        images: Range<Int>) {
        let run = g.patchRun, ld = g.columnStride
        let rowPitch = g.paddedWidth * g.channels
        var row = dCols
        for n in images {
            padded.update(repeating: 0, count: g.paddedImageSize)
            for oh in 0..<g.outputHeight {
                for ow in 0..<g.outputWidth {
                    var target = padded + (oh * g.strideY * g.paddedWidth + ow * g.strideX) * g.channels
                    var source = row
                    for _ in 0..<g.kernelHeight {
                        addRun(source, target, count: run)
                        source += run
                        target += rowPitch
                    }
                    row += ld
                }
            }
            unstageChannelsLast(padded, into: dx + n * g.imageSize, geometry: g)
        }
    }

    /// Copies one C×H×W image into the interior of the zero-bordered [(H+2p), (W+2p), C] staging image.
    @inline(__always)
    static func stageChannelsLast<S: TensorScalar>(_ image: UnsafePointer<S>, into padded: UnsafeMutablePointer<S>,
                                                   geometry g: ConvolutionGeometry) {
        let channels = g.channels, plane = g.height * g.width
        if channels == 1 {
            for h in 0..<g.height {
                copyRun(image + h * g.width, padded + (h + g.paddingY) * g.paddedWidth + g.paddingX, count: g.width)
            }
            return
        }
        // By blocks of up to 16 pixels of a row, channel by channel: the reads are runs of one channel's
        // row, and the strided writes stay within the block's 16·C scalars (in L1, even for 64 channels
        // on 26×26 images, where whole-plane strides would write to L2).
        let block = 16
        for h in 0..<g.height {
            let sourceRow = image + h * g.width
            let targetRow = padded + ((h + g.paddingY) * g.paddedWidth + g.paddingX) * channels
            var w0 = 0
            while w0 < g.width {
                let count = Swift.min(block, g.width - w0)
                for c in 0..<channels {
                    var source = sourceRow + c * plane + w0
                    var target = targetRow + w0 * channels + c
                    for _ in 0..<count {
                        target.pointee = source.pointee
                        target += channels
                        source += 1
                    }
                }
                w0 += count
            }
        }
    }

    /// Copies the interior of a [(H+2p), (W+2p), C] staging image back to one C×H×W image.
    @inline(__always)
    static func unstageChannelsLast<S: TensorScalar>(_ padded: UnsafePointer<S>, into image: UnsafeMutablePointer<S>,
                                                     geometry g: ConvolutionGeometry) {
        let channels = g.channels, plane = g.height * g.width
        if channels == 1 {
            for h in 0..<g.height {
                copyRun(padded + (h + g.paddingY) * g.paddedWidth + g.paddingX, image + h * g.width, count: g.width)
            }
            return
        }
        // Blocks of up to 16 pixels of a row, as in `stageChannelsLast`.
        let block = 16
        for h in 0..<g.height {
            let targetRow = image + h * g.width
            let sourceRow = padded + ((h + g.paddingY) * g.paddedWidth + g.paddingX) * channels
            var w0 = 0
            while w0 < g.width {
                let count = Swift.min(block, g.width - w0)
                for c in 0..<channels {
                    var source = sourceRow + w0 * channels + c
                    var target = targetRow + c * plane + w0
                    for _ in 0..<count {
                        target.pointee = source.pointee
                        source += channels
                        target += 1
                    }
                }
                w0 += count
            }
        }
    }

    /// `target[0..<count] = source[0..<count]` by 16- then 8-lane vectors, without a library call (runs
    /// are short: kw·C scalars).
    @inline(__always)
    static func copyRun<S: TensorScalar>(_ source: UnsafePointer<S>, _ target: UnsafeMutablePointer<S>, count: Int) {
        var k = 0
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(target)
        let size = MemoryLayout<S>.stride
        while k + 16 <= count {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: k * size, as: SIMD16<S>.self),
                          toByteOffset: k * size, as: SIMD16<S>.self)
            k += 16
        }
        if k + 8 <= count {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: k * size, as: SIMD8<S>.self),
                          toByteOffset: k * size, as: SIMD8<S>.self)
            k += 8
        }
        while k < count { target[k] = source[k]; k += 1 }
    }

    /// `target[0..<count] += source[0..<count]` by 16- then 8-lane vectors.
    @inline(__always)
    static func addRun<S: TensorScalar>(_ source: UnsafePointer<S>, _ target: UnsafeMutablePointer<S>, count: Int) {
        var k = 0
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(target)
        let size = MemoryLayout<S>.stride
        while k + 16 <= count {
            let sum = to.loadUnaligned(fromByteOffset: k * size, as: SIMD16<S>.self)
                + from.loadUnaligned(fromByteOffset: k * size, as: SIMD16<S>.self)
            to.storeBytes(of: sum, toByteOffset: k * size, as: SIMD16<S>.self)
            k += 16
        }
        if k + 8 <= count {
            let sum = to.loadUnaligned(fromByteOffset: k * size, as: SIMD8<S>.self)
                + from.loadUnaligned(fromByteOffset: k * size, as: SIMD8<S>.self)
            to.storeBytes(of: sum, toByteOffset: k * size, as: SIMD8<S>.self)
            k += 8
        }
        while k < count { target[k] += source[k]; k += 1 }
    }
}
