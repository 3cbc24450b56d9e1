import XCTest
import Autodiff
import Solvers
@testable import ODENet

/// Events per sample in a batch, save times across jumps, solves that end before all occurrences, the
/// adjoint's jump condition written out, and the adjoint's memory across events.
final class EventBatchTests: XCTestCase {
    static let tight = Stepping.adaptive(.dormandPrince54,
                                         controller: StepSizeController(relativeTolerance: 1e-11, absoluteTolerance: 1e-11))
    static let modes: [GradientMode] = [.direct, .checkpointed,
                                        .adjoint(AdjointOptions(relativeTolerance: 1e-11, absoluteTolerance: 1e-11))]

    /// A falling ball's state (height, velocity) at time t, bouncing on the contact height ρ with restitution e.
    static func ball(at t: Double, height: Double, velocity: Double, start: Double, gravity g: Double,
                     contact rho: Double, restitution e: Double) -> (x: Double, v: Double) {
        var (s, x, v) = (start, height, velocity)
        while true {
            let flight = (v + (v * v + 2 * g * (x - rho)).squareRoot()) / g
            if s + flight > t {
                let tau = t - s
                return (x + v * tau - g * tau * tau / 2, v - g * tau)
            }
            (s, x, v) = (s + flight, rho, -e * (v - g * flight))
        }
    }

    /// Balls of dynamics (v, −g) with g a parameter, an event x − ρ per sample with ρ a parameter, and the
    /// jump v ← −e·v with e a parameter.
    struct Ball {
        let gravity = Parameter(Tensor<Double>(9.8)), contact = Parameter(Tensor<Double>(0.2))
        let restitution = Parameter(Tensor<Double>(0.8))
        var parameters: [Parameter<Double>] { [gravity, contact, restitution] }
        var dynamics: DynamicsFunction<Double> {
            let gravity = self.gravity
            return DynamicsFunction(members: ["gravity": gravity]) { _, z in
                let velocity = z.sliced(1..<2, axis: z.rank - 1)
                return concatenated([velocity, Tensor<Double>.ones(velocity.shape) * -gravity.value], axis: z.rank - 1)
            }
        }
        /// Per sample for a state [B, 2]; rank 0 for a state [2].
        var event: DifferentiableEvent<Double> {
            let (contact, restitution) = (self.contact, self.restitution)
            return DifferentiableEvent(direction: .falling, timeTolerance: 1e-12, jump: { _, z in
                let axis = z.rank - 1
                return concatenated([z.sliced(0..<1, axis: axis), -restitution.value * z.sliced(1..<2, axis: axis)],
                                    axis: axis)
            }) { _, z in
                z.rank == 1 ? z.sliced(0..<1).reshaped([]) - contact.value
                    : z.sliced(0..<1, axis: 1).reshaped([z.shape[0]]) - contact.value
            }
        }
    }

    /// Three balls dropped from different heights stop at their own first bounce; their times and gradients
    /// are their own (∂t_i/∂h_j = 0 for i ≠ j), equal to solving each alone, in every gradient mode.
    func testEachSampleStopsAtItsOwnEvent() throws {
        let ball = Ball()
        let heights = [10.0, 3.0, 6.5]
        let z0 = Tensor<Double>(shape: [3, 2], scalars: heights.flatMap { [$0, 0] })
        let weights = Tensor<Double>([1, 2, 3])
        for mode in Self.modes {
            let (value, gradients) = try valueWithGradient(at: [z0, ball.gravity.value]) { xs in
                ball.gravity.value = xs[1]
                let stop = try solve(ball.dynamics, from: xs[0], startTime: Tensor(0), until: ball.event,
                                     stepping: Self.tight, gradient: mode)
                XCTAssertEqual(stop.counts, [1, 1, 1])
                XCTAssertEqual(stop.times[0].shape, [3])
                XCTAssertEqual(stop.statesBefore[0].shape, [3, 2])
                return (stop.times[0] * weights).sum()
            }
            ball.gravity.value = Tensor(9.8)
            let times = heights.map { (2 * ($0 - 0.2) / 9.8).squareRoot() }
            XCTAssertEqual(value.scalar, zip(times, [1.0, 2, 3]).reduce(0) { $0 + $1.0 * $1.1 }, accuracy: 1e-9, "\(mode)")
            // From t = (v₀ + √(v₀² + 2gΔ))/g at v₀ = 0: dt/dh = 1/(g·t), dt/dv₀ = 1/g, dt/dg = −t/(2g).
            for (i, t) in times.enumerated() {
                let w = Double(i + 1)
                XCTAssertEqual(gradients[0].scalars[2 * i], w / (9.8 * t), accuracy: 1e-7, "\(mode) dt\(i)/dh\(i)")
                XCTAssertEqual(gradients[0].scalars[2 * i + 1], w / 9.8, accuracy: 1e-7, "\(mode) dt\(i)/dv\(i)")
            }
            let dg = zip(times, [1.0, 2, 3]).reduce(0) { $0 - $1.1 * $1.0 / (2 * 9.8) }
            XCTAssertEqual(gradients[1].scalar, dg, accuracy: 1e-7, "\(mode) d/dg")
        }
        // The batch's rows equal the samples solved alone, bit for bit.
        let batch = try solve(ball.dynamics, from: z0, startTime: Tensor(0), until: ball.event, occurrences: 2,
                              stepping: Self.tight, gradient: .direct)
        for (i, h) in heights.enumerated() {
            let alone = try solve(ball.dynamics, from: Tensor([h, 0]), startTime: Tensor(0), until: ball.event,
                                  occurrences: 2, stepping: Self.tight, gradient: .direct)
            XCTAssertEqual(batch.times[1].scalars[i], alone.times[1].scalar)
            XCTAssertEqual(Array(batch.statesAfter[1].scalars[(2 * i)..<(2 * i + 2)]), alone.statesAfter[1].scalars)
        }
    }

