import XCTest
import Autodiff
import ODENet
@testable import LatentSpirals

/// The latent-spirals example's data pipeline: the spirals, the observed times, the standardisation
/// and the tensors both models read.
final class LatentSpiralsDataTests: XCTestCase {
    func testSamplesStartWhereTheirSplitAllowsAndCarryNoiseOfTheStatedDeviation() {
        var generator = SeededGenerator(seed: 7)
        let data = SpiralDataset(training: 300, test: 100, using: &generator)
        var residuals = [Double]()
        for (k, sample) in data.samples.enumerated() {
            XCTAssertTrue((k < 300 ? SpiralDataset.trainingStarts : SpiralDataset.testStarts).contains(sample.start))
            for w in 0..<SpiralDataset.windowLength {
                let p = data.truth(k, w)
                residuals += [Double(sample.observations[2 * w]) - p.x, Double(sample.observations[2 * w + 1]) - p.y]
            }
        }
        let mean = residuals.reduce(0, +) / Double(residuals.count)
        let deviation = (residuals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(residuals.count)).squareRoot()
        // 80 000 residuals: the standard error of the mean is 0.3/283 ≈ 0.001, of the deviation ≈ 0.0008.
        XCTAssertEqual(mean, 0, accuracy: 0.005)
        XCTAssertEqual(deviation, SpiralDataset.noise, accuracy: 0.005)
        let clockwise = data.samples.filter(\.isClockwise).count
        XCTAssertEqual(Double(clockwise) / 400, 0.5, accuracy: 0.1)
    }

    func testObservedIndicesAreSortedDistinctAndSharedOnlyWhenAsked() {
        var generator = SeededGenerator(seed: 3)
        let perSample = Observations(members: Array(0..<20), keeping: 30, sampling: .perSample, using: &generator)
        for indices in perSample.indices {
            XCTAssertEqual(indices.count, 30)
            XCTAssertEqual(indices, Array(Set(indices)).sorted())
            XCTAssertTrue(indices.allSatisfy { (0..<SpiralDataset.windowLength).contains($0) })
        }
        XCTAssertGreaterThan(Set(perSample.indices).count, 1)
        let shared = Observations(members: Array(0..<20), keeping: 30, sampling: .shared, using: &generator)
        XCTAssertEqual(Set(shared.indices).count, 1)
    }

    func testStandardisedTrainingPointsHaveZeroMeanAndUnitDeviationAndMapBack() {
        var generator = SeededGenerator(seed: 11)
        let data = SpiralDataset(training: 50, test: 10, using: &generator)
        let train = Observations(members: Array(0..<50), keeping: 20, sampling: .perSample, using: &generator)
        let map = Standardization(data, train)
        var xs = [Double](), ys = [Double](), raw = [Float]()
        for (member, indices) in zip(train.members, train.indices) {
            for w in indices {
                let o = data.samples[member].observations
                let (u, v) = map.standardized(o[2 * w], o[2 * w + 1])
                xs.append(Double(u)); ys.append(Double(v))
                raw += [o[2 * w], o[2 * w + 1]]
            }
        }
        for values in [xs, ys] {
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            XCTAssertEqual(mean, 0, accuracy: 1e-5)
            XCTAssertEqual(variance, 1, accuracy: 1e-4)
        }
        let standardized = Tensor<Float>(shape: [xs.count, 2], scalars: zip(xs, ys).flatMap { [Float($0), Float($1)] })
        for (restored, original) in zip(map.restored(standardized).scalars, raw) {
            XCTAssertEqual(restored, original, accuracy: 1e-4 * max(1, abs(original)))
        }
    }

