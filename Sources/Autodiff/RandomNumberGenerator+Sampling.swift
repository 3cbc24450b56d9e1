/// The two draws every random constructor and initialiser is built on, for any generator, so that the
/// same 64-bit stream gives the same numbers whichever generator type produced it. `package` access: the
/// toy densities of `Datasets` draw from the same two samplers.
extension RandomNumberGenerator {
    /// A uniform double in [0, 1) from the top 53 bits of one `next()`.
    @inlinable
    package mutating func sampleUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal sample by Box–Muller (Box & Muller, Ann. Math. Statist. 29 (1958) 610–611): the
    /// cosine branch of two uniforms, one sample per call, so that a stream gives the same samples on
    /// every machine. A first uniform of exactly 0 is drawn again.
    @inlinable
    package mutating func sampleNormal() -> Double {
        var u = sampleUniform()
        while u <= 0 { u = sampleUniform() }
        let v = sampleUniform()
        return (-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v)
    }
}