    /// Save times across two bounces (one exactly at the start, one after the last event) against the closed
    /// form, with the gradients of a loss on them against its central differences, in every mode.
    func testSaveTimesAcrossJumpsAndTheirGradients() throws {
        let ball = Ball()
        let saveAt = [0.0, 0.7, 1.5, 2.9, 3.3, 5.0]
        let beta = Tensor<Double>([[0.5, 0.1], [1, -0.2], [-0.7, 0.3], [0.4, 0.25], [0.9, -0.6], [-0.3, 0.45]])
        let betaValues = beta.scalars
        // The oracle: the closed form and its central differences in (h, v₀, g, ρ, e).
        func loss(_ p: [Double]) -> Double {
            saveAt.enumerated().reduce(0) { sum, entry in
                let s = Self.ball(at: entry.element, height: p[0], velocity: p[1], start: 0, gravity: p[2],
                                  contact: p[3], restitution: p[4])
                return sum + betaValues[2 * entry.offset] * s.x + betaValues[2 * entry.offset + 1] * s.v
            }
        }
        let point = [10.0, 0.5, 9.8, 0.2, 0.8]
        let expected = point.indices.map { i -> Double in
            var (up, down) = (point, point)
            up[i] += 1e-6
            down[i] -= 1e-6
            return (loss(up) - loss(down)) / 2e-6
        }
        for mode in Self.modes {
            let saved = ball.parameters.map(\.value)
            defer { for (p, v) in zip(ball.parameters, saved) { p.value = v } }
            let (value, gradients) = try valueWithGradient(at: [Tensor([10.0, 0.5])] + saved) { xs in
                for (p, v) in zip(ball.parameters, xs[1...]) { p.value = v }
                let solution = try solve(ball.dynamics, from: xs[0], startTime: Tensor(0), until: ball.event,
                                         occurrences: 2, saveAt: saveAt, stepping: Self.tight, gradient: mode)
                XCTAssertEqual(solution.savedStates?.shape, [6, 2])
                return (solution.savedStates! * beta).sum()
            }
            XCTAssertEqual(value.scalar, loss(point), accuracy: 1e-8, "\(mode)")
            let found = [gradients[0].scalars[0], gradients[0].scalars[1]] + gradients[1...].map(\.scalar)
            for (i, name) in ["height", "velocity", "gravity", "contact", "restitution"].enumerated() {
                XCTAssertEqual(found[i], expected[i], accuracy: 1e-6 * max(1, abs(expected[i])), "\(mode): d/d \(name)")
            }
        }
    }

