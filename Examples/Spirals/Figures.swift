import Autodiff
import ExampleSupport

/// ode_demo's figure: trajectories against t, the phase portrait, and the learned vector field.
func spiralFigure(data: SpiralData, learned: Tensor<Float>, model: SpiralODEFunc, iteration: Int, loss: Double) -> Figure {
    let values = learned.scalars
    let learnedX = stride(from: 0, to: values.count, by: 2).map { Double(values[$0]) }
    let learnedY = stride(from: 1, to: values.count, by: 2).map { Double(values[$0]) }
    let (trueX, trueY) = (data.xs, data.ys)
    let lossText = loss.isFinite ? String(format: "%.4f", loss) : "\(loss)"
    var figure = Figure(rows: 1, columns: 3,
                        title: "Neural ODE fit of the ode_demo spiral — iteration \(iteration), L1 loss \(lossText)",
                        panelWidth: 440, panelHeight: 380)

    var trajectories = Panel(title: "Trajectories", xLabel: "t", yLabel: "x, y")
    trajectories.line(x: data.times, y: trueX, label: "x true", color: "#2ca02c")
    trajectories.line(x: data.times, y: trueY, label: "y true", color: "#1f77b4")
    trajectories.line(x: data.times, y: learnedX, label: "x learned", color: "#98df8a", width: 1.8, dashed: true)
    trajectories.line(x: data.times, y: learnedY, label: "y learned", color: "#ff7f0e", width: 1.8, dashed: true)
    trajectories.xLimits = data.times.first! ... data.times.last!
    trajectories.yLimits = -2.5 ... 2.5
    figure[0, 0] = trajectories

    var phase = Panel(title: "Phase portrait", xLabel: "x", yLabel: "y")
    phase.line(x: trueX, y: trueY, label: "true", color: "#2ca02c")
    phase.line(x: learnedX, y: learnedY, label: "learned", color: "#1f77b4", width: 1.6, dashed: true)
    phase.xLimits = -2.2 ... 2.2
    phase.yLimits = -2.2 ... 2.2
    phase.equalAspect = true
    figure[0, 1] = phase

    // The learned field on a 21×21 grid over [-2, 2]², arrows normalised to unit length (as ode_demo).
    let steps = 21
    let grid = (0..<steps).map { -2 + 4 * Double($0) / Double(steps - 1) }
    var points = [Float]()
    for y in grid { for x in grid { points += [Float(x), Float(y)] } }
    let field = withoutRecording(Float.self) { model(Tensor(0), Tensor(shape: [steps * steps, 2], scalars: points)) }.scalars
    var gx = [Double](), gy = [Double](), u = [Double](), v = [Double]()
    for i in 0..<(steps * steps) {
        let (a, b) = (Double(field[2 * i]), Double(field[2 * i + 1]))
        let length = max((a * a + b * b).squareRoot(), 1e-12)
        gx.append(Double(points[2 * i]))
        gy.append(Double(points[2 * i + 1]))
        u.append(a / length)
        v.append(b / length)
    }
    var quiver = Panel(title: "Learned vector field (direction; green: true path)", xLabel: "x", yLabel: "y")
    quiver.quiver(x: gx, y: gy, u: u, v: v, color: "#444444")
    quiver.line(x: trueX, y: trueY, color: "#2ca02c", width: 1.0)
    quiver.showsLegend = false
    quiver.xLimits = -2.2 ... 2.2
    quiver.yLimits = -2.2 ... 2.2
    quiver.equalAspect = true
    figure[0, 2] = quiver
    return figure
}
