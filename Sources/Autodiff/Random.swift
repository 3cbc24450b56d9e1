import Requirements

/// A seedable pseudo-random generator (xoshiro256**, Blackman & Vigna 2018) seeded through
/// SplitMix64: the same seed gives the same numbers on every machine and every Swift version,
/// unlike `SystemRandomNumberGenerator`.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Codable, Equatable {
    /// The four words of internal state; save them to resume a sequence exactly.
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose sequence is determined by `seed`.
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
    public init(state: [UInt64]) {
        require(state.count == 4 && state.contains { $0 != 0 }, "SeededGenerator: need 4 state words, not all zero; got \(state)")
        self.state = (state[0], state[1], state[2], state[3])
    }

    /// The state as an array, for checkpoints.
    public var stateWords: [UInt64] { [state.0, state.1, state.2, state.3] }

    /// The next 64 random bits.
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
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal sample (Box–Muller; one sample per call, deterministic).
    public mutating func nextNormal() -> Double {
        var u = nextUniform()
        while u <= 0 { u = nextUniform() }
        let v = nextUniform()
        return (-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v)
    }

    public static func == (a: SeededGenerator, b: SeededGenerator) -> Bool { a.stateWords == b.stateWords }

    enum CodingKeys: CodingKey { case state }
    /// Decodes the four state words.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(state: try container.decode([UInt64].self, forKey: .state))
    }
    /// Encodes the four state words.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stateWords, forKey: .state)
    }
}

extension Tensor {
    /// Samples from N(mean, standardDeviation²), computed in `Double` then rounded, so that a seed gives
    /// the same numbers on every machine.
    public static func randomNormal(_ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1,
                                    using generator: inout SeededGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        let m = Double(mean), s = Double(standardDeviation)
        return Tensor(shape: shape, scalars: (0..<count).map { _ in Scalar(m + s * generator.nextNormal()) })
    }

    /// Samples from U[lowerBound, upperBound), computed in `Double` then rounded.
    public static func randomUniform(_ shape: [Int], lowerBound: Scalar = 0, upperBound: Scalar = 1,
                                     using generator: inout SeededGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        let a = Double(lowerBound), b = Double(upperBound)
        return Tensor(shape: shape, scalars: (0..<count).map { _ in Scalar(a + (b - a) * generator.nextUniform()) })
    }
}
