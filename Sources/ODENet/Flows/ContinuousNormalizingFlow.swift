import Autodiff
import Requirements

/// A continuous normalizing flow: a chain of ``CNFBlock``s from the data to a ``BaseDensity`` (Chen et al.
/// 2018, §4; FFJORD, Grathwohl et al. 2019). The log-likelihood of data is the base log-density at the far
/// end plus each block's ∫ div f dt; sampling runs the chain backwards from base samples and returns each
/// sample's log-density with it.
///
///     let flow = ContinuousNormalizingFlow(CNFBlock(field, dimensions: 2, dataTime: 10, baseTime: 0,
///                                                   gradientMode: .direct),
///                                          base: .isotropicGaussian(variance: 0.1))
///     let result = try flow(x)                       // x: [batch, 2]
///     let loss = result.negativeLogLikelihood        // differentiate with respect to flow.parameters
///     let samples = try flow.sample(512, using: &generator).points
public final class ContinuousNormalizingFlow<Field: Dynamics>: TypedModule, CustomStringConvertible {
    /// The scalar type.
    public typealias Scalar = Field.Scalar
    /// The parameter scalar type.
    public typealias ParameterScalar = Field.Scalar
    /// The blocks, data end first.
    public let blocks: [CNFBlock<Field>]
    /// The density at the base end.
    public var base: BaseDensity

    /// Creates a flow from its blocks (data end first); all have the same number of dimensions.
    ///
    /// - Parameters:
    ///   - blocks: one or more blocks.
    ///   - base: the base density (N(0, I) by default).
    public init(_ blocks: [CNFBlock<Field>], base: BaseDensity = .standardNormal) {
        require(!blocks.isEmpty, "ContinuousNormalizingFlow: needs at least one block")
        let d = blocks[0].dimensions
        for (i, block) in blocks.enumerated() where block.dimensions != d {
            requirementFailure("ContinuousNormalizingFlow: block \(i) has \(block.dimensions) dimensions, block 0 has \(d)")
        }
        base.validate(dimensions: d)
        self.blocks = blocks
        self.base = base
    }

    /// Creates a one-block flow.
    ///
    /// - Parameters:
    ///   - block: the block.
    ///   - base: the base density.
    public convenience init(_ block: CNFBlock<Field>, base: BaseDensity = .standardNormal) {
        self.init([block], base: base)
    }

    /// D.
    public var dimensions: Int { blocks[0].dimensions }

    /// The members whose parameters the flow has: `blocks.0.field.…`, ….
    public var namedMembers: [(name: String, member: Any)] { [("blocks", blocks)] }

    /// Maps data to the base and returns the log-likelihood of each point and, when the blocks are
    /// regularised, RNODE's integrals and their weighted loss.
    ///
    /// - Parameter data: `[batch, D]`.
    /// - Returns: the base points, log p(x) and the regularisation.
    /// - Throws: `SolverError` or ``ODENetError`` when a solve fails.
    public func callAsFunction(_ data: Tensor<Scalar>) throws -> FlowResult<Scalar> {
        try pass(data, regularized: true)
    }

    /// log p(x) of each row of `data`, without regularisation terms.
    ///
    /// - Parameter data: `[batch, D]`.
    /// - Returns: `[batch]`.
    /// - Throws: `SolverError` or ``ODENetError`` when a solve fails.
    public func logLikelihood(_ data: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try pass(data, regularized: false).logLikelihood
    }

    /// Draws `count` base samples, maps them to the data end and returns them with their log-density
    /// under the flow.
    ///
    /// - Parameters:
    ///   - count: the number of samples.
    ///   - generator: the source of the base samples.
    /// - Returns: the data-space samples (`points`) and their log p(x).
    /// - Throws: `SolverError` or ``ODENetError`` when a solve fails.
    public func sample(_ count: Int, using generator: inout some RandomNumberGenerator) throws -> FlowResult<Scalar> {
        let z = base.sample(count, dimensions: dimensions, as: Scalar.self, using: &generator)
        return try inverse(z)
    }

    /// Maps base points to the data end and returns them with log p(x) of each.
    ///
    /// - Parameter z: base points, `[batch, D]`.
    /// - Returns: the data points and their log-density under the flow.
    /// - Throws: `SolverError` or ``ODENetError`` when a solve fails.
    public func inverse(_ z: Tensor<Scalar>) throws -> FlowResult<Scalar> {
        var logLikelihood = base.logDensity(z)
        var points = z
        for block in blocks.reversed() {
            let step = try block.transform(points, toBase: false, regularized: false)
            points = step.points
            logLikelihood = logLikelihood + step.divergenceIntegral
        }
        return FlowResult(points: points, logLikelihood: logLikelihood, kineticEnergy: nil, jacobianFrobenius: nil,
                          regularizationLoss: Tensor(0))
    }

    /// log p on a `resolution × resolution` grid of points over `x` × `y` (D = 2 only), row-major with y
    /// varying slowest: entry [i, j] is at (x_j, y_i).
    ///
    /// - Parameters:
    ///   - x: the horizontal range.
    ///   - y: the vertical range.
    ///   - resolution: points per axis (at least 2).
    /// - Returns: `[resolution, resolution]`.
    /// - Throws: `SolverError` or ``ODENetError`` when a solve fails.
    public func logDensityGrid(x: ClosedRange<Double>, y: ClosedRange<Double>, resolution: Int) throws -> Tensor<Scalar> {
        require(dimensions == 2, "logDensityGrid: the flow has \(dimensions) dimensions, not 2")
        let points: Tensor<Scalar> = gridPoints(x: x, y: y, resolution: resolution)
        return try withoutRecording(Scalar.self) { try logLikelihood(points) }.reshaped([resolution, resolution])
    }

    private func pass(_ data: Tensor<Scalar>, regularized: Bool) throws -> FlowResult<Scalar> {
        var points = data
        var divergence: Tensor<Scalar>? = nil
        var kinetic: Tensor<Scalar>? = nil, jacobian: Tensor<Scalar>? = nil
        var regularizationLoss = Tensor<Scalar>(0)
        for block in blocks {
            let step = try block.transform(points, toBase: true, regularized: regularized)
            points = step.points
            divergence = divergence.map { $0 + step.divergenceIntegral } ?? step.divergenceIntegral
            guard regularized, let columns = step.regularizers else { continue }
            let terms = block.regularization.loss(columns)
            regularizationLoss = regularizationLoss + terms.loss
            if let k = terms.kineticEnergy { kinetic = kinetic.map { $0 + k } ?? k }
            if let j = terms.jacobianFrobenius { jacobian = jacobian.map { $0 + j } ?? j }
        }
        return FlowResult(points: points, logLikelihood: base.logDensity(points) + divergence!,
                          kineticEnergy: kinetic, jacobianFrobenius: jacobian, regularizationLoss: regularizationLoss)
    }

    /// `ContinuousNormalizingFlow(blocks, base)`.
    public var description: String {
        "ContinuousNormalizingFlow(\(blocks.count) block\(blocks.count == 1 ? "" : "s"), base: \(base))"
    }
}
