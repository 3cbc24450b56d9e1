import Requirements

/// Average pooling over NCHW images.
extension Kernels {
    /// Averages each kernel×kernel window of `planes` H×W planes (window origins `stride` apart).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func averagePoolForward<S: TensorScalar>(_ x: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>,
                                                    planes: Int, height: Int, width: Int, kernel: Int, stride: Int) {
        let outputHeight = (height - kernel) / stride + 1, outputWidth = (width - kernel) / stride + 1
        let scale = 1 / S(kernel * kernel)
        for plane in 0..<planes {
            let source = x + plane * height * width, target = out + plane * outputHeight * outputWidth
            for oh in 0..<outputHeight {
                for ow in 0..<outputWidth {
                    var total: S = 0
                    let window = source + oh * stride * width + ow * stride
                    for i in 0..<kernel {
                        for j in 0..<kernel { total += window[i * width + j] }
                    }
                    target[oh * outputWidth + ow] = total * scale
                }
            }
        }
    }

    /// The adjoint of `averagePoolForward`: spreads each output cotangent evenly over its window.
    /// `dx` is overwritten.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    @usableFromInline
    static func averagePoolBackward<S: TensorScalar>(_ g: UnsafePointer<S>, _ dx: UnsafeMutablePointer<S>,
                                                     planes: Int, height: Int, width: Int, kernel: Int, stride: Int) {
        let outputHeight = (height - kernel) / stride + 1, outputWidth = (width - kernel) / stride + 1
        let scale = 1 / S(kernel * kernel)
        dx.initialize(repeating: 0, count: planes * height * width)
        for plane in 0..<planes {
            let source = g + plane * outputHeight * outputWidth, target = dx + plane * height * width
            for oh in 0..<outputHeight {
                for ow in 0..<outputWidth {
                    let share = source[oh * outputWidth + ow] * scale
                    let window = target + oh * stride * width + ow * stride
                    for i in 0..<kernel {
                        for j in 0..<kernel { window[i * width + j] += share }
                    }
                }
            }
        }
    }
}

/// Averages each `kernelSize`×`kernelSize` window of NCHW images, windows `stride` apart (PyTorch
/// `avg_pool2d` without padding): [N, C, H, W] → [N, C, ⌊(H − k)/s⌋ + 1, ⌊(W − k)/s⌋ + 1]. Differentiable.
///
/// - Parameters:
///   - x: Images, [N, C, H, W].
///   - kernelSize: The side k of the square window.
///   - stride: distance between windows; nil (the default) means `kernelSize`, non-overlapping windows,
///     as in PyTorch.
/// - Returns: The averages, [N, C, ⌊(H − k)/s⌋ + 1, ⌊(W − k)/s⌋ + 1].
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func avgPool2d<Scalar: TensorScalar>(_ x: Tensor<Scalar>, kernelSize: Int, stride: Int? = nil) -> Tensor<Scalar> {
    let step = stride ?? kernelSize
    require(x.rank == 4, "avgPool2d: input shape \(x.shape) is not [N, C, H, W]")
    require(kernelSize >= 1 && step >= 1, "avgPool2d: kernel size \(kernelSize) and stride \(step) must be positive")
    let (height, width) = (x.shape[2], x.shape[3])
    require(kernelSize <= height && kernelSize <= width,
            "avgPool2d: kernel size \(kernelSize) exceeds the spatial extent of input shape \(x.shape)")
    let planes = x.shape[0] * x.shape[1]
    let shape = [x.shape[0], x.shape[1], (height - kernelSize) / step + 1, (width - kernelSize) / step + 1]
    let output = TensorStorage<Scalar>(uninitializedCount: shape.reduce(1, *))
    x.withUnsafeBufferPointer {
        Kernels.averagePoolForward($0.baseAddress!, output.pointer, planes: planes, height: height, width: width,
                                   kernel: kernelSize, stride: step)
    }
    let inputShape = x.shape
    return Tensor.record(Tensor(shape: shape, storage: output), input: x) { gradient in
        if Tensor.mustRecord(gradient) {
            return avgPool2dTransposed(gradient, inputShape: inputShape, kernelSize: kernelSize, stride: step)
        }
        let dx = TensorStorage<Scalar>(uninitializedCount: inputShape.reduce(1, *))
        gradient.withUnsafeBufferPointer {
            Kernels.averagePoolBackward($0.baseAddress!, dx.pointer, planes: planes, height: height, width: width,
                                        kernel: kernelSize, stride: step)
        }
        return Tensor(shape: inputShape, storage: dx)
    }
}

