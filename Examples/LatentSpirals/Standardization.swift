import Autodiff

/// The per-coordinate affine map between observed points and what the networks read and write:
/// u = (x − mean) / scale. Both RNNs read standardised points and both models' outputs are mapped
/// back, so every loss and RMSE stays in the spirals' own units. Raw points reach |x| ≈ 20, where a
/// tanh cell with default initialisation saturates; standardised ones are O(1).
struct Standardization {
    var mean: (x: Float, y: Float) = (0, 0)
    var scale: (x: Float, y: Float) = (1, 1)

    /// The identity map (the networks see raw points, as latent_ode.py's do).
    static let identity = Standardization()

    private init() {}

    /// Mean and standard deviation of every observed point of `observations` (the training set).
    init(_ data: SpiralDataset, _ observations: Observations) {
        var sum = (0.0, 0.0), squares = (0.0, 0.0), count = 0.0
        for (member, indices) in zip(observations.members, observations.indices) {
            let o = data.samples[member].observations
            for w in indices {
                let x = Double(o[2 * w]), y = Double(o[2 * w + 1])
                sum.0 += x; sum.1 += y
                squares.0 += x * x; squares.1 += y * y
                count += 1
            }
        }
        precondition(count > 1, "standardisation needs at least two observed points")
        let mx = sum.0 / count, my = sum.1 / count
        mean = (Float(mx), Float(my))
        scale = (Float((squares.0 / count - mx * mx).squareRoot()), Float((squares.1 / count - my * my).squareRoot()))
    }

    /// The standardised point.
    func standardized(_ x: Float, _ y: Float) -> (Float, Float) {
        ((x - mean.x) / scale.x, (y - mean.y) / scale.y)
    }

    /// Maps standardised points `u` [..., 2] back to spiral units: u · scale + mean.
    func restored(_ u: Tensor<Float>) -> Tensor<Float> {
        u * Tensor(shape: [2], scalars: [scale.x, scale.y]) + Tensor(shape: [2], scalars: [mean.x, mean.y])
    }
}
