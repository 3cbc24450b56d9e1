import Autodiff
import ODENet

/// An Elman cell on `[input, h]`, latent_ode.py's `RecognitionRNN.i2h`:
/// h' = tanh(W [x, Δt, h] + b), fused into one linear op. The input carries the time gap beside the
/// observation, so the cell can read irregular sampling.
final class RNNCell: Module {
    let i2h: Linear<Float>
    let hiddenUnits: Int

    init(inputs: Int, hiddenUnits: Int, using generator: inout SeededGenerator) {
        self.hiddenUnits = hiddenUnits
        i2h = Linear(inputs + hiddenUnits, hiddenUnits, activation: .tanh, using: &generator)
    }

    func callAsFunction(_ input: Tensor<Float>, _ hidden: Tensor<Float>) -> Tensor<Float> {
        i2h(concatenated([input, hidden], axis: 1))
    }

    func initialHidden(batch: Int) -> Tensor<Float> { .zeros([batch, hiddenUnits]) }
}

/// The recognition network: the cell run backwards over a sample's observations, then
/// `h2o: 25 → 2·latent` giving the mean and log-variance of q(z(t0)).
final class RecognitionRNN: Module {
    let cell: RNNCell
    let h2o: Linear<Float>
    let latentDimensions: Int

    init(latentDimensions: Int, observationDimensions: Int = 2, hiddenUnits: Int = 25, using generator: inout SeededGenerator) {
        self.latentDimensions = latentDimensions
        cell = RNNCell(inputs: observationDimensions + 1, hiddenUnits: hiddenUnits, using: &generator)
        h2o = Linear(hiddenUnits, 2 * latentDimensions, using: &generator)
    }

    /// `steps[j]` is the [batch, 3] input (x, y, Δt) of the j-th step (already in backward order).
    func callAsFunction(_ steps: [Tensor<Float>]) -> (mean: Tensor<Float>, logVariance: Tensor<Float>) {
        var h = cell.initialHidden(batch: steps[0].shape[0])
        for input in steps { h = cell(input, h) }
        let out = h2o(h)
        return (out.sliced(0 ..< latentDimensions, axis: 1), out.sliced(latentDimensions ..< 2 * latentDimensions, axis: 1))
    }
}

/// latent_ode.py's `LatentODEfunc`: Linear(4, 20) ELU Linear(20, 20) ELU Linear(20, 4), autonomous.
final class LatentODEFunc: Dynamics {
    typealias Scalar = Float
    let fc1: Linear<Float>
    let fc2: Linear<Float>
    let fc3: Linear<Float>

    init(latentDimensions: Int, hiddenUnits: Int = 20, using generator: inout SeededGenerator) {
        fc1 = Linear(latentDimensions, hiddenUnits, using: &generator)
        fc2 = Linear(hiddenUnits, hiddenUnits, using: &generator)
        fc3 = Linear(hiddenUnits, latentDimensions, using: &generator)
    }

    func callAsFunction(_ time: Tensor<Float>, _ state: Tensor<Float>) -> Tensor<Float> {
        fc3(elu(fc2(elu(fc1(state)))))
    }
}

/// latent_ode.py's `Decoder`: Linear(4, 20) ReLU Linear(20, 2) (ReLU fused into the first layer), its
/// output mapped from standardised to spiral units by `output` (a fixed affine map, not trained).
final class Decoder: Module {
    let fc1: Linear<Float>
    let fc2: Linear<Float>
    let output: Standardization

    init(latentDimensions: Int, observationDimensions: Int = 2, hiddenUnits: Int = 20, output: Standardization,
         using generator: inout SeededGenerator) {
        fc1 = Linear(latentDimensions, hiddenUnits, activation: .relu, using: &generator)
        fc2 = Linear(hiddenUnits, observationDimensions, using: &generator)
        self.output = output
    }

    func callAsFunction(_ z: Tensor<Float>) -> Tensor<Float> { output.restored(fc2(fc1(z))) }
}

/// The latent ODE: recognition RNN → q(z(t0)) → ODE solve → decoder.
final class LatentODE: Module {
    let rec: RecognitionRNN
    let ode: ODEBlock<LatentODEFunc>
    let dec: Decoder

    init(rec: RecognitionRNN, ode: ODEBlock<LatentODEFunc>, dec: Decoder) {
        self.rec = rec
        self.ode = ode
        self.dec = dec
    }
}

/// The baseline: the same cell (25 hidden units, input (x, y, Δt)) run forwards; after each
/// observation it predicts the next one, Δt ahead, through `h2o: 25 → 2`. It reads and predicts
/// points in the batch's standardised units.
final class BaselineRNN: Module {
    let cell: RNNCell
    let h2o: Linear<Float>

    init(observationDimensions: Int = 2, hiddenUnits: Int = 25, using generator: inout SeededGenerator) {
        cell = RNNCell(inputs: observationDimensions + 1, hiddenUnits: hiddenUnits, using: &generator)
        h2o = Linear(hiddenUnits, observationDimensions, using: &generator)
    }

    /// One step: the new hidden state and the prediction of the point `gap` after `observation`.
    func step(_ observation: Tensor<Float>, gap: Tensor<Float>, hidden: Tensor<Float>) -> (hidden: Tensor<Float>, prediction: Tensor<Float>) {
        let h = cell(concatenated([observation, gap], axis: 1), hidden)
        return (h, h2o(h))
    }
}
