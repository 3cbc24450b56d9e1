import Autodiff
import Requirements

/// The field a CNF block integrates, on the augmented state [z, c, r…] — flat, `[B·D + B + B·R]`: every z
/// first, then every c, then each regulariser's B values, so that error control can norm each part on its own
/// — in the flow's own time s ∈ [0, 1] (s = 0 at the data, s = 1 at the base): with t(s) = t_data + s·L and
/// L = t_base − t_data,
///
///     dz/ds = L·f(t(s), z),   dc/ds = L·div f(t(s), z),   dr/ds = |L|·(½‖f‖²/D, ‖εᵀ∂f/∂z‖²/D)
///
/// so c accumulates ∫ div f dt and each r the RNODE integral in the user's time. Solving in s makes the
/// interval a parameter like any other (FFJORD's trainable end time, T = r² with r = `sqrt_end_time`), so
/// every gradient mode differentiates it; for a fixed interval the steps are those of the solve in t.
/// One instance per solve: it holds that solve's Hutchinson probe ε, which the backward pass reuses.
final class FlowDynamics<Field: Dynamics>: Dynamics {
    typealias Scalar = Field.Scalar
    let field: Field
    let trace: TraceEstimator
    let regularization: DynamicsRegularization
    let dataTime: Double
    /// L when the interval is fixed.
    let fixedLength: Double
    /// r with L = sign·r² when the end time is trainable.
    let endTimeRoot: Parameter<Scalar>?
    let sign: Double
    let dimensions: Int
    /// B.
    let batch: Int
    /// ε, `[batch, D]`, for Hutchinson's estimate or the Jacobian regulariser.
    let noise: Tensor<Scalar>?

    init(field: Field, trace: TraceEstimator, regularization: DynamicsRegularization, dataTime: Double,
         fixedLength: Double, endTimeRoot: Parameter<Scalar>?, sign: Double, dimensions: Int, batch: Int,
         noise: Tensor<Scalar>?) {
        self.field = field
        self.trace = trace
        self.regularization = regularization
        self.dataTime = dataTime
        self.fixedLength = fixedLength
        self.endTimeRoot = endTimeRoot
        self.sign = sign
        self.dimensions = dimensions
        self.batch = batch
        self.noise = noise
    }

    var namedMembers: [(name: String, member: Any)] {
        var members: [(name: String, member: Any)] = [("field", field)]
        if let endTimeRoot { members.append(("sqrt_end_time", endTimeRoot)) }
        return members
    }

    func callAsFunction(_ s: Tensor<Scalar>, _ state: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let d = dimensions
        let z = state.sliced(0..<(batch * d)).reshaped([batch, d])
        let length: Tensor<Scalar>, magnitude: Tensor<Scalar>
        if let endTimeRoot {
            magnitude = endTimeRoot.value * endTimeRoot.value
            length = magnitude * Tensor(Scalar(sign))
        } else {
            length = Tensor(Scalar(fixedLength))
            magnitude = Tensor(Scalar(abs(fixedLength)))
        }
        let t = Tensor(Scalar(dataTime)) + s * length
        let f: Tensor<Scalar>, divergence: Tensor<Scalar>
        var noiseProduct: Tensor<Scalar>? = nil
        switch trace {
        case .exact:
            if regularization.hasJacobianFrobenius, let noise {
                (f, divergence, noiseProduct) = try valueWithDivergence(at: z, noise: noise) { try self.field(t, $0) }
            } else {
                (f, divergence) = try valueWithDivergence(at: z) { try self.field(t, $0) }
            }
        case .closedForm:
            guard let closedForm = field as? any ClosedFormDivergence<Scalar> else {
                fatalError("FlowDynamics: TraceEstimator.closedForm with a field that is not ClosedFormDivergence")
            }
            (f, divergence) = try closedForm.valueWithDivergence(t, z)
            if regularization.hasJacobianFrobenius, let noise {
                noiseProduct = try valueWithDivergenceEstimate(at: z, noise: noise) { try self.field(t, $0) }.noiseVJP
            }
        case .hutchinson:
            guard let noise else { fatalError("FlowDynamics: Hutchinson's estimate without a probe") }
            let estimate = try valueWithDivergenceEstimate(at: z, noise: noise) { try self.field(t, $0) }
            (f, divergence, noiseProduct) = (estimate.value, estimate.divergence, estimate.noiseVJP)
        }
        let parts = [(f * length).reshaped([batch * d]), divergence * length]
            + regularization.rates(value: f, noiseProduct: noiseProduct, scale: magnitude)
        return concatenated(parts, axis: 0)
    }
}
