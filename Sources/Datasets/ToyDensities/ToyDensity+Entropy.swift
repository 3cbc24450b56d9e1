#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ToyDensity {
    /// The differential entropy of the density in nats: the lowest mean negative log-likelihood, in nats
    /// per point, that any model of it can reach (the cross-entropy of a model is never below it).
    ///
    /// - `checkerboard`: ln 32 exactly, computed here — the density is uniform on eight squares of side 2.
    /// - `8gaussians` 2.836, `circles` 3.269, `rings` 2.620, `moons` 2.389, `swissroll` 2.667 and
    ///   `2spirals` 2.633: values quoted for the limit of many points (continuous angles), without a closed
    ///   form. The package's tests recompute each by Monte Carlo of −log p with the density itself
    ///   (a Gaussian mixture; Bessel-function ring densities; a one-dimensional integral along the curve
    ///   for the moons, the swiss roll and the spirals) and agree within 0.02.
    /// - `pinwheel` 2.32: an upper bound — ln 5 + ln 4 + the entropy of the Gaussian features plus the mean
    ///   log-Jacobian of the twist, the value if the five arms did not overlap; they overlap near the
    ///   center, which lowers the true entropy by an amount not computed here.
    public var entropy: Double {
        switch self {
        case .checkerboard: return log(8 * 2 * 2)
        case .eightGaussians: return 2.836
        case .circles: return 3.269
        case .rings: return 2.620
        case .moons: return 2.389
        case .swissroll: return 2.667
        case .twoSpirals: return 2.633
        case .pinwheel: return 2.32
        }
    }
}