/// The transpose of the linear map `avgPool2d`: each element of `g` spread evenly over its window of an
/// image of shape `inputShape` (pixels outside every window get 0). Recorded; its pullback is
/// `avgPool2d`, whose recorded pullback is this op, so both are differentiable to any order.
///
/// - Parameters:
///   - g: A cotangent of the pooling's output, [N, C, OH, OW].
///   - inputShape: The pooling's input shape [N, C, H, W].
///   - kernelSize: The side of the square window.
///   - stride: The distance between windows.
/// - Returns: [N, C, H, W].
func avgPool2dTransposed<Scalar: TensorScalar>(_ g: Tensor<Scalar>, inputShape: [Int], kernelSize: Int,
                                               stride: Int) -> Tensor<Scalar> {
    let (height, width) = (inputShape[2], inputShape[3])
    let outputShape = [inputShape[0], inputShape[1], (height - kernelSize) / stride + 1, (width - kernelSize) / stride + 1]
    require(g.shape == outputShape,
            "avgPool2dTransposed: cotangent shape \(g.shape) does not match the output shape \(outputShape) of input shape \(inputShape)")
    let dx = TensorStorage<Scalar>(uninitializedCount: inputShape.reduce(1, *))
    g.withUnsafeBufferPointer {
        Kernels.averagePoolBackward($0.baseAddress!, dx.pointer, planes: inputShape[0] * inputShape[1], height: height,
                                    width: width, kernel: kernelSize, stride: stride)
    }
    return Tensor.record(Tensor(shape: inputShape, storage: dx), input: g) { u in
        avgPool2d(u, kernelSize: kernelSize, stride: stride)
    }
}

/// The mean of each channel of NCHW images over all pixels, like PyTorch's `AdaptiveAvgPool2d(1)`:
/// [N, C, H, W] → [N, C, 1, 1], or [N, C] when `keepDims` is false (the pooling and the flattening
/// that usually follows it before a linear layer, in one op). Differentiable.
///
/// - Parameters:
///   - x: Images, [N, C, H, W].
///   - keepDims: Whether to keep the two spatial axes (of extent 1).
/// - Returns: The channel means, [N, C, 1, 1] or [N, C].
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func globalAveragePool2d<Scalar: TensorScalar>(_ x: Tensor<Scalar>, keepDims: Bool = true) -> Tensor<Scalar> {
    require(x.rank == 4, "globalAveragePool2d: input shape \(x.shape) is not [N, C, H, W]")
    let planes = x.shape[0] * x.shape[1], pixels = x.shape[2] * x.shape[3]
    require(pixels > 0, "globalAveragePool2d: input shape \(x.shape) has no pixels")
    let shape = keepDims ? [x.shape[0], x.shape[1], 1, 1] : [x.shape[0], x.shape[1]]
    let output = TensorStorage<Scalar>(uninitializedCount: planes)
    let scale = 1 / Scalar(pixels)
    x.withUnsafeBufferPointer { xs in
        for plane in 0..<planes { output.pointer[plane] = Kernels.sum(xs.baseAddress! + plane * pixels, count: pixels) * scale }
    }
    let inputShape = x.shape
    return Tensor.record(Tensor(shape: shape, storage: output), input: x) { gradient in
        if Tensor.mustRecord(gradient) {
            return gradient.reshaped([inputShape[0], inputShape[1], 1, 1]).broadcast(to: inputShape) * scale
        }
        let dx = TensorStorage<Scalar>(uninitializedCount: planes * pixels)
        gradient.withUnsafeBufferPointer { g in
            for plane in 0..<planes { (dx.pointer + plane * pixels).initialize(repeating: g[plane] * scale, count: pixels) }
        }
        return Tensor(shape: inputShape, storage: dx)
    }
}
