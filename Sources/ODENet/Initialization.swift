import Autodiff
import Requirements

/// Weight initialisers, reproducible from a seeded generator (a `SeededGenerator`, or the default one
/// seeded with `Random.seed(_:)` when `using:` is left out).
///
/// The layers use PyTorch's defaults: `nn.Linear` and `nn.Conv2d` draw their weight with
/// `kaiming_uniform_(a: √5)` and their bias from U(−1/√fanIn, 1/√fanIn). With a = √5 the Kaiming gain
/// is √(2 / (1 + a²)) = √(1/3), so the weight bound `gain · √(3 / fanIn)` is also 1/√fanIn: weight and
/// bias are both uniform on ±1/√fanIn, where fanIn is the number of inputs feeding one output
/// (`in` for a linear layer, `C·kh·kw` for a convolution).
///
///     var generator = SeededGenerator(seed: 42)
///     let w: Tensor<Float> = Initialization.kaimingUniform([50, 2], using: &generator)   // U(±1/√2)
public enum Initialization {
    /// The number of inputs that feed one output of a weight of shape `shape`: `shape[1]` times the
    /// product of any further (kernel) dimensions, as PyTorch's `_calculate_fan_in_and_fan_out`.
    ///
    /// A rank-1 shape (a bias or a norm scale) has fan-in `shape[0]`.
    ///
    /// - Parameter shape: A weight's shape, [out, in, kernel…].
    /// - Returns: The fan-in.
    public static func fanIn(ofWeightShape shape: [Int]) -> Int {
        require(!shape.isEmpty, "Initialization.fanIn: a rank-0 shape has no fan-in")
        if shape.count == 1 { return shape[0] }
        return shape[1] * shape.dropFirst(2).reduce(1, *)
    }

    /// The number of outputs one input feeds: `shape[0]` times the kernel dimensions.
    ///
    /// - Parameter shape: A weight's shape, [out, in, kernel…].
    /// - Returns: The fan-out.
    public static func fanOut(ofWeightShape shape: [Int]) -> Int {
        require(!shape.isEmpty, "Initialization.fanOut: a rank-0 shape has no fan-out")
        if shape.count == 1 { return shape[0] }
        return shape[0] * shape.dropFirst(2).reduce(1, *)
    }

    /// Samples U(−bound, bound).
    ///
    /// - Parameters:
    ///   - shape: The shape of the result.
    ///   - bound: The half-width of the interval, finite and ≥ 0.
    ///   - generator: The source of randomness.
    /// - Returns: The samples.
    public static func uniform<Scalar: TensorScalar>(
        _ shape: [Int], bound: Double, using generator: inout some RandomNumberGenerator
    ) -> Tensor<Scalar> {
        require(bound >= 0 && bound.isFinite, "Initialization.uniform: bound \(bound) must be finite and ≥ 0")
        return Tensor.randomUniform(shape, lowerBound: Scalar(-bound), upperBound: Scalar(bound), using: &generator)
    }

    /// Samples N(0, standardDeviation²).
    ///
    /// - Parameters:
    ///   - shape: The shape of the result.
    ///   - standardDeviation: The standard deviation, finite and ≥ 0.
    ///   - generator: The source of randomness.
    /// - Returns: The samples.
    public static func normal<Scalar: TensorScalar>(
        _ shape: [Int], standardDeviation: Double, using generator: inout some RandomNumberGenerator
    ) -> Tensor<Scalar> {
        require(standardDeviation >= 0 && standardDeviation.isFinite,
                "Initialization.normal: standard deviation \(standardDeviation) must be finite and ≥ 0")
        return Tensor.randomNormal(shape, standardDeviation: Scalar(standardDeviation), using: &generator)
    }

    /// The gain of a leaky-ReLU with slope `negativeSlope`, √(2 / (1 + a²)) (PyTorch `calculate_gain`).
    ///
    /// - Parameter negativeSlope: The slope a for negative inputs.
    /// - Returns: The gain.
    public static func leakyReLUGain(negativeSlope: Double) -> Double {
        (2 / (1 + negativeSlope * negativeSlope)).squareRoot()
    }

