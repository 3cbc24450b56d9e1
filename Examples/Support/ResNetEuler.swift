import Autodiff
import Foundation
import ODENet
import Solvers

/// The residual function f(x, t; θ) of the ResNet ↔ Euler comparison (seeds 001 and 002): a 2-D state, an
/// MLP on [x, t] (3 → `width` with tanh → 2). The same instance is a ResNet's shared block and an ODE's
/// vector field.
public final class ResidualField: Dynamics {
    /// [x, t] → hidden, with tanh.
    public let hidden: Linear<Double>
    /// hidden → dx.
    public let output: Linear<Double>

    /// A field with PyTorch's default initialisation.
    ///
    /// - Parameters:
    ///   - width: The hidden width.
    ///   - generator: The source of the initial weights.
    public init(width: Int = 32, using generator: inout SeededGenerator) {
        hidden = Linear(3, width, activation: .tanh, using: &generator)
        output = Linear(width, 2, using: &generator)
    }

    /// The two layers.
    public var namedMembers: [(name: String, member: Any)] { [("hidden", hidden), ("output", output)] }

    /// f(x, t) for a batch `state` [N, 2].
    ///
    /// - Parameters:
    ///   - time: t, rank 0.
    ///   - state: x, [N, 2].
    /// - Returns: f, [N, 2].
    public func callAsFunction(_ time: Tensor<Double>, _ state: Tensor<Double>) -> Tensor<Double> {
        let timeColumn = time.reshaped([]).broadcast(to: [state.shape[0], 1])
        return output(hidden(concatenated([state, timeColumn], axis: 1)))
    }
}

/// A ResNet of `blocks` residual blocks sharing θ, x_{k+1} = x_k + (1/L)·f(x_k, k/L; θ), built from the
/// field's layers and additions (no solver).
///
/// - Parameters:
///   - field: f.
///   - input: x₀, [N, 2].
///   - blocks: L.
///   - keepingStates: Whether to return every x_k too (for pictures).
/// - Returns: x_L, and x₀ … x_L when asked.
public func residualNetwork(_ field: ResidualField, _ input: Tensor<Double>, blocks: Int,
                            keepingStates: Bool = false) -> (output: Tensor<Double>, states: [Tensor<Double>]) {
    let h = Tensor<Double>(1 / Double(blocks))
    var x = input, states = keepingStates ? [input] : []
    for k in 0..<blocks {
        x = x + h * field(Tensor(Double(k) / Double(blocks)), x)
        if keepingStates { states.append(x) }
    }
    return (x, states)
}

/// The same field as an `ODEBlock` on [0, 1] taking Euler steps of 1/L, differentiated directly (backpropagation
/// through the steps, as through the ResNet).
///
/// - Parameters:
///   - field: f.
///   - blocks: L.
/// - Returns: The block.
public func eulerBlock(_ field: ResidualField, blocks: Int) -> ODEBlock<ResidualField> {
    ODEBlock(field, method: .euler, stepSize: 1 / Double(blocks), gradientMode: .direct)
}

/// The largest |a − b| over the largest |b|: the relative difference of two sets of tensors.
///
/// - Parameters:
///   - a: The first tensors.
///   - b: The second, shaped like the first.
/// - Returns: max |a − b| / max |b|.
public func maximumRelativeDifference(_ a: [Tensor<Double>], _ b: [Tensor<Double>]) -> Double {
    var difference = 0.0, scale = 0.0
    for (x, y) in zip(a, b) {
        for (u, v) in zip(x.scalars, y.scalars) {
            difference = max(difference, abs(u - v))
            scale = max(scale, abs(v))
        }
    }
    return difference / max(scale, .leastNormalMagnitude)
}

/// The least-squares slope of log(error) against log(L).
///
/// - Parameters:
///   - steps: The numbers of blocks L.
///   - errors: The errors, positive.
/// - Returns: The fitted slope (−1 for a first-order method).
public func logLogSlope(_ steps: [Int], _ errors: [Double]) -> Double {
    LineFit(x: steps.map { log(Double($0)) }, y: errors.map { log($0) }).slope
}
