/// The per-solve memory of a Runge–Kutta stepper: stage derivatives, a stage-input buffer and the
/// error estimates, made once and reused by every step (so array states allocate nothing per step).
///
/// It also carries the first-same-as-last (FSAL) derivative between steps: after `advance()`, stage 0
/// holds f(t₁, y₁) for the next step. Call `invalidateFirstStage()` ("fresh start") before stepping
/// from a state that is not the previous step's result.
public struct RungeKuttaWorkspace<State: ODEState> {
    /// The dense stages K (the method's stages, f(t₁, y₁), extra stages).
    @usableFromInline var stages: [State]
    /// The input of the stage being evaluated (also a probe buffer for the initial step selection).
    @usableFromInline var stageInput: State
    /// The embedded error estimate of the last step.
    @usableFromInline var error: State
    /// The secondary error estimate of the last step (DOP853; unused otherwise).
    @usableFromInline var secondaryError: State
    /// Whether stage 0 holds f(t, y) for the state the next step starts from.
    @inlinable public var firstStageIsCurrent: Bool { firstStageValid }
    @usableFromInline var firstStageValid = false
    /// Whether the dense stages of the last step have been computed.
    @usableFromInline var denseStagesAreCurrent = false
    /// Vector-field evaluations made through this workspace.
    @inlinable public var functionEvaluations: Int { evaluationCount }
    @usableFromInline var evaluationCount = 0
    @usableFromInline let packed: PackedTableau
    /// Scratch for one linear combination's coefficients (h·aᵢⱼ, h·bⱼ, …), owned by this workspace alone
    /// (a copied workspace makes its own before writing). A stored buffer rather than a temporary
    /// allocation: the closure of `withUnsafeTemporaryAllocation` made the stage loop retain and release
    /// the states it touched at every stage.
    @usableFromInline var coefficientBuffer: CoefficientBuffer

    /// The workspace's coefficient scratch, made unique first (no allocation unless the workspace was copied).
    @inlinable
    mutating func uniqueCoefficients() -> UnsafeMutablePointer<Double> {
        if !isKnownUniquelyReferenced(&coefficientBuffer) {
            coefficientBuffer = CoefficientBuffer(capacity: packed.denseStageCount)
        }
        return coefficientBuffer.pointer
    }

    /// Buffers shaped like `template` for `tableau`.
    ///
    /// - Parameters:
    ///   - template: A state of the shape to be integrated (its values are not used).
    ///   - tableau: The method's tableau, which fixes the number of stages.
    public init(template: State, tableau: ButcherTableau) {
        packed = tableau.packed
        coefficientBuffer = CoefficientBuffer(capacity: packed.denseStageCount)
        stages = (0..<packed.denseStageCount).map { _ in template.makeCopy() }
        stageInput = template.makeCopy()
        error = template.makeCopy()
        secondaryError = template.makeCopy()
    }

    /// Forgets the carried first stage, so the next step evaluates f(t, y) afresh.
    public mutating func invalidateFirstStage() {
        firstStageValid = false
        denseStagesAreCurrent = false
    }

    /// The embedded error estimate h Σ e_i k_i of the last step.
    @inlinable public var errorEstimate: State { error }

    /// The secondary error estimate of the last step (DOP853's third-order one), if the method has one.
    @inlinable public var secondaryErrorEstimate: State? { packed.e2 == nil ? nil : secondaryError }

    /// The stage derivatives of the last step, k₁ … k_s.
    @inlinable public var stageDerivatives: ArraySlice<State> { stages[0..<packed.stageCount] }

    /// Moves on after an accepted step: the new first stage is f(t₁, y₁) when the step produced it
    /// (FSAL methods always; others when dense output computed it).
    @inlinable
    public mutating func advance() {
        let p = packed
        if p.isFirstSameAsLast {
            stages.swapAt(0, p.stageCount - 1)
            firstStageValid = true
        } else if denseStagesAreCurrent && p.endpointStageIndex >= 0 {
            stages.swapAt(0, p.endpointStageIndex)
            firstStageValid = true
        } else {
            firstStageValid = false
        }
        denseStagesAreCurrent = false
    }

    /// Forgets the stages: the next step starts from a state they do not belong to (a jump at an event).
    @inlinable
    public mutating func invalidateStages() {
        firstStageValid = false
        denseStagesAreCurrent = false
    }

    /// Records `f(time, state)` as the first stage (for callers that already evaluated it).
    ///
    /// - Parameter derivative: f(t, y) at the state the next step starts from.
    @inlinable
    public mutating func setFirstStage(_ derivative: State) {
        stages[0] = derivative
        firstStageValid = true
    }

    /// Evaluates stage 0 if it is not current.
    @inlinable
    mutating func ensureFirstStage(_ f: VectorField<State>, time: Double, state: State) throws {
        if !firstStageIsCurrent {
            try f(time, state, &stages[0])
            evaluationCount += 1
            firstStageValid = true
        }
    }
}

/// A heap buffer of doubles (a workspace's coefficient scratch).
@usableFromInline
final class CoefficientBuffer {
    @usableFromInline let pointer: UnsafeMutablePointer<Double>

    @usableFromInline
    init(capacity: Int) {
        pointer = .allocate(capacity: max(1, capacity))
        pointer.initialize(repeating: 0, count: max(1, capacity))
    }

    deinit { pointer.deallocate() }
}
