import Autodiff
import ExampleSupport
import Foundation
import ODENet
import Solvers

/// Settings shared by the runs for every n.
struct Settings {
    var iterations: Int
    var rnnIterations: Int
    var learningRate: Double
    var batchSize: Int            // 0: the whole training set each iteration (latent_ode.py)
    var method: ButcherTableau
    var stepSize: Double?
    var relativeTolerance: Double
    var absoluteTolerance: Double
    var gradient: GradientMode
    var seed: UInt64
    var latentDimensions = 4
    /// Largest joint L2 norm of the gradients of one update (both models; `.infinity`: no clipping).
    var maxGradientNorm = Double.infinity
    /// Anchors of the consistency term per spiral, at the j/(K+1) points of its observations.
    var anchorCount = 3
    /// Weight λ of the latent consistency term (0: the plain ELBO of the paper and latent_ode.py).
    var consistency = 0.0
    /// How the learning rate falls over each model's training.
    var decay = LearningRateDecay.constant
    /// β of the moving average of the weights that is evaluated (0: the last weights).
    var weightAverage = 0.0

    /// The ODE block's stepping: fixed steps of `stepSize` when given, otherwise adaptive steps under
    /// torchdiffeq's controller (`main` has checked that a method without an error estimate has a step size).
    var stepping: Stepping {
        if let stepSize { return .fixed(ExplicitRungeKutta(method), stepSize: stepSize) }
        return .adaptive(EmbeddedRungeKutta(method),
                         controller: .torchdiffeq(relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance))
    }
}

/// The learning-rate schedule of both models' Adam.
enum LearningRateDecay: String, CaseIterable {
    /// The rate throughout (latent_ode.py).
    case constant
    /// Cosine annealing from the rate to 1% of it over the run.
    case cosine

    /// The schedule over `iterations` updates starting at `rate`.
    func schedule(_ rate: Double, iterations: Int) -> any LearningRateSchedule {
        switch self {
        case .constant: return StepDecay(initialLearningRate: rate, milestones: [])
        case .cosine: return CosineAnnealing(initialLearningRate: rate, total: max(iterations - 1, 1), minimum: rate / 100)
        }
    }
}

/// What a training run reports.
struct TrainingReport {
    var seconds = 0.0
    /// (iteration, loss) per iteration; for the latent ODE the loss is −ELBO per sample (without the
    /// consistency term).
    var losses: [(Int, Double)] = []
    var forwardNFE = 0, backwardNFE = 0
    /// The joint gradient norm of every update, before clipping.
    var gradientNorms: [Double] = []
    /// How many updates were clipped.
    var clippedUpdates = 0

    /// Median, 99th percentile and largest gradient norm and the clipped updates, for the run's summary line.
    var gradientSummary: String {
        guard !gradientNorms.isEmpty else { return "no updates" }
        let sorted = gradientNorms.sorted()
        return String(format: "gradient norm median %.3g, 99th percentile %.3g, max %.3g; %d updates clipped",
                      sorted[sorted.count / 2], sorted[min(sorted.count - 1, sorted.count * 99 / 100)], sorted.last!,
                      clippedUpdates)
    }
}

/// log N(x | μ, σ²) for one coordinate, without the squared term: −½(log 2π + 2 log σ).
let logNormalConstant = -0.5 * (Foundation.log(2 * Double.pi) + 2 * Foundation.log(SpiralDataset.noise))

/// Builds the latent ODE (recognition RNN, dynamics, decoder) from `generator`.
func makeLatentODE(_ settings: Settings, output: Standardization, using generator: inout SeededGenerator) -> LatentODE {
    let latent = settings.latentDimensions
    let rec = RecognitionRNN(latentDimensions: latent, using: &generator)
    let function = LatentODEFunc(latentDimensions: latent, using: &generator)
    let dec = Decoder(latentDimensions: latent, output: output, using: &generator)
    let ode = ODEBlock(function, stepping: settings.stepping, gradientMode: settings.gradient)
    return LatentODE(rec: rec, ode: ode, dec: dec)
}

/// The latent ODE's training objective per sample, split into its parts (all averaged over the batch).
struct LatentObjective {
    /// −ELBO without the Gaussian constant: Σ over the observed points of ‖x − dec(z(t))‖²/(2σ²) plus
    /// the analytic KL(q(z0) ‖ N(0, I)), z0 drawn with the reparameterisation trick.
    var negativeELBO: Tensor<Float>
    /// λ·‖z(t_a) − μ_a‖²: the solved latent state at each sample's anchor time t_a against the recognition
    /// mean of the observations from t_a on, read as a window of their own (nil when λ = 0).
    var consistency: Tensor<Float>?
    /// What is minimised.
    var total: Tensor<Float> { consistency.map { negativeELBO + $0 } ?? negativeELBO }
}

