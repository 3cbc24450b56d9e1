import Autodiff
import ExampleSupport

/// The predictions drawn for a few test spirals (the first `positions.count` of the test set).
struct SpiralPanels {
    var data: SpiralDataset
    var observations: Observations       // the drawn samples' observations
    var forwardIndices: [Int]            // 0 ..< 2·windowLength
    var forward: Tensor<Float>           // latent ODE, [forwardIndices.count, k, 2]
    var backwardIndices: [Int]           // 0, −1, …, −windowLength
    var backward: Tensor<Float>          // latent ODE, [backwardIndices.count, k, 2]
    var rnn: Tensor<Float>               // baseline, [windowLength, k, 2] for indices windowLength ..< 2·windowLength
    var latentRMSE: [Double]             // per drawn spiral: the latent ODE's extrapolation RMSE
    var rnnRMSE: [Double]                // … and the RNN's
}

/// One panel per spiral: the noise-free spiral over the window and a window either side, the
/// observations, the latent ODE's reconstruction (t in the window), its extrapolation forwards and
/// backwards in time, and the RNN's forward extrapolation; `extrapolationLabel` names the latent ODE's
/// forward extrapolation in the legend.
func extrapolationFigure(_ p: SpiralPanels, observed n: Int, latentRMSE: Double, rnnRMSE: Double,
                         which: String = "", extrapolationLabel: String = "latent ODE: t > window") -> Figure {
    let k = p.observations.members.count
    let columns = min(3, k), rows = (k + columns - 1) / columns
    let title = "Latent ODE vs RNN, \(n)/100 observations\(which) — extrapolation RMSE on the test set: "
        + String(format: "latent ODE %.4f, RNN %.4f", latentRMSE, rnnRMSE)
    var figure = Figure(rows: rows, columns: columns, title: title, panelWidth: 420, panelHeight: 380)
    let length = SpiralDataset.windowLength
    func series(_ tensor: Tensor<Float>, _ i: Int) -> (x: [Double], y: [Double]) {
        let v = tensor.scalars, b = tensor.shape[1]
        let t = tensor.shape[0]
        return ((0..<t).map { Double(v[($0 * b + i) * 2]) }, (0..<t).map { Double(v[($0 * b + i) * 2 + 1]) })
    }
    for i in 0..<k {
        let sample = p.observations.members[i]
        let s = p.data.samples[sample]
        let heading = "\(s.isClockwise ? "cw" : "ccw"), start \(s.start): RMSE "
            + String(format: "latent ODE %.2f, RNN %.2f", p.latentRMSE[i], p.rnnRMSE[i])
        var panel = Panel(title: heading, xLabel: "x", yLabel: "y")
        let truth = (-length ..< 2 * length).map { p.data.truth(sample, $0) }
        panel.line(x: truth.map(\.x), y: truth.map(\.y), label: "truth (noise-free)", color: "#9a9a9a", width: 1.2)
        let window = truth[length ..< 2 * length]
        panel.line(x: window.map(\.x), y: window.map(\.y), color: "#2ca02c", width: 1.6)
        let observed = p.observations.indices[i]
        panel.scatter(x: observed.map { Double(s.observations[2 * $0]) }, y: observed.map { Double(s.observations[2 * $0 + 1]) },
                      label: "observations", color: "#2ca02c", radius: 2.0)
        let forward = series(p.forward, i)
        let inside = p.forwardIndices.enumerated().filter { $0.element < length }.map(\.offset)
        let after = p.forwardIndices.enumerated().filter { $0.element >= length - 1 }.map(\.offset)
        panel.line(x: inside.map { forward.x[$0] }, y: inside.map { forward.y[$0] }, label: "latent ODE: reconstruction",
                   color: "#d62728", width: 1.8)
        panel.line(x: after.map { forward.x[$0] }, y: after.map { forward.y[$0] }, label: extrapolationLabel,
                   color: "#ff7f0e", width: 1.8)
        let backward = series(p.backward, i)
        panel.line(x: backward.x, y: backward.y, label: "latent ODE: t < 0", color: "#17becf", width: 1.8)
        let rnn = series(p.rnn, i)
        panel.line(x: rnn.x, y: rnn.y, label: "RNN: t > window", color: "#9467bd", width: 1.4, dashed: true)
        panel.equalAspect = true
        panel.showsLegend = i == 0
        figure[i / columns, i % columns] = panel
    }
    return figure
}

/// The training curves of every n: −ELBO per sample of the latent ODE and the RNN's one-step MSE.
func trainingFigure(_ runs: [(n: Int, latent: TrainingReport, rnn: TrainingReport)]) -> Figure {
    var figure = Figure(rows: 1, columns: 2, title: "Training on the 800 training spirals", panelWidth: 460, panelHeight: 340)
    var latent = Panel(title: "Latent ODE: −ELBO per spiral", xLabel: "iteration", yLabel: "−ELBO")
    var rnn = Panel(title: "RNN: one-step MSE (teacher forcing)", xLabel: "iteration", yLabel: "MSE")
    for (index, run) in runs.enumerated() {
        let color = Palette.color(index)
        latent.line(x: run.latent.losses.map { Double($0.0) }, y: run.latent.losses.map(\.1), label: "n = \(run.n)", color: color)
        rnn.line(x: run.rnn.losses.map { Double($0.0) }, y: run.rnn.losses.map(\.1), label: "n = \(run.n)", color: color)
    }
    rnn.yScale = .logarithmic
    if runs.allSatisfy({ $0.latent.losses.allSatisfy { $0.1 > 0 } }) { latent.yScale = .logarithmic }
    figure[0, 0] = latent
    figure[0, 1] = rnn
    return figure
}
