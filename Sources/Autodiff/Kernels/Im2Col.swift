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
    /// [O, C, kh, kw]), with zeros where the patch overlaps the padding. `cols` points at row 0 of image
    /// `images.lowerBound`.
    ///
    /// Each image is first copied into a zero-padded scratch image (a few KB, in L1), so the copy loop
    /// has no bounds checks; the kernel width is made a constant for the common widths 1–4.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func im2col<S: TensorScalar>(_ x: UnsafePointer<S>, _ cols: UnsafeMutablePointer<S>,
                                        geometry g: ConvolutionGeometry, images: Range<Int>) {
        let paddedHeight = g.height + 2 * g.paddingY, paddedWidth = g.width + 2 * g.paddingX
        let paddedPlane = paddedHeight * paddedWidth
        let padded = UnsafeMutablePointer<S>.allocate(capacity: g.channels * paddedPlane)
        defer { padded.deallocate() }
        padded.initialize(repeating: 0, count: g.channels * paddedPlane)
        for n in images {
            copyPadded(x + n * g.imageSize, into: padded, geometry: g)
            let rows = cols + (n - images.lowerBound) * g.outputPixels * g.patchSize
            switch g.kernelWidth {
            case 1: gatherPatches(padded, rows, geometry: g, kernelWidth: 1)
            case 2: gatherPatches(padded, rows, geometry: g, kernelWidth: 2)
            case 3: gatherPatches(padded, rows, geometry: g, kernelWidth: 3)
            case 4: gatherPatches(padded, rows, geometry: g, kernelWidth: 4)
            default: gatherPatches(padded, rows, geometry: g, kernelWidth: g.kernelWidth)
            }
        }
    }

    /// Copies one C×H×W image into the interior of a zero-bordered C×(H+2p)×(W+2p) buffer.
    @inline(__always)
    static func copyPadded<S: TensorScalar>(_ image: UnsafePointer<S>, into padded: UnsafeMutablePointer<S>,
                                            geometry g: ConvolutionGeometry) {
        let paddedWidth = g.width + 2 * g.paddingX, paddedPlane = (g.height + 2 * g.paddingY) * paddedWidth
        for c in 0..<g.channels {
            for h in 0..<g.height {
                (padded + c * paddedPlane + (h + g.paddingY) * paddedWidth + g.paddingX)
                    .update(from: image + (c * g.height + h) * g.width, count: g.width)
            }
        }
    }

    /// The rows of one image's patches from its padded copy (`kernelWidth` is a constant when inlined).
    @inline(__always)
    static func gatherPatches<S: TensorScalar>(_ padded: UnsafePointer<S>, _ rows: UnsafeMutablePointer<S>,
                                               geometry g: ConvolutionGeometry, kernelWidth kw: Int) {
        let paddedWidth = g.width + 2 * g.paddingX, paddedPlane = (g.height + 2 * g.paddingY) * paddedWidth
        var row = rows
        for oh in 0..<g.outputHeight {
            for ow in 0..<g.outputWidth {
                let origin = padded + oh * g.strideY * paddedWidth + ow * g.strideX
                for c in 0..<g.channels {
                    var line = origin + c * paddedPlane
                    for _ in 0..<g.kernelHeight {
                        for j in 0..<kw { row[j] = line[j] }
                        row += kw
                        line += paddedWidth
                    }
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds every entry of the column-matrix gradient `dCols` (rows of images
    /// `images`, starting at row 0 of `images.lowerBound`) to the input element it was copied from;
    /// entries in the padding are dropped. Overwrites those images of `dx`.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func col2im<S: TensorScalar>(_ dCols: UnsafePointer<S>, _ dx: UnsafeMutablePointer<S>,
                                        geometry g: ConvolutionGeometry, images: Range<Int>) {
        let paddedHeight = g.height + 2 * g.paddingY, paddedWidth = g.width + 2 * g.paddingX
        let paddedPlane = paddedHeight * paddedWidth
        let padded = UnsafeMutablePointer<S>.allocate(capacity: g.channels * paddedPlane)
        defer { padded.deallocate() }
        for n in images {
            padded.update(repeating: 0, count: g.channels * paddedPlane)
            let rows = dCols + (n - images.lowerBound) * g.outputPixels * g.patchSize
            switch g.kernelWidth {
            case 1: scatterPatches(rows, padded, geometry: g, kernelWidth: 1)
            case 2: scatterPatches(rows, padded, geometry: g, kernelWidth: 2)
            case 3: scatterPatches(rows, padded, geometry: g, kernelWidth: 3)
            case 4: scatterPatches(rows, padded, geometry: g, kernelWidth: 4)
            default: scatterPatches(rows, padded, geometry: g, kernelWidth: g.kernelWidth)
            }
            let image = dx + n * g.imageSize
            for c in 0..<g.channels {
                for h in 0..<g.height {
                    (image + (c * g.height + h) * g.width)
                        .update(from: padded + c * paddedPlane + (h + g.paddingY) * paddedWidth + g.paddingX,
                                count: g.width)
                }
            }
        }
    }

    /// Adds one image's patch rows into its padded gradient (`kernelWidth` constant when inlined).
    @inline(__always)
    static func scatterPatches<S: TensorScalar>(_ rows: UnsafePointer<S>, _ padded: UnsafeMutablePointer<S>,
                                                geometry g: ConvolutionGeometry, kernelWidth kw: Int) {
        let paddedWidth = g.width + 2 * g.paddingX, paddedPlane = (g.height + 2 * g.paddingY) * paddedWidth
        var row = rows
        for oh in 0..<g.outputHeight {
            for ow in 0..<g.outputWidth {
                let origin = padded + oh * g.strideY * paddedWidth + ow * g.strideX
                for c in 0..<g.channels {
                    var line = origin + c * paddedPlane
                    for _ in 0..<g.kernelHeight {
                        for j in 0..<kw { line[j] += row[j] }
                        row += kw
                        line += paddedWidth
                    }
                }
            }
        }
    }
}
