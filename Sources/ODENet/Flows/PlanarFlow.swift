import Autodiff
import Requirements

/// A planar normalizing flow (Rezende & Mohamed, "Variational Inference with Normalizing Flows", ICML 2015):
/// K layers, each
///
///     z ↦ z + û · tanh(wᵀz + b),   log|det ∂/∂z| = log(1 + (1 − tanh²(wᵀz + b)) · wᵀû),
///
/// with û = u + (m(wᵀu) − wᵀu) · w/‖w‖² and m(x) = −1 + softplus(x), their reparametrisation that keeps
/// wᵀû = m(wᵀu) > −1 so that every layer is invertible. The discrete flow of the paper's Figures 4 and 5,
/// the baseline a continuous normalizing flow is compared with.
///
/// The layers map data to the base (layer 0 first), so the log-likelihood needs no inversion; sampling
/// inverts each layer, whose scalar root α = wᵀz of α + wᵀû·tanh(α + b) = wᵀy is unique (the left side
/// increases strictly in α) and is found by safeguarded Newton iteration in `Double`.
///
///     var generator = SeededGenerator(seed: 0)
///     let flow = PlanarFlow<Float>(dimensions: 2, layers: 64, using: &generator)
///     let loss = -flow.logLikelihood(x).mean()        // maximum likelihood, differentiable
///     let samples = flow.sample(1000, using: &generator).points
///
/// Parameters, PyTorch-style names: `u` and `w` (`[layers, dimensions]`) and `b` (`[layers]`), each drawn
/// uniformly from ±1/√D at creation (the reference gives no initialisation; this is `nn.Linear`'s for a
/// D-input layer).
public final class PlanarFlow<Scalar: TensorScalar>: Module, CustomStringConvertible {
    /// The unconstrained directions u of the layers, `[layers, dimensions]` (each layer uses û, above).
    public let u: Parameter<Scalar>
    /// The normals w of the layers' hyperplanes, `[layers, dimensions]`.
    public let w: Parameter<Scalar>
    /// The offsets b of the layers' hyperplanes, `[layers]`.
    public let b: Parameter<Scalar>
    /// The density at the base end.
    public var base: BaseDensity

    /// Creates a flow with random initial layers.
    ///
    /// - Parameters:
    ///   - dimensions: D, the number of features of a point (at least 1).
    ///   - layers: K, the number of planar layers (at least 1).
    ///   - base: The base density (standard normal by default).
    ///   - generator: The source of the initial parameters.
    public init(dimensions: Int, layers: Int, base: BaseDensity = .standardNormal,
                using generator: inout some RandomNumberGenerator) {
        require(dimensions >= 1 && layers >= 1,
                "PlanarFlow: dimensions and layers must be at least 1, got \(dimensions) and \(layers)")
        base.validate(dimensions: dimensions)
        let bound = Scalar(1 / Double(dimensions).squareRoot())
        u = Parameter(.randomUniform([layers, dimensions], lowerBound: -bound, upperBound: bound, using: &generator))
        w = Parameter(.randomUniform([layers, dimensions], lowerBound: -bound, upperBound: bound, using: &generator))
        b = Parameter(.randomUniform([layers], lowerBound: -bound, upperBound: bound, using: &generator))
        self.base = base
    }

    /// D.
    public var dimensions: Int { w.shape[1] }
    /// K.
    public var layerCount: Int { w.shape[0] }

    /// The names PyTorch would give the parameters.
    public var namedMembers: [(name: String, member: Any)] { [("u", u), ("w", w), ("b", b)] }

    /// Maps data to the base through every layer and returns the base points with log p(x) of each
    /// (recorded: differentiate a loss built from it).
    ///
    /// - Parameter data: `[batch, D]`.
    /// - Returns: the base points and log p(x) = log p_base(z_K) + Σ log|det|.
    public func callAsFunction(_ data: Tensor<Scalar>) -> FlowResult<Scalar> {
        checkPoints(data, "callAsFunction")
        var z = data
        var logDeterminant = Tensor<Scalar>.zeros([data.shape[0]])
        for k in 0..<layerCount {
            let (normal, direction, offset, slope) = layer(k)
            let h = tanh(z.matmul(normal.transposed()).reshaped([-1]) + offset)
            z = z + h.reshaped([-1, 1]) * direction
            logDeterminant = logDeterminant + log(1 + (1 - h * h) * slope)
        }
        return FlowResult(points: z, logLikelihood: base.logDensity(z) + logDeterminant, kineticEnergy: nil,
                          jacobianFrobenius: nil, regularizationLoss: Tensor(0))
    }

    /// log p(x) of each row of `data` (recorded).
    ///
    /// - Parameter data: `[batch, D]`.
    /// - Returns: `[batch]`.
    public func logLikelihood(_ data: Tensor<Scalar>) -> Tensor<Scalar> { self(data).logLikelihood }

