import Autodiff
import ExampleSupport
import ODENet

/// The event lines: torchdiffeq's bouncing_ball.py model (gravity 9.8, radius 0.2, height 10, absorption 0.2,
/// tolerances 1e-8), the collision times of 3 bounces and the gradient of the last one with respect to every
/// parameter, with direct and with adjoint solves between collisions. torchdiffeq's example on this machine
/// (torch 2.13 CPU, one thread, quiet; issue 18): 30 ms direct, 77 ms adjoint; the target is ≥ 50× faster.
enum EventBenchmarks {
    static func benchmark(_ name: String, _ mode: GradientMode, torchdiffeqMilliseconds: Double) -> Benchmark {
        Benchmark(name: name) {
            let model = BouncingBallModel()
            var last = 0.0
            let seconds = try medianSeconds(minimumSeconds: 1, minimumRuns: 5) {
                last = try valueWithGradient(at: model) {
                    try model.collisions(3, gradient: mode).times[2]
                }.value.scalar
            }
            return [BenchmarkResult(name: name, value: seconds * 1e3, unit: "ms", extra: [
                "third_collision_time": last, "torchdiffeq_ms": torchdiffeqMilliseconds,
                "speedup": torchdiffeqMilliseconds / (seconds * 1e3), "target_speedup": 50,
            ])]
        }
    }
}

/// `events.bouncing_ball` (direct) and `events.bouncing_ball.adjoint`.
let eventBenchmarks: [Benchmark] = [
    EventBenchmarks.benchmark("events.bouncing_ball", .direct, torchdiffeqMilliseconds: 30),
    EventBenchmarks.benchmark("events.bouncing_ball.adjoint", .adjoint(), torchdiffeqMilliseconds: 77),
]
