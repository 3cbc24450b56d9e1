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
            if mustRecord(gradient, input) || mustRecord(weight) {
                // Recorded: the companion ops, closed under differentiation.
                var result: [Tensor?] = [
                    needs[0] ? conv2dBackwardInput(gradient, weight: weight, inputShape: inputShape,
                                                   stride: stride, padding: padding) : nil,
                    needs[1] ? conv2dBackwardWeight(input, cotangent: gradient, weightShape: weightShape,
                                                    stride: stride, padding: padding) : nil]
                if needs.count > 2 { result.append(needs[2] ? gradient.sum(axes: [0, 2, 3]) : nil) }
                return result
            }
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

/// The adjoint of `conv2d` in its input: the images `u` ↦ ⟨g, conv2d(u, W)⟩ as a tensor,
/// `dx[n, c, h, w] = Σ_{o,y,x} g[n, o, y, x] · W[o, c, h − y·s + p, w − x·s + p]` (the transposed
/// convolution), shaped `inputShape` (the stride can leave the last rows and columns uncovered, so the
/// output shape does not determine it). Bilinear in (g, W); with `conv2d` and `conv2dBackwardWeight` it
/// forms a family closed under differentiation: for the cotangent u (an image),
/// ∂⟨u, ·⟩/∂g = conv2d(u, W) and ∂⟨u, ·⟩/∂W = conv2dBackwardWeight(u, g). Recorded, so differentiable to
/// any order.
///
/// - Parameters:
///   - g: A cotangent of the convolution's output, [N, O, OH, OW].
///   - weight: The filters, [O, C, kh, kw].
///   - inputShape: The convolution's input shape [N, C, H, W].
///   - stride: The convolution's (vertical, horizontal) strides.
///   - padding: The convolution's (vertical, horizontal) paddings.
/// - Returns: [N, C, H, W].
func conv2dBackwardInput<Scalar: TensorScalar>(_ g: Tensor<Scalar>, weight: Tensor<Scalar>, inputShape: [Int],
                                               stride: (Int, Int), padding: (Int, Int)) -> Tensor<Scalar> {
    let geometry = ConvolutionGeometry(input: inputShape, weight: weight.shape, stride: stride, padding: padding)
    require(g.shape == geometry.outputShape,
            "conv2dBackwardInput: cotangent shape \(g.shape) does not match the output shape \(geometry.outputShape) "
                + "of input shape \(inputShape) and weight shape \(weight.shape)")
    let dx = TensorStorage<Scalar>(uninitializedCount: inputShape.reduce(1, *))
    g.withUnsafeBufferPointer { gp in
        weight.withUnsafeBufferPointer { w in
            // The kernel reads x only for a weight gradient: none is asked for, so g stands in for it.
            Kernels.convolutionBackward(gp.baseAddress!, x: gp.baseAddress!, weight: w.baseAddress!,
                                        dx: dx.pointer, dWeight: nil, dBias: nil, geometry: geometry)
        }
    }
    let value = Tensor(shape: inputShape, storage: dx)
    return Tensor.record(value, inputs: g, weight) { u, needsG, needsWeight in
        (needsG ? Tensor.convolution2D(u, weight: weight, bias: nil, stride: stride, padding: padding) : nil,
         needsWeight ? conv2dBackwardWeight(u, cotangent: g, weightShape: weight.shape, stride: stride,
                                            padding: padding) : nil)
    }
}

/// The adjoint of `conv2d` in its weights: ⟨g, conv2d(x, ·)⟩ as a tensor,
/// `dW[o, c, i, j] = Σ_{n,y,x} g[n, o, y, x] · x[n, c, y·s − p + i, x·s − p + j]`, shaped `weightShape`.
/// Bilinear in (x, g); with `conv2d` and `conv2dBackwardInput` it forms a family closed under
/// differentiation: for the cotangent V (a filter bank), ∂⟨V, ·⟩/∂x = conv2dBackwardInput(g, V) and
/// ∂⟨V, ·⟩/∂g = conv2d(x, V). Recorded, so differentiable to any order.
///
/// - Parameters:
///   - x: The convolution's input, [N, C, H, W].
///   - g: A cotangent of the convolution's output, [N, O, OH, OW].
///   - weightShape: The filters' shape [O, C, kh, kw].
///   - stride: The convolution's (vertical, horizontal) strides.
///   - padding: The convolution's (vertical, horizontal) paddings.
/// - Returns: [O, C, kh, kw].
func conv2dBackwardWeight<Scalar: TensorScalar>(_ x: Tensor<Scalar>, cotangent g: Tensor<Scalar>, weightShape: [Int],
                                                stride: (Int, Int), padding: (Int, Int)) -> Tensor<Scalar> {
    let geometry = ConvolutionGeometry(input: x.shape, weight: weightShape, stride: stride, padding: padding)
    require(g.shape == geometry.outputShape,
            "conv2dBackwardWeight: cotangent shape \(g.shape) does not match the output shape \(geometry.outputShape) "
                + "of input shape \(x.shape) and weight shape \(weightShape)")
    let dWeight = TensorStorage<Scalar>(uninitializedCount: weightShape.reduce(1, *))
    g.withUnsafeBufferPointer { gp in
        x.withUnsafeBufferPointer { xp in
            // The kernel reads the weights only for an input gradient: none is asked for, so x stands in.
            Kernels.convolutionBackward(gp.baseAddress!, x: xp.baseAddress!, weight: xp.baseAddress!,
                                        dx: nil, dWeight: dWeight.pointer, dBias: nil, geometry: geometry)
        }
    }
    let value = Tensor(shape: weightShape, storage: dWeight)
    return Tensor.record(value, inputs: x, g) { v, needsX, needsG in
        (needsX ? conv2dBackwardInput(g, weight: v, inputShape: x.shape, stride: stride, padding: padding) : nil,
         needsG ? Tensor.convolution2D(x, weight: v, bias: nil, stride: stride, padding: padding) : nil)
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