/// latent_ode.py's loss (−ELBO per sample), plus, with `consistency` λ > 0, the consistency term.
///
/// The ELBO only scores the latent path inside each 100-point window, so nothing ties the state the
/// flow reaches at time t to the state the recognition network assigns to the same spiral point when
/// a window starts there; past the window (extrapolation) the flow then runs through states no window
/// trained. The consistency term asks for that agreement — the continuity condition of multiple
/// shooting, with the recogniser supplying the later segment's start — at K anchor times per sample,
/// the observations at the j/(K+1) points of its observations (`ObservedBatch.anchors`).
func latentObjective(_ model: LatentODE, _ batch: ObservedBatch, noise epsilon: Tensor<Float>,
                     consistency: Float) throws -> LatentObjective {
    let (mean, logVariance) = model.rec(batch.encoderSteps)
    let z0 = epsilon * exp(logVariance * 0.5) + mean
    let path = try model.ode.trajectory(from: z0, at: batch.solveTimes)          // [T, B, latent]
    let decoded = model.dec(path)                                                // [T, B, 2]
    let residual = (decoded - batch.targets) * batch.mask
    let variance = Float(SpiralDataset.noise * SpiralDataset.noise)
    let reconstruction = residual.squared().sum() * (0.5 / variance)
    let kl = (exp(logVariance) + mean.squared() - logVariance - 1).sum() * 0.5
    let perSample = 1 / Float(batch.size)
    var objective = LatentObjective(negativeELBO: (reconstruction + kl) * perSample, consistency: nil)
    if consistency > 0, !batch.anchors.isEmpty {
        let mismatches = batch.anchors.map { anchor -> Tensor<Float> in
            let anchored = (path * anchor.mask).sum(axis: 0)                     // z(t_a) per sample, [B, latent]
            let (laterMean, _) = model.rec(anchor.steps)
            return (anchored - laterMean).squared().sum()
        }
        let total = mismatches.dropFirst().reduce(mismatches[0], +)
        objective.consistency = total * (consistency * perSample / Float(batch.anchors.count))
    }
    return objective
}

/// The ordinal (1 ..< n) of the observation at `fraction` of a spiral's `n` (≥ 2) observations, rounded
/// half up: where the consistency term's anchors sit and where a later encoding starts.
func observationOrdinal(_ fraction: Double, of n: Int) -> Int {
    min(max(Int((fraction * Double(n)).rounded()), 1), n - 1)
}

