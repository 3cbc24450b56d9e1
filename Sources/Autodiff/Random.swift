import Requirements

/// A seedable pseudo-random generator (xoshiro256**, Blackman & Vigna 2018) seeded through
/// SplitMix64: the same seed gives the same numbers on every machine and every Swift version,
/// unlike `SystemRandomNumberGenerator`.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Codable, Equatable {
    /// The four words of internal state; save them to resume a sequence exactly.
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose sequence is determined by `seed`.
    ///
    /// - Parameter seed: Any 64-bit value; equal seeds give equal sequences.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// Restores a generator from saved `state` words (not all zero).
    ///
    /// - Parameter state: Four words from `stateWords`, not all zero.
    public init(state: [UInt64]) {
        require(state.count == 4 && state.contains { $0 != 0 }, "SeededGenerator: need 4 state words, not all zero; got \(state)")
        self.state = (state[0], state[1], state[2], state[3])
    }

    /// The state as an array, for checkpoints.
    public var stateWords: [UInt64] { [state.0, state.1, state.2, state.3] }

    /// The next 64 random bits.
    ///
    /// - Returns: 64 uniformly distributed bits.
    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform double in [0, 1) from the top 53 bits.
    ///
    /// - Returns: A sample of U[0, 1).
    public mutating func nextUniform() -> Double { sampleUniform() }

    /// A standard normal sample (Box–Muller; one sample per call, deterministic).
    ///
    /// - Returns: A sample of N(0, 1).
    public mutating func nextNormal() -> Double { sampleNormal() }

    /// Whether two generators will produce the same sequence (their states are equal).
    ///
    /// - Parameters:
    ///   - a: A generator.
    ///   - b: Another generator.
    /// - Returns: Whether the states are equal.
    public static func == (a: SeededGenerator, b: SeededGenerator) -> Bool { a.stateWords == b.stateWords }

    enum CodingKeys: CodingKey { case state }
    /// Decodes the four state words.
    ///
    /// - Parameter decoder: A decoder holding the `state` words.
    /// - Throws: The decoder's errors. (Words that are not four, or all zero, stop the program.)
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(state: try container.decode([UInt64].self, forKey: .state))
    }
    /// Encodes the four state words.
    ///
    /// - Parameter encoder: The encoder to write the `state` words to.
    /// - Throws: The encoder's errors.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stateWords, forKey: .state)
    }
}

extension Tensor {
    /// Samples from N(mean, standardDeviation²), computed in `Double` then rounded, so that a seed gives
    /// the same numbers on every machine.
    ///
    /// - Parameters:
    ///   - shape: The shape of the result.
    ///   - mean: The mean of every element.
    ///   - standardDeviation: The standard deviation of every element.
    ///   - generator: The source of randomness (Box–Muller on two 53-bit uniforms per element).
    /// - Returns: A tensor of independent samples, in row-major order.
    @inlinable
    public static func randomNormal(_ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1,
                                    using generator: inout some RandomNumberGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        let m = Double(mean), s = Double(standardDeviation)
        return Tensor(shape: shape, scalars: (0..<count).map { _ in Scalar(m + s * generator.sampleNormal()) })
    }

    /// Samples from U[lowerBound, upperBound), computed in `Double` then rounded.
    ///
    /// - Parameters:
    ///   - shape: The shape of the result.
    ///   - lowerBound: The smallest possible value.
    ///   - upperBound: The bound the values stay below (before rounding to `Scalar`).
    ///   - generator: The source of randomness (one 53-bit uniform per element).
    /// - Returns: A tensor of independent samples, in row-major order.
    @inlinable
    public static func randomUniform(_ shape: [Int], lowerBound: Scalar = 0, upperBound: Scalar = 1,
                                     using generator: inout some RandomNumberGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        let a = Double(lowerBound), b = Double(upperBound)
        return Tensor(shape: shape, scalars: (0..<count).map { _ in Scalar(a + (b - a) * generator.sampleUniform()) })
    }

    /// Samples from N(mean, standardDeviation²) with the library's default generator
    /// (``DefaultRandomNumberGenerator``; set its seed with ``Random/seed(_:)``).
    ///
    /// - Parameters:
    ///   - shape: The shape of the result.
    ///   - mean: The mean of every element.
    ///   - standardDeviation: The standard deviation of every element.
    /// - Returns: A tensor of independent samples, in row-major order.
    public static func randomNormal(_ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1) -> Tensor {
        var generator = DefaultRandomNumberGenerator()
        return randomNormal(shape, mean: mean, standardDeviation: standardDeviation, using: &generator)
    }

    /// Samples from U[lowerBound, upperBound) with the library's default generator
    /// (``DefaultRandomNumberGenerator``; set its seed with ``Random/seed(_:)``).
    ///
    /// - Parameters:
    ///   - shape: The shape of the result.
    ///   - lowerBound: The smallest possible value.
    ///   - upperBound: The bound the values stay below (before rounding to `Scalar`).
    /// - Returns: A tensor of independent samples, in row-major order.
    public static func randomUniform(_ shape: [Int], lowerBound: Scalar = 0, upperBound: Scalar = 1) -> Tensor {
        var generator = DefaultRandomNumberGenerator()
        return randomUniform(shape, lowerBound: lowerBound, upperBound: upperBound, using: &generator)
    }
}