    /// A solve that may end first: a bound between the first and second bounce ends it with one event; the
    /// missing one holds the bound and the state there. Without the allowance it is `eventNotFound`.
    func testFewerOccurrencesEndAtTheBound() throws {
        let ball = Ball()
        let first = (2 * 9.8 / 9.8).squareRoot()   // from 10.0 to 0.2: Δ = 9.8
        let bound = first + 0.5
        let solution = try solve(ball.dynamics, from: Tensor([10.0, 0]), startTime: Tensor(0), until: ball.event,
                                 occurrences: 3, saveAt: [bound], maximumTime: bound, allowingFewerOccurrences: true,
                                 stepping: Self.tight)
        XCTAssertEqual(solution.counts, [1])
        XCTAssertEqual(solution.times[0].scalar, first, accuracy: 1e-10)
        XCTAssertEqual(solution.times[1].scalar, bound)
        let end = Self.ball(at: bound, height: 10, velocity: 0, start: 0, gravity: 9.8, contact: 0.2, restitution: 0.8)
        XCTAssertEqual(solution.statesBefore[2].scalars[0], end.x, accuracy: 1e-9)
        XCTAssertEqual(solution.statesBefore[2].scalars[1], end.v, accuracy: 1e-9)
        XCTAssertEqual(solution.savedStates!.scalars, solution.statesBefore[2].scalars)
        XCTAssertThrowsError(try solve(ball.dynamics, from: Tensor([10.0, 0]), startTime: Tensor(0), until: ball.event,
                                       occurrences: 3, maximumTime: bound, stepping: Self.tight)) { error in
            guard case .eventNotFound? = error as? ODENetError else { return XCTFail("\(error)") }
        }
    }

    /// The adjoint's jump condition, written out: with y⁺ = h(t*, y⁻), f^± = f(t*, y^±) and
    /// c = a⁺ᵀ(∂h/∂y·f⁻ + ∂h/∂t − f⁺) + ∂L/∂t*, the adjoint before the event is a⁻ = (∂h/∂y)ᵀa⁺ − (∂g/∂y)ᵀc/ġ
    /// and a_θ⁻ = a_θ⁺ + (∂h/∂θ)ᵀa⁺ − (∂g/∂θ)ᵀc/ġ. For the ball the flow between events is affine, so a(t) is
    /// carried exactly: the test computes the gradients of L = α·t* + βᵀz(T) from the formula and compares
    /// them with every gradient mode (and the formula with central differences of the closed form).
    func testTheAdjointJumpConditionGivesTheLibrarysGradients() throws {
        let (h0, v0, t0, g, rho, e) = (10.0, 0.5, 0.25, 9.8, 0.2, 0.8)
        let (alpha, bx, bv, T) = (0.7, 1.3, -0.4, 2.4)
        // The event: t* with x(t*) = ρ; v⁻ there.
        let tStar = t0 + (v0 + (v0 * v0 + 2 * g * (h0 - rho)).squareRoot()) / g
        let vMinus = v0 - g * (tStar - t0)
        // a⁺ = Φ(T − t*)ᵀβ with Φ(τ) = [[1, τ], [0, 1]].
        let tau1 = T - tStar, tau0 = tStar - t0
        let aPlus = (x: bx, v: tau1 * bx + bv)
        // c, with ∂h/∂y = diag(1, −e), ∂h/∂t = 0, f⁻ = (v⁻, −g), f⁺ = (−e·v⁻, −g); ġ = v⁻, ∂g/∂y = (1, 0).
        let hf = (x: vMinus, v: e * g), fPlus = (x: -e * vMinus, v: -g)
        let c = aPlus.x * (hf.x - fPlus.x) + aPlus.v * (hf.v - fPlus.v) + alpha
        let aMinus = (x: aPlus.x - c / vMinus, v: -e * aPlus.v)
        let aStart = (x: aMinus.x, v: tau0 * aMinus.x + aMinus.v)              // Φ(t* − t₀)ᵀa⁻
        let formula: [String: Double] = [
            "height": aStart.x, "velocity": aStart.v,
            "start time": -(aStart.x * v0 + aStart.v * -g),                     // −a(t₀)ᵀf(t₀, z₀)
            "gravity": -(bx * tau1 * tau1 / 2 + bv * tau1 + aMinus.x * tau0 * tau0 / 2 + aMinus.v * tau0),
            "contact": c / vMinus,                                              // −(∂g/∂ρ)·c/ġ, ∂g/∂ρ = −1
            "restitution": -vMinus * aPlus.v,                                   // (∂h/∂e)ᵀa⁺, ∂h/∂e = (0, −v⁻)
        ]
        // The formula against central differences of the closed form.
        func loss(_ p: [Double]) -> Double {
            let flight = (p[1] + (p[1] * p[1] + 2 * p[3] * (p[0] - p[4])).squareRoot()) / p[3]
            let s = Self.ball(at: T, height: p[0], velocity: p[1], start: p[2], gravity: p[3], contact: p[4],
                              restitution: p[5])
            return alpha * (p[2] + flight) + bx * s.x + bv * s.v
        }
        let names = ["height", "velocity", "start time", "gravity", "contact", "restitution"]
        let point = [h0, v0, t0, g, rho, e]
        for (i, name) in names.enumerated() {
            var (up, down) = (point, point)
            up[i] += 1e-6
            down[i] -= 1e-6
            XCTAssertEqual(formula[name]!, (loss(up) - loss(down)) / 2e-6, accuracy: 1e-6, "formula d/d \(name)")
        }
        let ball = Ball()
        for mode in Self.modes {
            let saved = ball.parameters.map(\.value)
            defer { for (p, v) in zip(ball.parameters, saved) { p.value = v } }
            let (_, gradients) = try valueWithGradient(at: [Tensor([h0, v0]), Tensor(t0)] + saved) { xs in
                for (p, v) in zip(ball.parameters, xs[2...]) { p.value = v }
                let solution = try solve(ball.dynamics, from: xs[0], startTime: xs[1], until: ball.event,
                                         saveAt: [T], stepping: Self.tight, gradient: mode)
                return solution.times[0] * Tensor(alpha) + (solution.savedStates!.reshaped([2]) * Tensor([bx, bv])).sum()
            }
            let found = [gradients[0].scalars[0], gradients[0].scalars[1]] + gradients[1...].map(\.scalar)
            for (i, name) in names.enumerated() {
                XCTAssertEqual(found[i], formula[name]!, accuracy: 1e-7 * max(1, abs(formula[name]!)), "\(mode): d/d \(name)")
            }
        }
    }

