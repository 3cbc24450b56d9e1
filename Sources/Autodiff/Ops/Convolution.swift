import Requirements

/// 2-D convolution over NCHW images (PyTorch `torch.nn.functional.conv2d` semantics, no dilation
/// or groups), computed as im2col + GEMM.
///
/// Layout. The patches of the images form a column matrix (row: an output pixel, column: a weight
/// element, in channels-last (kh, kw, C) order, with the weights permuted to match). The output is the
/// GEMM `cols · Wᵀ` → [pixels, O], transposed per image to NCHW with the bias added. The weights are the
/// small operand (at most a few hundred KB): GEMM packs them as B and reads the tall `cols` rows in
/// place, the shape its microkernel is tuned for; the alternative `W · cols` per image would pack the
/// large operand and run GEMMs only 36 columns wide on the 6×6 maps of the MNIST ODE-Net.
///
/// Work. The batch is processed a few images at a time (a chunk's column matrix stays in cache), on
/// two threads, by `Kernels.convolutionForward` / `convolutionBackward`. Nothing but the input and the
/// weights is kept for the pullback, which rebuilds the columns it needs chunk by chunk.
extension Tensor {
    /// Records the convolution of `input` by `weight` plus `bias` on the current tape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    @usableFromInline
    static func convolution2D(_ input: Tensor, weight: Tensor, bias: Tensor?,
                              stride: (Int, Int), padding: (Int, Int)) -> Tensor {
        let geometry = ConvolutionGeometry(input: input.shape, weight: weight.shape, stride: stride, padding: padding)
        if let bias {
            require(bias.shape == [geometry.outputChannels],
                    "conv2d: bias shape \(bias.shape) does not match weight shape \(weight.shape) (expected [\(geometry.outputChannels)])")
        }
        let output = TensorStorage<Scalar>(uninitializedCount: geometry.outputShape.reduce(1, *))
        withOptionalPointers(bias, nil) { b, _ in
            input.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { w in
                    Kernels.convolutionForward(x.baseAddress!, weight: w.baseAddress!, bias: b, output.pointer,
                                               geometry: geometry)
                }
            }
        }
        let value = Tensor(shape: geometry.outputShape, storage: output)
        let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
        let (inputShape, weightShape) = (input.shape, weight.shape)
        return record(value, inputs: inputs) { gradient, needs in
            let dx = needs[0] ? TensorStorage<Scalar>(uninitializedCount: inputShape.reduce(1, *)) : nil
            let dWeight = needs[1] ? TensorStorage<Scalar>(uninitializedCount: weightShape.reduce(1, *)) : nil
            let dBias = needs.count > 2 && needs[2] ? TensorStorage<Scalar>(uninitializedCount: geometry.outputChannels) : nil
            gradient.withUnsafeBufferPointer { g in
                input.withUnsafeBufferPointer { x in
                    weight.withUnsafeBufferPointer { w in
                        Kernels.convolutionBackward(g.baseAddress!, x: x.baseAddress!, weight: w.baseAddress!,
                                                    dx: dx?.pointer, dWeight: dWeight?.pointer, dBias: dBias?.pointer,
                                                    geometry: geometry)
                    }
                }
            }
            var result: [Tensor?] = [dx.map { Tensor(shape: inputShape, storage: $0) },
                                     dWeight.map { Tensor(shape: weightShape, storage: $0) }]
            if needs.count > 2 { result.append(dBias.map { Tensor(shape: [geometry.outputChannels], storage: $0) }) }
            return result
        }
    }
}

/// The 2-D cross-correlation of NCHW images with a bank of filters, as in PyTorch's `conv2d`:
/// `out[n, o, y, x] = bias[o] + Σ_{c,i,j} input[n, c, y·s − p + i, x·s − p + j] · weight[o, c, i, j]`,
/// with zeros outside the image.
///
/// Differentiable in `input`, `weight` and `bias`; the pullback skips the input gradient when the input
/// is not being differentiated (a first layer applied to data). The output has spatial extent
/// ⌊(H + 2·padding − kh) / stride⌋ + 1 (and likewise for the width).
///
///     let y = conv2d(images, weight: w, bias: b, stride: 2, padding: 1)   // [N, O, H/2, W/2] for 4×4 w
///
/// - Parameters:
///   - input: images, [N, C, H, W].
///   - weight: filters, [O, C, kh, kw].
///   - bias: one value per output channel, [O], or nil.
///   - stride: step between output pixels, in both directions (default 1).
///   - padding: zeros added on each side, in both directions (default 0).
/// - Returns: [N, O, OH, OW].
public func conv2d<Scalar: TensorScalar>(_ input: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>? = nil,
                                         stride: Int = 1, padding: Int = 0) -> Tensor<Scalar> {
    Tensor.convolution2D(input, weight: weight, bias: bias, stride: (stride, stride), padding: (padding, padding))
}

/// `conv2d` with separate vertical and horizontal strides and paddings, each given as (height, width).
///
/// - Parameters:
///   - input: Images, [N, C, H, W].
///   - weight: Filters, [O, C, kh, kw].
///   - bias: One value per output channel, [O], or nil.
///   - strides: The steps between output pixels, (vertical, horizontal).
///   - padding: The zeros added on each side, (vertical, horizontal).
/// - Returns: [N, O, OH, OW].
public func conv2d<Scalar: TensorScalar>(_ input: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>? = nil,
                                         strides: (Int, Int), padding: (Int, Int)) -> Tensor<Scalar> {
    Tensor.convolution2D(input, weight: weight, bias: bias, stride: strides, padding: padding)
}
