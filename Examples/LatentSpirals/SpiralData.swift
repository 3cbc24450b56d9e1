import Autodiff
import ExampleSupport

/// torchdiffeq's `generate_spiral2d` (examples/latent_ode.py) with the arguments its `__main__` passes:
/// `nspiral` 2-d Archimedean spirals on `orig_ts = linspace(0, 6π, ntotal)` with `ntotal = 500` (the
/// function default; `__main__` writes 1000 but never passes it), `nsample = 100` consecutive points per
/// sample, noise σ = 0.3, a = 0, b = 0.3.
///
/// - Counter-clockwise: θ = t, r = a + b·θ, centred at (+5, 0).
/// - Clockwise: θ = 6π + 1 − t, r = a + b·50/θ, centred at (−5, 0).
///
/// Training spirals draw the start index t0 as torchdiffeq does, uniformly from [nsample, ntotal − nsample)
/// = [100, 400), so their windows cover the spiral up to its last point (index 498). Test spirals draw it
/// from [nsample, ntotal − 2·nsample] = [100, 300], so that the `nsample` noise-free points *after* every
/// test window (the extrapolation targets of the paper's Table 2) exist on the 500-point spiral. (The
/// clockwise formula is singular at t = 6π + 1, just past the end, so the spiral cannot be continued.)
/// Every test target thus lies on a part of the spiral that training windows observe, as in latent_ode.py,
/// whose windows reach the end of the spiral; drawing the training starts from [100, 300] too left
/// indices 400–499 — where the clockwise radius grows from 3.1 to 15 — unseen by any training window
/// although a quarter of the test targets, those of half the test spirals, lie there. The `nsample`
/// points before every window exist too (t0 ≥ nsample), for extrapolation backwards in time.
struct SpiralDataset {
    /// Points per spiral (the function default of latent_ode.py).
    static let totalPoints = 500
    /// Consecutive points per sample.
    static let windowLength = 100
    /// The parameter range of `orig_ts`.
    static let stop = 6 * Double.pi
    /// Observation noise standard deviation.
    static let noise = 0.3
    static let a = 0.0, b = 0.3

    /// The spacing of `orig_ts` (6π/499): the time between two consecutive points of a sample.
    static var timeStep: Double { stop / Double(totalPoints - 1) }

    /// Sample times 0, Δ, 2Δ, …: `samp_ts` extended to any length (the window starts at t = 0).
    static func sampleTime(_ index: Int) -> Double { Double(index) * timeStep }

    /// The noise-free clockwise and counter-clockwise spirals, `totalPoints` × (x, y).
    let clockwise: [(x: Double, y: Double)]
    let counterClockwise: [(x: Double, y: Double)]

    /// One sample: its spiral, the index of its first point on it, and the noisy window.
    struct Sample {
        var isClockwise: Bool
        var start: Int
        /// `windowLength` noisy points, (x, y) interleaved.
        var observations: [Float]
    }

    var samples: [Sample]

    /// Start indices of training windows: latent_ode.py's [nsample, ntotal − nsample).
    static var trainingStarts: ClosedRange<Int> { windowLength ... totalPoints - windowLength - 1 }
    /// Start indices of test windows: those whose next `windowLength` points exist.
    static var testStarts: ClosedRange<Int> { windowLength ... totalPoints - 2 * windowLength }

    /// `training` samples with starts from `trainingStarts` followed by `test` samples with starts from
    /// `testStarts`, all drawn from `generator`.
    init(training: Int, test: Int, using generator: inout SeededGenerator) {
        let n = Self.totalPoints
        let ts = (0..<n).map { Self.stop * Double($0) / Double(n - 1) }
        clockwise = ts.map { t in
            let theta = Self.stop + 1 - t, r = Self.a + Self.b * 50 / theta
            return (r * _cos(theta) - 5, r * _sin(theta))
        }
        counterClockwise = ts.map { t in
            let r = Self.a + Self.b * t
            return (r * _cos(t) + 5, r * _sin(t))
        }
        let length = Self.windowLength
        samples = []
        samples.reserveCapacity(training + test)
        for k in 0..<(training + test) {
            let start = Int.random(in: k < training ? Self.trainingStarts : Self.testStarts, using: &generator)
            let isClockwise = !(generator.nextUniform() > 0.5)   // latent_ode.py: cc = rand > .5
            let spiral = isClockwise ? clockwise : counterClockwise
            var observations = [Float]()
            observations.reserveCapacity(2 * length)
            for i in 0..<length {
                let p = spiral[start + i]
                observations.append(Float(p.x + Self.noise * generator.nextNormal()))
                observations.append(Float(p.y + Self.noise * generator.nextNormal()))
            }
            samples.append(Sample(isClockwise: isClockwise, start: start, observations: observations))
        }
    }

    /// The noise-free point of sample `sample` at window index `index` (negative: before the window;
    /// ≥ windowLength: after it). Valid for −windowLength ..< 2·windowLength.
    func truth(_ sample: Int, _ index: Int) -> (x: Double, y: Double) {
        let s = samples[sample]
        return (s.isClockwise ? clockwise : counterClockwise)[s.start + index]
    }
}

/// Which of the `windowLength` points of each sample are observed.
enum TimeSampling: String, CaseIterable {
    /// Each sample has its own random subset (irregular and different per sample).
    case perSample = "per-sample"
    /// One random subset of times for all samples (as latent_ode.py shares `samp_ts` across the batch).
    case shared
}

/// The observed part of a set of samples: for each sample, the sorted window indices it keeps.
struct Observations {
    /// Sample indices into the dataset.
    let members: [Int]
    /// For each member, the sorted observed window indices (n of them).
    let indices: [[Int]]
    /// The number of observations per sample.
    var count: Int { indices.first?.count ?? 0 }

    /// Draws `n` of the `windowLength` indices without replacement, per sample or once for all.
    init(members: [Int], keeping n: Int, sampling: TimeSampling, using generator: inout SeededGenerator) {
        precondition(n >= 1 && n <= SpiralDataset.windowLength, "observations must be in 1...\(SpiralDataset.windowLength)")
        self.members = members
        switch sampling {
        case .perSample:
            indices = members.map { _ in
                drawWithoutReplacement(n, from: SpiralDataset.windowLength, using: &generator).sorted()
            }
        case .shared:
            let common = drawWithoutReplacement(n, from: SpiralDataset.windowLength, using: &generator).sorted()
            indices = Array(repeating: common, count: members.count)
        }
    }

    /// The same observed indices `common` for every member (to give the test set the training set's shared times).
    init(members: [Int], sharing common: [Int]) {
        self.init(members: members, indices: Array(repeating: common, count: members.count))
    }

    private init(members: [Int], indices: [[Int]]) {
        self.members = members
        self.indices = indices
    }

    /// The subset of the given positions (for figures).
    func subset(_ positions: [Int]) -> Observations {
        Observations(members: positions.map { members[$0] }, indices: positions.map { indices[$0] })
    }
}
