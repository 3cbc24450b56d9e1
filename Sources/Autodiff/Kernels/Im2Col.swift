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
        precondition(input.count == 4, "conv2d: input shape \(input) is not [N, C, H, W]")
        precondition(weight.count == 4, "conv2d: weight shape \(weight) is not [O, C, kh, kw]")
        precondition(input[1] == weight[1],
                     "conv2d: input shape \(input) has \(input[1]) channels, weight shape \(weight) expects \(weight[1])")
        precondition(stride.0 > 0 && stride.1 > 0, "conv2d: stride \(stride) must be positive")
        precondition(padding.0 >= 0 && padding.1 >= 0, "conv2d: padding \(padding) must not be negative")
        batch = input[0]; channels = input[1]; height = input[2]; width = input[3]
        outputChannels = weight[0]; kernelHeight = weight[2]; kernelWidth = weight[3]
        strideY = stride.0; strideX = stride.1; paddingY = padding.0; paddingX = padding.1
        let paddedHeight = height + 2 * paddingY, paddedWidth = width + 2 * paddingX
        precondition(kernelHeight >= 1 && kernelWidth >= 1 && kernelHeight <= paddedHeight && kernelWidth <= paddedWidth,
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

extension Kernels {
    /// Writes the patches of images `images` of `x` (NCHW) as rows of the column matrix `cols`
    /// ([N·OH·OW, C·kh·kw], row-major; row `(n, oh, ow)`, column `(c, i, j)`, matching the weight layout
    /// [O, C, kh, kw]), with zeros where the patch overlaps the padding. `cols` points at row 0 of image 0.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func im2col<S: TensorScalar>(_ x: UnsafePointer<S>, _ cols: UnsafeMutablePointer<S>,
                                        geometry g: ConvolutionGeometry, images: Range<Int>) {
        let patch = g.patchSize, kh = g.kernelHeight, kw = g.kernelWidth
        let plane = g.height * g.width
        for n in images {
            let image = x + n * g.imageSize
            for oh in 0..<g.outputHeight {
                let ih0 = oh * g.strideY - g.paddingY
                // Kernel rows inside the image for this output row.
                let iLow = Swift.max(0, -ih0), iHigh = Swift.min(kh, g.height - ih0)
                for ow in 0..<g.outputWidth {
                    let iw0 = ow * g.strideX - g.paddingX
                    let jLow = Swift.max(0, -iw0), jHigh = Swift.min(kw, g.width - iw0)
                    var row = cols + ((n * g.outputHeight + oh) * g.outputWidth + ow) * patch
                    if iLow == 0 && iHigh == kh && jLow == 0 && jHigh == kw {
                        var source = image + ih0 * g.width + iw0
                        for _ in 0..<g.channels {
                            var line = source
                            for _ in 0..<kh {
                                for j in 0..<kw { row[j] = line[j] }
                                row += kw
                                line += g.width
                            }
                            source += plane
                        }
                        continue
                    }
                    for c in 0..<g.channels {
                        let channel = image + c * plane
                        for i in 0..<kh {
                            if i < iLow || i >= iHigh {
                                for j in 0..<kw { row[j] = 0 }
                            } else {
                                let line = channel + (ih0 + i) * g.width + iw0
                                for j in 0..<kw { row[j] = (j >= jLow && j < jHigh) ? line[j] : 0 }
                            }
                            row += kw
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds every entry of the column-matrix gradient `dCols` to the input
    /// element it was copied from (entries in the padding are dropped). `dx` must hold the images'
    /// initial values (zeros for a fresh gradient).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func col2im<S: TensorScalar>(_ dCols: UnsafePointer<S>, _ dx: UnsafeMutablePointer<S>,
                                        geometry g: ConvolutionGeometry, images: Range<Int>) {
        let patch = g.patchSize, kh = g.kernelHeight, kw = g.kernelWidth
        let plane = g.height * g.width
        for n in images {
            let image = dx + n * g.imageSize
            for oh in 0..<g.outputHeight {
                let ih0 = oh * g.strideY - g.paddingY
                let iLow = Swift.max(0, -ih0), iHigh = Swift.min(kh, g.height - ih0)
                for ow in 0..<g.outputWidth {
                    let iw0 = ow * g.strideX - g.paddingX
                    let jLow = Swift.max(0, -iw0), jHigh = Swift.min(kw, g.width - iw0)
                    let row = dCols + ((n * g.outputHeight + oh) * g.outputWidth + ow) * patch
                    if iLow == 0 && iHigh == kh && jLow == 0 && jHigh == kw {
                        var source = row
                        var target = image + ih0 * g.width + iw0
                        for _ in 0..<g.channels {
                            var line = target
                            for _ in 0..<kh {
                                for j in 0..<kw { line[j] += source[j] }
                                source += kw
                                line += g.width
                            }
                            target += plane
                        }
                        continue
                    }
                    for c in 0..<g.channels {
                        let channel = image + c * plane
                        for i in iLow..<Swift.max(iLow, iHigh) {
                            let source = row + (c * kh + i) * kw
                            let line = channel + (ih0 + i) * g.width + iw0
                            for j in jLow..<Swift.max(jLow, jHigh) { line[j] += source[j] }
                        }
                    }
                }
            }
        }
    }
}
