import Autodiff

/// A field with RNODE's integrals appended (``DynamicsRegularization``): the solved state is flat, `[n + R·B]` —
/// the n scalars of z (`shape`, batch first), then each active term's B rates — so that error control can
/// leave the integrals out. One instance per solve: it holds that solve's probe ε for the Jacobian term.
final class RegularizedDynamics<Wrapped: Dynamics>: Dynamics {
    typealias Scalar = Wrapped.Scalar
    let wrapped: Wrapped
    let regularization: DynamicsRegularization
    let shape: [Int]
    let noise: Tensor<Scalar>?

    init(_ wrapped: Wrapped, regularization: DynamicsRegularization, shape: [Int], noise: Tensor<Scalar>?) {
        self.wrapped = wrapped
        self.regularization = regularization
        self.shape = shape
        self.noise = noise
    }

    /// The wrapped field's members, under the block's names (`dynamics.…`).
    var namedMembers: [(name: String, member: Any)] { [("dynamics", wrapped)] }

    func callAsFunction(_ time: Tensor<Scalar>, _ state: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let n = shape.reduce(1, *)
        let z = state.sliced(0..<n).reshaped(shape)
        let f: Tensor<Scalar>
        var product: Tensor<Scalar>? = nil
        if regularization.hasJacobianFrobenius, let noise {
            let estimate = try valueWithDivergenceEstimate(at: z, noise: noise) { try self.wrapped(time, $0) }
            (f, product) = (estimate.value, estimate.noiseVJP)
        } else {
            f = try wrapped(time, z)
        }
        let parts = [f.reshaped([n])] + regularization.rates(value: f, noiseProduct: product, scale: Tensor(Scalar(1)))
        return concatenated(parts, axis: 0)
    }
}