    /// Draws `count` base samples and maps them to the data end (not recorded).
    ///
    /// - Parameters:
    ///   - count: the number of samples.
    ///   - generator: the source of the base samples.
    /// - Returns: the data-space samples (`points`) and their log p(x).
    public func sample(_ count: Int, using generator: inout some RandomNumberGenerator) -> FlowResult<Scalar> {
        inverse(base.sample(count, dimensions: dimensions, as: Scalar.self, using: &generator))
    }

    /// Maps base points to the data end by inverting the layers (last first), with log p(x) of each; not
    /// recorded.
    ///
    /// - Parameter z: base points, `[batch, D]`.
    /// - Returns: the data points and their log-density under the flow.
    public func inverse(_ z: Tensor<Scalar>) -> FlowResult<Scalar> {
        checkPoints(z, "inverse")
        return withoutRecording(Scalar.self) {
            let d = dimensions, batch = z.shape[0]
            var points = z.scalars.map(Double.init)
            var logLikelihood = base.logDensity(z).scalars.map(Double.init)
            for k in stride(from: layerCount - 1, through: 0, by: -1) {
                let (normal, direction, offset, slope) = layer(k)
                let n = normal.scalars.map(Double.init), v = direction.scalars.map(Double.init)
                let c = Double(offset.scalar), m = Double(slope.scalar)
                for row in 0..<batch {
                    let y = points[(row * d)..<((row + 1) * d)]
                    let target = zip(n, y).reduce(0) { $0 + $1.0 * $1.1 }
                    let alpha = Self.solveLayerRoot(target: target, slope: m, offset: c)
                    let h = tanh(alpha + c)
                    for i in 0..<d { points[row * d + i] -= v[i] * h }
                    logLikelihood[row] += log1p((1 - h * h) * m)
                }
            }
            return FlowResult(points: Tensor(shape: z.shape, scalars: points.map { Scalar($0) }),
                              logLikelihood: Tensor(shape: [batch], scalars: logLikelihood.map { Scalar($0) }),
                              kineticEnergy: nil, jacobianFrobenius: nil, regularizationLoss: Tensor(0))
        }
    }

    /// log p on a `resolution × resolution` grid over `x` × `y` (D = 2 only), laid out as
    /// ``ContinuousNormalizingFlow/logDensityGrid(x:y:resolution:)``'s.
    ///
    /// - Parameters:
    ///   - x: the horizontal range.
    ///   - y: the vertical range.
    ///   - resolution: points per axis (at least 2).
    /// - Returns: `[resolution, resolution]`.
    public func logDensityGrid(x: ClosedRange<Double>, y: ClosedRange<Double>, resolution: Int) -> Tensor<Scalar> {
        require(dimensions == 2, "PlanarFlow.logDensityGrid: the flow has \(dimensions) dimensions, not 2")
        let points: Tensor<Scalar> = gridPoints(x: x, y: y, resolution: resolution)
        return withoutRecording(Scalar.self) { logLikelihood(points) }.reshaped([resolution, resolution])
    }

    /// `PlanarFlow(K layers, D dimensions, base: …)`.
    public var description: String { "PlanarFlow(\(layerCount) layers, \(dimensions) dimensions, base: \(base))" }

    // MARK: Internals

    /// Layer k's normal w `[1, D]`, constrained direction û `[1, D]`, offset b and slope wᵀû = m(wᵀu) (recorded).
    private func layer(_ k: Int) -> (normal: Tensor<Scalar>, direction: Tensor<Scalar>, offset: Tensor<Scalar>,
                                     slope: Tensor<Scalar>) {
        let normal = w.value.sliced(k..<(k + 1), axis: 0)
        let raw = u.value.sliced(k..<(k + 1), axis: 0)
        let projection = (normal * raw).sum()
        let slope = softplus(projection) - 1
        let direction = raw + ((slope - projection) / (normal * normal).sum()) * normal
        return (normal, direction, b.value.sliced(k..<(k + 1)).reshaped([]), slope)
    }

    /// The root α of α + m·tanh(α + c) = target (m > −1: the left side increases strictly), which lies in
    /// [target − |m|, target + |m|]: Newton's iteration kept inside a shrinking bracket, bisecting where a
    /// Newton step would leave it.
    static func solveLayerRoot(target: Double, slope m: Double, offset c: Double) -> Double {
        var low = target - abs(m), high = target + abs(m)
        var alpha = target - m * tanh(target + c)
        alpha = min(max(alpha, low), high)
        for _ in 0..<100 {
            let h = tanh(alpha + c)
            let residual = alpha + m * h - target
            if residual == 0 { return alpha }
            if residual > 0 { high = alpha } else { low = alpha }
            var next = alpha - residual / (1 + m * (1 - h * h))
            if !(next > low && next < high) { next = 0.5 * (low + high) }
            if abs(next - alpha) <= 1e-15 * max(1, abs(alpha)) { return next }
            alpha = next
        }
        return alpha
    }

    private func checkPoints(_ points: Tensor<Scalar>, _ function: String) {
        require(points.rank == 2 && points.shape[1] == dimensions,
                "PlanarFlow.\(function): points must be [batch, \(dimensions)], got shape \(points.shape)")
    }
}
