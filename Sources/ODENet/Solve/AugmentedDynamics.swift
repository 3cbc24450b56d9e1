import Autodiff
import Solvers

/// The vector field of the adjoint system (Chen et al. 2018, Appendix B), solved backwards in time:
///
///     dz/dt = f(t, z),   da/dt = −aᵀ ∂f/∂z,   da_θ/dt = −aᵀ ∂f/∂θ,   da_t/dt = −aᵀ ∂f/∂t
///
/// on one flat state `[z (n), a (n), a_θ (p), a_t (1)]`. Each evaluation runs `f` once on a fresh tape
/// and pulls `a` back through it: one vector-Jacobian product gives all three adjoint derivatives. The
/// tape is released before the evaluation returns, so memory does not grow with the number of steps.
final class AugmentedDynamics<Scalar: TensorScalar> {
    /// f(t, z) with the parameters read from `parameters`.
    let dynamics: (Tensor<Scalar>, Tensor<Scalar>) throws -> Tensor<Scalar>
    let parameters: [Parameter<Scalar>]
    let stateShape: [Int]
    /// n: the number of scalars in z (and in a).
    let stateCount: Int
    /// p: the number of scalars in all parameters together.
    let parameterCount: Int
    /// Evaluations of `f` (each with its vector-Jacobian product) so far.
    private(set) var evaluations = 0

    init(_ dynamics: @escaping (Tensor<Scalar>, Tensor<Scalar>) throws -> Tensor<Scalar>,
         parameters: [Parameter<Scalar>], stateShape: [Int]) {
        self.dynamics = dynamics
        self.parameters = parameters
        self.stateShape = stateShape
        self.stateCount = stateShape.reduce(1, *)
        self.parameterCount = parameters.reduce(0) { $0 + $1.value.scalarCount }
    }

    /// Scalars in the augmented state: 2n + p + 1.
    var augmentedCount: Int { 2 * stateCount + parameterCount + 1 }

    /// Index of a_t, the last component.
    var timeAdjointIndex: Int { 2 * stateCount + parameterCount }

    /// The augmented field as a solver closure.
    var vectorField: VectorField<[Scalar]> {
        { t, y, dy in try self.evaluate(time: t, state: y, derivative: &dy) }
    }

    /// Writes d[z, a, a_θ, a_t]/dt at `time` into `derivative`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func evaluate(time: Double, state: [Scalar], derivative: inout [Scalar]) throws {
        evaluations += 1
        let n = stateCount
        let (z, a) = state.withUnsafeBufferPointer { buffer in
            (Tensor<Scalar>(copying: buffer.baseAddress!, shape: stateShape),
             Tensor<Scalar>(copying: buffer.baseAddress! + n, shape: stateShape))
        }
        let parameters = self.parameters
        var inputs = [Tensor(Scalar(time)), z]
        inputs.reserveCapacity(2 + parameters.count)
        for parameter in parameters { inputs.append(parameter.value) }
        defer { for j in parameters.indices { parameters[j].value = inputs[j + 2] } }
        let (f, pullback) = try valueWithPullback(at: inputs) { leaves in
            for j in parameters.indices { parameters[j].value = leaves[j + 2] }
            return try dynamics(leaves[0], leaves[1])
        }
        guard f.shape == stateShape else {
            throw ODENetError.derivativeShapeMismatch(state: stateShape, derivative: f.shape)
        }
        let cotangents = try pullback(a)
        if derivative.count != augmentedCount { derivative = [Scalar](repeating: 0, count: augmentedCount) }
        derivative.withUnsafeMutableBufferPointer { out in
            let d = out.baseAddress!
            f.withUnsafeBufferPointer { d.update(from: $0.baseAddress!, count: n) }
            var offset = n
            for cotangent in cotangents[1...] {
                cotangent.withUnsafeBufferPointer { negate($0.baseAddress!, into: d + offset, count: $0.count) }
                offset += cotangent.scalarCount
            }
            d[offset] = -cotangents[0].scalar
        }
    }

    /// f(t, z) without recording, counted as an evaluation (the time gradients of the outputs need it).
    /// Throws `ODENetError.derivativeShapeMismatch` when f is not shaped like z: the forward solve need not
    /// have evaluated f at this time (an output inside a step is interpolated), and the caller reads f and
    /// the cotangent element by element.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func field(time: Double, state: Tensor<Scalar>) throws -> Tensor<Scalar> {
        evaluations += 1
        let f = try withoutRecording(Scalar.self) { try dynamics(Tensor(Scalar(time)), withoutDerivative(at: state)) }
        guard f.shape == state.shape else {
            throw ODENetError.derivativeShapeMismatch(state: state.shape, derivative: f.shape)
        }
        return f
    }
}

extension Tensor {
    /// A tensor of `shape` holding a copy of the scalars at `source`.
    init(copying source: UnsafePointer<Scalar>, shape: [Int]) {
        let storage = TensorStorage<Scalar>(uninitializedCount: shape.reduce(1, *))
        storage.pointer.initialize(from: source, count: storage.count)
        self.init(shape: shape, storage: storage)
    }
}

/// destination[i] = −source[i].
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func negate<Scalar: TensorScalar>(_ source: UnsafePointer<Scalar>, into destination: UnsafeMutablePointer<Scalar>,
                                  count: Int) {
    for i in 0..<count { destination[i] = -source[i] }
}
