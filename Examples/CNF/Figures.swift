import Autodiff
import Datasets
import ExampleSupport
import ODENet

/// cnf.py's picture at `times` evenly spaced times of the flow, base first: per time, the target samples,
/// the model's samples at that time and its log-density on a 100 × 100 grid over [−extent, extent]² (the
/// density of z(t): the flow from t to the base, then the base density).
@MainActor
func flowFigure<Field: Dynamics>(flow: ContinuousNormalizingFlow<Field>, block: CNFBlock<Field>, target: Tensor<Float>,
                                 title: String, extent: Double = 1.5, times: Int, samples: Int,
                                 seed: UInt64) throws -> Figure where Field.Scalar == Float {
    var generator = SeededGenerator(seed: seed)
    let grid = (0..<100).map { -extent + 2 * extent * Double($0) / 99 }
    var figure = Figure(rows: times, columns: 3, title: title, panelWidth: 300, panelHeight: 300)
    let base = flow.base.sample(samples, dimensions: 2, as: Float.self, using: &generator)
    for row in 0..<times {
        let t = block.baseTime + (block.dataTime - block.baseTime) * Double(row) / Double(times - 1)
        // A block from time t to the base with the trained field: its density is that of z(t).
        let partial: ContinuousNormalizingFlow<Field>? = row == 0 ? nil : ContinuousNormalizingFlow(
            CNFBlock(block.field, dimensions: 2, dataTime: t, baseTime: block.baseTime, trace: .exact,
                     stepping: block.stepping, gradientMode: .direct), base: flow.base)
        let points = try withoutRecording(Float.self) { try partial?.inverse(base).points ?? base }
        let logDensity: [Double]
        if let partial {
            logDensity = try partial.logDensityGrid(x: -extent...extent, y: -extent...extent, resolution: 100)
                .scalars.map(Double.init)
        } else {
            let cells = Tensor<Float>(shape: [100 * 100, 2], scalars: grid.flatMap { y in grid.flatMap { x in [Float(x), Float(y)] } })
            logDensity = flow.base.logDensity(cells).scalars.map(Double.init)
        }
        let label = String(format: "t = %.2f", t)
        var targetPanel = Panel(title: "target")
        targetPanel.scatter(x: target.scalars.enumerated().filter { $0.offset % 2 == 0 }.map { Double($0.element) },
                            y: target.scalars.enumerated().filter { $0.offset % 2 == 1 }.map { Double($0.element) },
                            color: "#1f77b4", radius: 1.2)
        var samplePanel = Panel(title: "samples, \(label)")
        samplePanel.scatter(x: points.scalars.enumerated().filter { $0.offset % 2 == 0 }.map { Double($0.element) },
                            y: points.scalars.enumerated().filter { $0.offset % 2 == 1 }.map { Double($0.element) },
                            color: "#d62728", radius: 1.2)
        var densityPanel = Panel(title: "log-density, \(label)")
        densityPanel.heatmap(x: grid, y: grid, values: logDensity.map { max($0, -8) })
        for column in 0..<3 {
            var panel = [targetPanel, samplePanel, densityPanel][column]
            panel.xLimits = -extent...extent
            panel.yLimits = -extent...extent
            panel.equalAspect = true
            figure[row, column] = panel
        }
    }
    return figure
}
