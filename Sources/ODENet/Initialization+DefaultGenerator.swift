import Autodiff

// The initialisers without a generator draw from the library's default generator
// (`DefaultRandomNumberGenerator`, seeded with `Random.seed(_:)`).
extension Initialization {
    /// Samples U(−bound, bound) from the default generator.
    ///
    /// - Parameters:
    ///   - shape: The shape of the result.
    ///   - bound: The half-width of the interval, finite and ≥ 0.
    /// - Returns: The samples.
    public static func uniform<Scalar: TensorScalar>(_ shape: [Int], bound: Double) -> Tensor<Scalar> {
        var generator = DefaultRandomNumberGenerator()
        return uniform(shape, bound: bound, using: &generator)
    }

    /// Samples N(0, standardDeviation²) from the default generator.
    ///
    /// - Parameters:
    ///   - shape: The shape of the result.
    ///   - standardDeviation: The standard deviation, finite and ≥ 0.
    /// - Returns: The samples.
    public static func normal<Scalar: TensorScalar>(_ shape: [Int], standardDeviation: Double) -> Tensor<Scalar> {
        var generator = DefaultRandomNumberGenerator()
        return normal(shape, standardDeviation: standardDeviation, using: &generator)
    }

    /// Kaiming (He) uniform initialisation on the fan-in, drawn from the default generator.
    ///
    /// - Parameters:
    ///   - shape: The weight's shape, [out, in, kernel…].
    ///   - negativeSlope: The leaky-ReLU slope a of the gain √(2 / (1 + a²)) (√5: PyTorch's layer default).
    /// - Returns: The samples.
    public static func kaimingUniform<Scalar: TensorScalar>(
        _ shape: [Int], negativeSlope: Double = 5.0.squareRoot()
    ) -> Tensor<Scalar> {
        var generator = DefaultRandomNumberGenerator()
        return kaimingUniform(shape, negativeSlope: negativeSlope, using: &generator)
    }

    /// Kaiming (He) normal initialisation on the fan-in, drawn from the default generator.
    ///
    /// - Parameters:
    ///   - shape: The weight's shape, [out, in, kernel…].
    ///   - negativeSlope: The leaky-ReLU slope a of the gain √(2 / (1 + a²)) (0: the ReLU gain √2).
    /// - Returns: The samples.
    public static func kaimingNormal<Scalar: TensorScalar>(_ shape: [Int], negativeSlope: Double = 0) -> Tensor<Scalar> {
        var generator = DefaultRandomNumberGenerator()
        return kaimingNormal(shape, negativeSlope: negativeSlope, using: &generator)
    }

    /// Xavier (Glorot) uniform initialisation, drawn from the default generator.
    ///
    /// - Parameters:
    ///   - shape: The weight's shape, [out, in, kernel…].
    ///   - gain: The factor on the bound √(6 / (fanIn + fanOut)).
    /// - Returns: The samples.
    public static func xavierUniform<Scalar: TensorScalar>(_ shape: [Int], gain: Double = 1) -> Tensor<Scalar> {
        var generator = DefaultRandomNumberGenerator()
        return xavierUniform(shape, gain: gain, using: &generator)
    }

    /// PyTorch's default bias U(±1/√fanIn) (zeros when `fanIn` is 0), drawn from the default generator.
    ///
    /// - Parameters:
    ///   - shape: The bias's shape.
    ///   - fanIn: The fan-in of the layer's weight.
    /// - Returns: The samples.
    public static func defaultBias<Scalar: TensorScalar>(_ shape: [Int], fanIn: Int) -> Tensor<Scalar> {
        var generator = DefaultRandomNumberGenerator()
        return defaultBias(shape, fanIn: fanIn, using: &generator)
    }
}
