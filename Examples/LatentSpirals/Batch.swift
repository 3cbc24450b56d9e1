import Autodiff

/// The tensors both models read for one set of samples, built once from the observed indices.
///
/// Times are window times t = index·Δ (Δ = 6π/499), so every sample's window starts at t = 0, the time
/// of z(t0). The latent ODE is solved once on `solveTimes`: 0 followed by the sorted union of all the
/// batch's observed times; `targets`/`mask` put each sample's observations on that grid.
struct ObservedBatch {
    let size: Int
    let count: Int
    /// The recognition RNN's inputs, in the order it runs (last observation first): [size, 3] each,
    /// (x, y, t_k − t_{k−1}) with t_{−1} = 0, so the last step sees how far the first observation is from t0.
    let encoderSteps: [Tensor<Float>]
    /// A later start inside each sample's observations, for the consistency term.
    struct Anchor {
        /// The recognition RNN's inputs for the observations from the anchor on, read as a window that
        /// starts at the anchor.
        let steps: [Tensor<Float>]
        /// 1 at each sample's anchor time on `solveTimes`, [solveTimes.count, size, 1].
        let mask: Tensor<Float>
    }
    /// One anchor per entry of the initialiser's `anchorOrdinals`.
    let anchors: [Anchor]
    /// 0, then the sorted union of the observed times.
    let solveTimes: [Double]
    /// The observations on `solveTimes`, [solveTimes.count, size, 2] (zero where not observed).
    let targets: Tensor<Float>
    /// 1 where a sample is observed at a time of `solveTimes`, [solveTimes.count, size, 1].
    let mask: Tensor<Float>
    /// The baseline's inputs: the k-th observation of each sample, standardised, [size, 2] …
    let rnnObservations: [Tensor<Float>]
    /// … and the gap from it to the point it predicts [size, 1]: t_{k+1} − t_k, and for the last one the
    /// gap to the first point after the window (index `windowLength`).
    let rnnGaps: [Tensor<Float>]

    /// The RNNs' inputs are standardised with `inputs`; `targets` stay in spiral units.
    /// `anchorOrdinals`: for each anchor, the ordinal (0..<count) of the observation it starts at.
    init(_ data: SpiralDataset, _ observations: Observations, positions: [Int]? = nil, inputs: Standardization,
         anchorOrdinals: [Int] = []) {
        let positions = positions ?? Array(observations.members.indices)
        let members = positions.map { observations.members[$0] }
        let indices = positions.map { observations.indices[$0] }
        let b = members.count, n = indices[0].count
        size = b
        count = n
        func point(_ i: Int, _ k: Int) -> (Float, Float) {
            let o = data.samples[members[i]].observations, w = indices[i][k]
            return (o[2 * w], o[2 * w + 1])
        }
        func input(_ i: Int, _ k: Int) -> (Float, Float) {
            let (x, y) = point(i, k)
            return inputs.standardized(x, y)
        }
        func time(_ i: Int, _ k: Int) -> Double { SpiralDataset.sampleTime(indices[i][k]) }

        // The recognition RNN's inputs for the observations from the `first`-th on, last first; the
        // step of the `first`-th reads its gap to the window's start, 0 or (for an anchor) its own time.
        func recognitionSteps(from first: Int, anchored: Bool) -> [Tensor<Float>] {
            stride(from: n - 1, through: first, by: -1).map { k in
                var values = [Float]()
                values.reserveCapacity(3 * b)
                for i in 0..<b {
                    let (x, y) = input(i, k)
                    let previous = k > first ? time(i, k - 1) : anchored ? time(i, k) : 0
                    values += [x, y, Float(time(i, k) - previous)]
                }
                return Tensor(shape: [b, 3], scalars: values)
            }
        }
        encoderSteps = recognitionSteps(from: 0, anchored: false)

        let union = Set(indices.joined()).union([0]).sorted()
        solveTimes = union.map(SpiralDataset.sampleTime)
        var row = [Int](repeating: -1, count: SpiralDataset.windowLength)
        for (r, w) in union.enumerated() { row[w] = r }
        var targetValues = [Float](repeating: 0, count: union.count * b * 2)
        var maskValues = [Float](repeating: 0, count: union.count * b)
        for i in 0..<b {
            for k in 0..<n {
                let r = row[indices[i][k]]
                let (x, y) = point(i, k)
                targetValues[(r * b + i) * 2] = x
                targetValues[(r * b + i) * 2 + 1] = y
                maskValues[r * b + i] = 1
            }
        }
        // Each anchor: the observations from the `first`-th on, encoded as a window of their own that
        // starts at that observation, and where it sits on `solveTimes`.
        anchors = anchorOrdinals.map { first in
            precondition(first >= 0 && first < n, "anchor ordinal \(first) outside 0..<\(n)")
            var maskValues = [Float](repeating: 0, count: union.count * b)
            for i in 0..<b { maskValues[row[indices[i][first]] * b + i] = 1 }
            return Anchor(steps: recognitionSteps(from: first, anchored: true),
                          mask: Tensor(shape: [union.count, b, 1], scalars: maskValues))
        }
        targets = Tensor(shape: [union.count, b, 2], scalars: targetValues)
        mask = Tensor(shape: [union.count, b, 1], scalars: maskValues)

        var rnnX: [Tensor<Float>] = [], rnnGap: [Tensor<Float>] = []
        for k in 0..<n {
            var xs = [Float](), gaps = [Float]()
            for i in 0..<b {
                let (x, y) = input(i, k)
                xs += [x, y]
                let next = k + 1 < n ? time(i, k + 1) : SpiralDataset.sampleTime(SpiralDataset.windowLength)
                gaps.append(Float(next - time(i, k)))
            }
            rnnX.append(Tensor(shape: [b, 2], scalars: xs))
            rnnGap.append(Tensor(shape: [b, 1], scalars: gaps))
        }
        rnnObservations = rnnX
        rnnGaps = rnnGap
    }
}