    func testBatchPutsEachObservationOnTheSolveGridAndFeedsTheEncoderLastFirstWithGaps() {
        var generator = SeededGenerator(seed: 5)
        let data = SpiralDataset(training: 6, test: 2, using: &generator)
        let n = 7
        let observed = Observations(members: Array(0..<6), keeping: n, sampling: .perSample, using: &generator)
        let batch = ObservedBatch(data, observed, inputs: .identity, anchorOrdinals: [2, 5])
        let b = 6, rows = batch.solveTimes.count
        XCTAssertEqual(batch.solveTimes.first, 0)
        XCTAssertEqual(batch.solveTimes, batch.solveTimes.sorted())
        XCTAssertEqual(batch.targets.shape, [rows, b, 2])
        XCTAssertEqual(batch.encoderSteps.count, n)
        let mask = batch.mask.scalars, targets = batch.targets.scalars
        for i in 0..<b {
            let indices = observed.indices[i], o = data.samples[i].observations
            XCTAssertEqual((0..<rows).map { mask[$0 * b + i] }.reduce(0, +), Float(n))
            for (k, w) in indices.enumerated() {
                let r = batch.solveTimes.firstIndex(of: SpiralDataset.sampleTime(w))!
                XCTAssertEqual(mask[r * b + i], 1)
                XCTAssertEqual(targets[(r * b + i) * 2], o[2 * w])
                XCTAssertEqual(targets[(r * b + i) * 2 + 1], o[2 * w + 1])
                // The encoder reads the k-th observation at step n − 1 − k with the gap to the one before
                // it (to t0 = 0 for the first).
                let step = batch.encoderSteps[n - 1 - k].scalars
                XCTAssertEqual(step[3 * i], o[2 * w])
                let previous = k > 0 ? SpiralDataset.sampleTime(indices[k - 1]) : 0
                XCTAssertEqual(Double(step[3 * i + 2]), SpiralDataset.sampleTime(w) - previous, accuracy: 1e-6)
            }
            // Each anchor reads the observations from its ordinal on, its own first one with gap 0, and
            // marks that observation's time.
            for (anchor, first) in zip(batch.anchors, [2, 5]) {
                XCTAssertEqual(anchor.steps.count, n - first)
                XCTAssertEqual(anchor.steps.last!.scalars[3 * i + 2], 0)
                XCTAssertEqual(anchor.steps.last!.scalars[3 * i], o[2 * indices[first]])
                let marked = (0..<rows).filter { anchor.mask.scalars[$0 * b + i] == 1 }
                XCTAssertEqual(marked.map { batch.solveTimes[$0] }, [SpiralDataset.sampleTime(indices[first])])
            }
            // The baseline predicts the next observation, the last one the first point after the window.
            for k in 0..<n {
                let next = k + 1 < n ? indices[k + 1] : SpiralDataset.windowLength
                XCTAssertEqual(Double(batch.rnnGaps[k].scalars[i]),
                               SpiralDataset.sampleTime(next) - SpiralDataset.sampleTime(indices[k]), accuracy: 1e-6)
            }
        }
    }

    func testRMSEIsZeroOnTheTruthAndTheOffsetForAShiftedPrediction() {
        var generator = SeededGenerator(seed: 2)
        let data = SpiralDataset(training: 3, test: 3, using: &generator)
        let members = [3, 4, 5], indices = Array(100..<110)
        var truth = [Float](), shifted = [Float]()
        for w in indices {
            for sample in members {
                let p = data.truth(sample, w)
                truth += [Float(p.x), Float(p.y)]
                shifted += [Float(p.x) + 0.5, Float(p.y) - 0.5]
            }
        }
        let shape = [indices.count, members.count, 2]
        XCTAssertEqual(rmse(Tensor(shape: shape, scalars: truth), indices: indices, data: data, members: members), 0, accuracy: 1e-6)
        XCTAssertEqual(rmse(Tensor(shape: shape, scalars: shifted), indices: indices, data: data, members: members), 0.5, accuracy: 1e-5)
    }

    func testLearningRateSchedulesStartAtTheRateAndEndWhereDocumented() {
        let constant = LearningRateDecay.constant.schedule(0.01, iterations: 2000)
        XCTAssertEqual(constant.learningRate(atEpoch: 1999), 0.01)
        let cosine = LearningRateDecay.cosine.schedule(0.01, iterations: 2000)
        XCTAssertEqual(cosine.learningRate(atEpoch: 0), 0.01, accuracy: 1e-15)
        XCTAssertEqual(cosine.learningRate(atEpoch: 1999), 0.0001, accuracy: 1e-15)
        // Half-way (epoch 999.5 of 1999) the cosine is at the mean of its ends.
        XCTAssertEqual(cosine.learningRate(atEpoch: 1000), (0.01 + 0.0001) / 2, accuracy: 1e-5)
    }
}

/// The latent ODE's extrapolation from a later encoding: spirals are solved in groups that share the
/// encoding's start; each must get what a solve of its own gives.
final class LatentSpiralsPredictionTests: XCTestCase {
    func testExtrapolationFromALaterEncodingMatchesOneSpiralAtATime() throws {
        var generator = SeededGenerator(seed: 9)
        let data = SpiralDataset(training: 2, test: 12, using: &generator)
        let test = Observations(members: Array(2..<14), keeping: 9, sampling: .perSample, using: &generator)
        let model = LatentODE(rec: RecognitionRNN(latentDimensions: 4, using: &generator),
                              ode: ODEBlock(LatentODEFunc(latentDimensions: 4, using: &generator), method: .rk4,
                                            stepSize: 0.05, gradientMode: .direct),
                              dec: Decoder(latentDimensions: 4, output: .identity, using: &generator))
        let indices = Array(100..<110)
        let together = try latentPredictions(model, data: data, test, inputs: .identity, from: 4, indices: indices)
        XCTAssertEqual(together.shape, [10, 12, 2])
        XCTAssertGreaterThan(Set(test.indices.map { $0[4] }).count, 1, "the test needs spirals with different starts")
        for i in 0..<12 {
            let alone = try latentPredictions(model, data: data, test.subset([i]), inputs: .identity, from: 4, indices: indices)
            let column = together.gathering(indices: [i], axis: 1)
            for (a, b) in zip(column.scalars, alone.scalars) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        }
    }
}
