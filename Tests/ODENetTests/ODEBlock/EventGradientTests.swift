import XCTest
import Autodiff
import Solvers
@testable import ODENet

/// Differentiable event times: a bouncing ball (gravity a parameter of the dynamics, the contact height one
/// of the event function, the restitution one of the jump map) over three bounces, against the closed form
/// and its central differences, in the direct, checkpointed and adjoint modes.
final class EventGradientTests: XCTestCase {
    /// t₃ + 0.3·v₃⁺ for a ball dropped from h at t₀ under gravity g onto a contact height ρ with restitution e:
    /// t₁ = t₀ + √(2(h − ρ)/g), v₁ = g(t₁ − t₀), flights 2eᵏv₁/g, and v₃⁺ = e³v₁.
    static func closedForm(height: Double, start: Double, gravity: Double, contact: Double, restitution e: Double) -> Double {
        let fall = (2 * (height - contact) / gravity).squareRoot(), v1 = gravity * fall
        let t3 = start + fall + 2 * e * v1 / gravity + 2 * e * e * v1 / gravity
        return t3 + 0.3 * e * e * e * v1
    }

    /// With direction `.any`, each segment after a bounce starts just below the contact height (the far side of
    /// the root) and rises through it at once: that is not a new event.
    func testASegmentAfterAnEventDoesNotRefireAtItsStart() throws {
        let ball = DynamicsFunction<Double>(members: [:]) { _, z in concatenated([z.sliced(1..<2), Tensor([-9.8])], axis: 0) }
        let event = DifferentiableEvent<Double>(direction: .any, timeTolerance: 1e-12, jump: { _, z in
            concatenated([z.sliced(0..<1), Tensor([-0.8]) * z.sliced(1..<2)], axis: 0)
        }) { _, z in z.sliced(0..<1).reshaped([]) }
        let stepping = Stepping.adaptive(.dormandPrince54,
                                         controller: StepSizeController(relativeTolerance: 1e-10, absoluteTolerance: 1e-10))
        let bounces = try solve(ball, from: Tensor([10, 0]), startTime: Tensor(0), until: event, occurrences: 3,
                                stepping: stepping)
        let first = (2 * 10 / 9.8).squareRoot()
        XCTAssertEqual(bounces.times[1].scalar, first * (1 + 1.6), accuracy: 1e-7)
        XCTAssertEqual(bounces.times[2].scalar, first * (1 + 1.6 + 1.28), accuracy: 1e-7)
    }

    func testBouncingBallEventTimeGradientsInEveryMode() throws {
        let gravity = Parameter(Tensor<Double>(9.8)), contact = Parameter(Tensor<Double>(0.2))
        let restitution = Parameter(Tensor<Double>(0.8))
        let ball = DynamicsFunction<Double>(members: ["gravity": gravity]) { _, z in
            concatenated([z.sliced(1..<2), -gravity.value.reshaped([1])], axis: 0)
        }
        let event = DifferentiableEvent<Double>(direction: .falling, timeTolerance: 1e-12, jump: { _, z in
            concatenated([z.sliced(0..<1), -restitution.value.reshaped([1]) * z.sliced(1..<2)], axis: 0)
        }) { _, z in z.sliced(0..<1).reshaped([]) - contact.value }
        let stepping = Stepping.adaptive(.dormandPrince54,
                                         controller: StepSizeController(relativeTolerance: 1e-11, absoluteTolerance: 1e-11))
        let (h, t0) = (10.0, 0.5)
        // The oracle: central differences of the closed form.
        let point = [h, t0, 9.8, 0.2, 0.8]
        var expected: [Double] = []
        for i in point.indices {
            var up = point, down = point
            let step = 1e-6
            up[i] += step
            down[i] -= step
            let f = { (p: [Double]) in Self.closedForm(height: p[0], start: p[1], gravity: p[2], contact: p[3], restitution: p[4]) }
            expected.append((f(up) - f(down)) / (2 * step))
        }
        for mode in [GradientMode.direct, .checkpointed,
                     .adjoint(AdjointOptions(relativeTolerance: 1e-11, absoluteTolerance: 1e-11))] {
            let parameters = [gravity, contact, restitution]
            let saved = parameters.map(\.value)
            defer { for (p, v) in zip(parameters, saved) { p.value = v } }
            let (value, gradients) = try valueWithGradient(at: [Tensor([h, 0]), Tensor(t0)] + saved) { xs in
                for (p, v) in zip(parameters, xs[2...]) { p.value = v }
                let bounces = try solve(ball, from: xs[0], startTime: xs[1], until: event, occurrences: 3,
                                        stepping: stepping, gradient: mode)
                return bounces.times[2] + bounces.statesAfter[2].sliced(1..<2).reshaped([]) * Tensor(0.3)
            }
            XCTAssertEqual(value.scalar, Self.closedForm(height: h, start: t0, gravity: 9.8, contact: 0.2, restitution: 0.8),
                           accuracy: 1e-8, "\(mode)")
            let found = [gradients[0].scalars[0], gradients[1].scalar, gradients[2].scalar, gradients[3].scalar,
                         gradients[4].scalar]
            for (i, name) in ["height", "start time", "gravity", "contact height", "restitution"].enumerated() {
                XCTAssertEqual(found[i], expected[i], accuracy: 1e-6 * max(1, abs(expected[i])), "\(mode): d/d \(name)")
            }
            // The initial velocity: d/dv₀ is not zero (a faster throw lands later).
            XCTAssertNotEqual(gradients[0].scalars[1], 0, "\(mode)")
        }
    }

    /// A crossing where g's rate along the solution vanishes — g = (z − 1)³ with z = t crosses zero at t = 1
    /// with ġ = 0 — is a typed error, not a division by ~0 (torchdiffeq adds 1e-12).
    func testATangentialCrossingIsATypedError() throws {
        let clock = DynamicsFunction<Double>(members: [:]) { _, z in Tensor<Double>.ones(z.shape) }
        let event = DifferentiableEvent<Double>(timeTolerance: 1e-12) { _, z in
            let u = z.reshaped([]) - Tensor(1)
            return u * u * u
        }
        let stepping = Stepping.adaptive(.dormandPrince54,
                                         controller: StepSizeController(relativeTolerance: 1e-10, absoluteTolerance: 1e-10))
        XCTAssertThrowsError(try solve(clock, from: Tensor([0.0]), startTime: Tensor(0), until: event,
                                       maximumTime: 3, stepping: stepping)) { error in
            guard case .tangentialEvent(let time, _)? = error as? ODENetError else { return XCTFail("\(error)") }
            XCTAssertEqual(time, 1, accuracy: 1e-4)
        }
        // A transversal crossing of the same clock is fine: g = z − 1.
        let plain = DifferentiableEvent<Double> { _, z in z.reshaped([]) - Tensor(1) }
        let crossing = try solve(clock, from: Tensor([0.0]), startTime: Tensor(0), until: plain, maximumTime: 3,
                                 stepping: stepping)
        XCTAssertEqual(crossing.times[0].scalar, 1, accuracy: 1e-9)
    }
}