    /// Kaiming (He) uniform initialisation on the fan-in: U(±gain·√(3 / fanIn)) with
    /// gain = √(2 / (1 + a²)).
    ///
    /// The default `negativeSlope` √5 is PyTorch's default for `nn.Linear`/`nn.Conv2d` weights and gives
    /// the bound 1/√fanIn.
    ///
    /// - Parameters:
    ///   - shape: The weight's shape, [out, in, kernel…].
    ///   - negativeSlope: The leaky-ReLU slope a of the gain.
    ///   - generator: The source of randomness.
    /// - Returns: The samples.
    public static func kaimingUniform<Scalar: TensorScalar>(
        _ shape: [Int], negativeSlope: Double = 5.0.squareRoot(), using generator: inout some RandomNumberGenerator
    ) -> Tensor<Scalar> {
        let fan = fanIn(ofWeightShape: shape)
        require(fan > 0, "Initialization.kaimingUniform: shape \(shape) has fan-in 0")
        let bound = leakyReLUGain(negativeSlope: negativeSlope) * (3 / Double(fan)).squareRoot()
        return uniform(shape, bound: bound, using: &generator)
    }

    /// Kaiming (He) normal initialisation on the fan-in: N(0, (gain/√fanIn)²), gain = √(2 / (1 + a²));
    /// the default slope 0 is the ReLU gain √2.
    ///
    /// - Parameters:
    ///   - shape: The weight's shape, [out, in, kernel…].
    ///   - negativeSlope: The leaky-ReLU slope a of the gain.
    ///   - generator: The source of randomness.
    /// - Returns: The samples.
    public static func kaimingNormal<Scalar: TensorScalar>(
        _ shape: [Int], negativeSlope: Double = 0, using generator: inout some RandomNumberGenerator
    ) -> Tensor<Scalar> {
        let fan = fanIn(ofWeightShape: shape)
        require(fan > 0, "Initialization.kaimingNormal: shape \(shape) has fan-in 0")
        let deviation = leakyReLUGain(negativeSlope: negativeSlope) / Double(fan).squareRoot()
        return normal(shape, standardDeviation: deviation, using: &generator)
    }

    /// Xavier (Glorot) uniform initialisation: U(±gain·√(6 / (fanIn + fanOut))).
    ///
    /// - Parameters:
    ///   - shape: The weight's shape, [out, in, kernel…].
    ///   - gain: The factor on the bound.
    ///   - generator: The source of randomness.
    /// - Returns: The samples.
    public static func xavierUniform<Scalar: TensorScalar>(
        _ shape: [Int], gain: Double = 1, using generator: inout some RandomNumberGenerator
    ) -> Tensor<Scalar> {
        let fans = fanIn(ofWeightShape: shape) + fanOut(ofWeightShape: shape)
        require(fans > 0, "Initialization.xavierUniform: shape \(shape) has no fans")
        return uniform(shape, bound: gain * (6 / Double(fans)).squareRoot(), using: &generator)
    }

    /// PyTorch's default bias of a layer whose weight has fan-in `fanIn`: U(±1/√fanIn), or zeros when
    /// `fanIn` is 0.
    ///
    /// - Parameters:
    ///   - shape: The bias's shape.
    ///   - fanIn: The fan-in of the layer's weight.
    ///   - generator: The source of randomness.
    /// - Returns: The samples.
    public static func defaultBias<Scalar: TensorScalar>(
        _ shape: [Int], fanIn: Int, using generator: inout some RandomNumberGenerator
    ) -> Tensor<Scalar> {
        guard fanIn > 0 else { return Tensor.zeros(shape) }
        return uniform(shape, bound: 1 / Double(fanIn).squareRoot(), using: &generator)
    }
}