/// Trains the latent ODE with Adam on the ELBO (and the consistency term when λ > 0).
func trainLatentODE(_ model: LatentODE, data: SpiralDataset, train: Observations, inputs: Standardization,
                    settings: Settings, label: String, using generator: inout SeededGenerator) throws -> TrainingReport {
    let optimizer = Adam<Float>(learningRate: settings.learningRate)
    let schedule = settings.decay.schedule(settings.learningRate, iterations: settings.iterations)
    let fullBatch = settings.batchSize <= 0 || settings.batchSize >= train.members.count
    let n = train.count
    // Anchors at the j/(K+1) points of the observations (K = 1: the later half's first observation;
    // K = 3: the quarters).
    let anchorCount = settings.consistency <= 0 || n < 2 ? 0 : settings.anchorCount
    let ordinals = (1 ..< anchorCount + 1).map { j in observationOrdinal(Double(j) / Double(anchorCount + 1), of: n) }
    let full = fullBatch ? ObservedBatch(data, train, inputs: inputs, anchorOrdinals: ordinals) : nil
    let constant = -logNormalConstant * 2 * Double(train.count)   // per sample: n points × 2 coordinates
    var report = TrainingReport()
    var runningLoss: Double?
    let progress = settings.iterations > 0 ? ProgressLine(total: settings.iterations) : nil
    let average = settings.weightAverage > 0 ? WeightAverage(model, decay: settings.weightAverage) : nil
    for iteration in stride(from: 1, through: settings.iterations, by: 1) {
        let start = monotonicSeconds()
        optimizer.learningRate = schedule.learningRate(atEpoch: iteration - 1)
        let batch = full ?? ObservedBatch(data, train, positions: drawWithoutReplacement(
            settings.batchSize, from: train.members.count, using: &generator), inputs: inputs, anchorOrdinals: ordinals)
        let epsilon = Tensor<Float>.randomNormal([batch.size, settings.latentDimensions], using: &generator)
        var parts: (elbo: Double, consistency: Double) = (0, 0)
        var (_, gradients) = try valueWithGradient(at: model) { () throws -> Tensor<Float> in
            let objective = try latentObjective(model, batch, noise: epsilon, consistency: Float(settings.consistency))
            parts = (Double(objective.negativeELBO.scalar), objective.consistency.map { Double($0.scalar) } ?? 0)
            return objective.total
        }
        let gradientNorm = clipGradientNorm(&gradients, maxNorm: settings.maxGradientNorm)
        report.gradientNorms.append(gradientNorm)
        if gradientNorm > settings.maxGradientNorm { report.clippedUpdates += 1 }
        optimizer.update(model, along: gradients)
        average?.update()
        report.seconds += monotonicSeconds() - start
        let loss = parts.elbo + constant
        guard loss.isFinite, parts.consistency.isFinite else {
            throw ExampleError("\(label): the loss is \(loss) (consistency term \(parts.consistency)) at iteration \(iteration)")
        }
        report.losses.append((iteration, loss))
        report.forwardNFE += model.ode.statistics.forwardEvaluations
        report.backwardNFE += model.ode.statistics.backwardEvaluations
        runningLoss = runningLoss.map { 0.99 * $0 + 0.01 * loss } ?? loss   // latent_ode.py's RunningAverageMeter
        progress?.update(iteration, ["-elbo": loss, "avg": runningLoss!, "consistency": parts.consistency, "|grad|": gradientNorm,
                                     "nfe_f": Double(model.ode.statistics.forwardEvaluations),
                                     "nfe_b": Double(model.ode.statistics.backwardEvaluations),
                                     "ms/it": 1e3 * report.seconds / Double(iteration)])
    }
    progress?.finish()
    average?.apply()
    return report
}

/// The latent ODE's predictions from the posterior mean of z(t0): decoded points at window indices
/// `indices` (monotone, starting at 0, either direction), [indices.count, B, 2].
func latentPredictions(_ model: LatentODE, _ batch: ObservedBatch, indices: [Int]) throws -> Tensor<Float> {
    try withoutRecording(Float.self) {
        let (mean, _) = model.rec(batch.encoderSteps)
        let path = try model.ode.trajectory(from: mean, at: indices.map(SpiralDataset.sampleTime))
        return model.dec(path)
    }
}

/// The latent ODE's extrapolation started from a later point of each window: the recognition mean of the
/// observations from the `ordinal`-th on (read as a window that starts there, as the consistency term's
/// anchors are), solved to window indices `indices` (all after that observation). [indices.count, B, 2].
func latentPredictions(_ model: LatentODE, data: SpiralDataset, _ observations: Observations, inputs: Standardization,
                       from ordinal: Int, indices: [Int]) throws -> Tensor<Float> {
    let b = observations.members.count
    var values = [Float](repeating: 0, count: indices.count * b * 2)
    // Spirals whose `ordinal`-th observation sits at the same window index share one solve.
    let groups = Dictionary(grouping: 0..<b) { observations.indices[$0][ordinal] }
    for (start, positions) in groups {
        let batch = ObservedBatch(data, observations, positions: positions, inputs: inputs, anchorOrdinals: [ordinal])
        let predicted = try withoutRecording(Float.self) { () throws -> [Float] in
            let (mean, _) = model.rec(batch.anchors[0].steps)
            let times = [0] + indices.map { SpiralDataset.sampleTime($0 - start) }
            return model.dec(try model.ode.trajectory(from: mean, at: times)).sliced(1 ..< times.count, axis: 0).scalars
        }
        for t in indices.indices {
            for (g, position) in positions.enumerated() {
                values[(t * b + position) * 2] = predicted[(t * positions.count + g) * 2]
                values[(t * b + position) * 2 + 1] = predicted[(t * positions.count + g) * 2 + 1]
            }
        }
    }
    return Tensor(shape: [indices.count, b, 2], scalars: values)
}