    /// The adjoint keeps O(1) memory in the steps across events: the live tape entries after the forward pass
    /// of three bounces do not grow from 100 to 10,000 fixed steps (the direct mode's do).
    func testAdjointEventSolveMemoryDoesNotGrowWithSteps() throws {
        let ball = Ball()
        func liveEntries(stepSize: Double, mode: GradientMode) throws -> Int {
            var entries = 0
            _ = try valueWithGradient(at: [ball.gravity.value]) { xs in
                ball.gravity.value = xs[0]
                let solution = try solve(ball.dynamics, from: Tensor([10.0, 0]), startTime: Tensor(0), until: ball.event,
                                         occurrences: 3, maximumTime: 10, stepping: .fixed(.rk4, stepSize: stepSize),
                                         gradient: mode)
                entries = TapeStatistics.liveEntryCount
                return solution.times[2]
            }
            ball.gravity.value = Tensor(9.8)
            return entries
        }
        let adjoint = GradientMode.adjoint(AdjointOptions(relativeTolerance: 1e-9, absoluteTolerance: 1e-9))
        XCTAssertEqual(try liveEntries(stepSize: 0.1, mode: adjoint), try liveEntries(stepSize: 0.001, mode: adjoint))
        XCTAssertGreaterThan(try liveEntries(stepSize: 0.001, mode: .direct), 20 * (try liveEntries(stepSize: 0.1, mode: .direct)))
    }

    /// `ODEBlock.solve(from:until:)`: each sample of a batch stops at its own event, or at the block's end
    /// time without one.
    func testAnODEBlockStopsEachSampleAtItsEventOrItsEnd() throws {
        let ball = Ball()
        let block = ODEBlock(ball.dynamics, method: .dormandPrince54, relativeTolerance: 1e-10, absoluteTolerance: 1e-10)
        block.integrationTimes = [0, 1.2]
        let z0 = Tensor<Double>(shape: [2, 2], scalars: [3, 0, 10, 0])   // lands at 0.755 s; still falling at 1.2 s
        let stop = try block.solve(from: z0, until: ball.event)
        XCTAssertEqual(stop.counts, [1, 0])
        XCTAssertEqual(stop.times[0].scalars[0], (2 * 2.8 / 9.8).squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(stop.times[0].scalars[1], 1.2)
        XCTAssertEqual(stop.statesBefore[0].scalars[0], 0.2, accuracy: 1e-9)
        XCTAssertEqual(stop.statesBefore[0].scalars[2], 10 - 9.8 * 1.44 / 2, accuracy: 1e-9)
        XCTAssertGreaterThan(block.statistics.forwardEvaluations, 0)
    }
}
