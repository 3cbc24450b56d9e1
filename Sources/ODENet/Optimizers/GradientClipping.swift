import Autodiff
import Requirements

/// Scales `gradients` so that their joint L2 norm is at most `maxNorm`, with the semantics of
/// PyTorch's `clip_grad_norm_`, and returns the norm before clipping.
///
/// The norm is taken over all gradients together, √(Σᵢ‖gᵢ‖²) (accumulated in `Double`). When it exceeds
/// `maxNorm`, every gradient is multiplied by `maxNorm / (norm + 1e-6)`; otherwise they are unchanged.
/// A non-finite norm is returned as is and the gradients are left alone.
///
///     let norm = clipGradientNorm(&gradients, maxNorm: 1)
///
/// - Parameters:
///   - gradients: The gradients, scaled in place when their norm exceeds `maxNorm`.
///   - maxNorm: The largest joint norm allowed.
/// - Returns: The joint norm before clipping.
@discardableResult
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func clipGradientNorm<Scalar: TensorScalar>(_ gradients: inout [Tensor<Scalar>], maxNorm: Double) -> Double {
    require(maxNorm >= 0, "clipGradientNorm: maxNorm \(maxNorm) must be ≥ 0")
    var sumOfSquares = 0.0
    for gradient in gradients {
        gradient.withUnsafeBufferPointer { g in
            for value in g { sumOfSquares += Double(value) * Double(value) }
        }
    }
    let norm = sumOfSquares.squareRoot()
    let coefficient = maxNorm / (norm + 1e-6)
    guard norm.isFinite, coefficient < 1 else { return norm }
    let factor = Scalar(coefficient)
    for index in gradients.indices {
        gradients[index].withUnsafeMutableBufferPointer { g in
            for i in 0..<g.count { g[i] *= factor }
        }
    }
    return norm
}