/// Trains the baseline RNN with Adam on the mean squared error of its one-step predictions of the
/// observed points (teacher forcing: it reads the true observations).
func trainRNN(_ model: BaselineRNN, data: SpiralDataset, train: Observations, inputs: Standardization, settings: Settings,
              using generator: inout SeededGenerator) throws -> TrainingReport {
    let optimizer = Adam<Float>(learningRate: settings.learningRate)
    let schedule = settings.decay.schedule(settings.learningRate, iterations: settings.rnnIterations)
    let fullBatch = settings.batchSize <= 0 || settings.batchSize >= train.members.count
    let full = fullBatch ? ObservedBatch(data, train, inputs: inputs) : nil
    var report = TrainingReport()
    let progress = settings.rnnIterations > 0 ? ProgressLine(total: settings.rnnIterations) : nil
    let average = settings.weightAverage > 0 ? WeightAverage(model, decay: settings.weightAverage) : nil
    for iteration in stride(from: 1, through: settings.rnnIterations, by: 1) {
        let start = monotonicSeconds()
        optimizer.learningRate = schedule.learningRate(atEpoch: iteration - 1)
        let batch = full ?? ObservedBatch(data, train, positions: drawWithoutReplacement(
            settings.batchSize, from: train.members.count, using: &generator), inputs: inputs)
        var (value, gradients) = try valueWithGradient(at: model) { () -> Tensor<Float> in
            var h = model.cell.initialHidden(batch: batch.size)
            var predictions: [Tensor<Float>] = [], targets: [Tensor<Float>] = []
            for k in 0 ..< batch.count - 1 {
                let step = model.step(batch.rnnObservations[k], gap: batch.rnnGaps[k], hidden: h)
                h = step.hidden
                predictions.append(step.prediction)
                targets.append(batch.rnnObservations[k + 1])
            }
            return mseLoss(predictions: stacked(predictions, axis: 0), targets: stacked(targets, axis: 0))
        }
        let gradientNorm = clipGradientNorm(&gradients, maxNorm: settings.maxGradientNorm)
        report.gradientNorms.append(gradientNorm)
        if gradientNorm > settings.maxGradientNorm { report.clippedUpdates += 1 }
        optimizer.update(model, along: gradients)
        average?.update()
        report.seconds += monotonicSeconds() - start
        let loss = Double(value.scalar)
        guard loss.isFinite else { throw ExampleError("rnn: the loss is \(loss) at iteration \(iteration)") }
        report.losses.append((iteration, loss))
        progress?.update(iteration, ["mse": loss, "|grad|": gradientNorm, "ms/it": 1e3 * report.seconds / Double(iteration)])
    }
    progress?.finish()
    average?.apply()
    return report
}

/// The baseline's extrapolation: it reads the observations, predicts the first point after the window,
/// then runs on its own predictions one time step Δ apart. [count, B, 2] in spiral units for window
/// indices windowLength ..< windowLength + count (`inputs`: the batch's standardisation).
func rnnExtrapolation(_ model: BaselineRNN, _ batch: ObservedBatch, inputs: Standardization, count: Int) -> Tensor<Float> {
    withoutRecording(Float.self) {
        var h = model.cell.initialHidden(batch: batch.size)
        var prediction = Tensor<Float>.zeros([batch.size, 2])
        for k in 0 ..< batch.count {
            (h, prediction) = model.step(batch.rnnObservations[k], gap: batch.rnnGaps[k], hidden: h)
        }
        var outputs = [prediction]
        let gap = Tensor<Float>(repeating: Float(SpiralDataset.timeStep), shape: [batch.size, 1])
        while outputs.count < count {
            (h, prediction) = model.step(prediction, gap: gap, hidden: h)
            outputs.append(prediction)
        }
        return inputs.restored(stacked(outputs, axis: 0))
    }
}

/// RMSE of `predictions` [T, B, 2] (window indices `indices`) against the noise-free spirals, over all
/// points and both coordinates.
func rmse(_ predictions: Tensor<Float>, indices: [Int], data: SpiralDataset, members: [Int]) -> Double {
    let values = predictions.scalars
    let b = members.count
    precondition(predictions.shape == [indices.count, b, 2])
    var sum = 0.0
    for (t, w) in indices.enumerated() {
        for (i, sample) in members.enumerated() {
            let p = data.truth(sample, w)
            let dx = Double(values[(t * b + i) * 2]) - p.x, dy = Double(values[(t * b + i) * 2 + 1]) - p.y
            sum += dx * dx + dy * dy
        }
    }
    return (sum / Double(2 * b * indices.count)).squareRoot()
}
