import Synchronization

/// The library's shared generator: one ``SeededGenerator`` behind a lock, so that threads and tasks may
/// draw from it at once. Starts from ``Random/defaultSeed``.
private let sharedGenerator = Mutex(SeededGenerator(seed: Random.defaultSeed))

/// The generator that layers, initialisers and random tensors use when you pass none: a handle to one
/// process-wide ``SeededGenerator`` (xoshiro256**), so results do not depend on the platform.
///
/// Every handle draws from the same sequence; each `next()` takes a lock, so concurrent use is safe
/// (draws are never lost or repeated), though which thread gets which numbers then depends on timing.
/// Set the seed with ``Random/seed(_:)``; a program that never sets it starts from ``Random/defaultSeed``,
/// so two runs initialise the same weights. For streams of your own (one per thread, or one per
/// experiment saved in a checkpoint) pass a ``SeededGenerator`` explicitly (`using: &generator`).
///
///     Random.seed(42)
///     let layer = Linear<Float>(2, 8)       // the same weights as Linear(2, 8, using: &g)
///                                           // with a fresh `var g = SeededGenerator(seed: 42)`
public struct DefaultRandomNumberGenerator: RandomNumberGenerator, Sendable {
    /// A handle to the shared generator (it holds no state of its own).
    public init() {}

    /// The next 64 bits of the shared sequence.
    ///
    /// - Returns: The shared ``SeededGenerator``'s next output, drawn under its lock.
    public mutating func next() -> UInt64 {
        sharedGenerator.withLock { $0.next() }
    }
}

/// Control of the library's default random sequence (``DefaultRandomNumberGenerator``), the counterpart of
/// PyTorch's `torch.manual_seed` and MLX's `MLXRandom.seed`.
public enum Random {
    /// The seed the default generator starts from when `seed(_:)` has not been called: 0, so that a
    /// program initialises the same weights on every run and every machine.
    public static let defaultSeed: UInt64 = 0

    /// Restarts the default generator from `seed`: what is drawn afterwards (by `Linear(2, 8)`,
    /// `Tensor.randomNormal([3])`, …) is what a fresh `SeededGenerator(seed: seed)` would give.
    ///
    /// - Parameter seed: Any 64-bit value; equal seeds give equal sequences.
    public static func seed(_ seed: UInt64) {
        sharedGenerator.withLock { $0 = SeededGenerator(seed: seed) }
    }
}
