// swift-tools-version: 6.0
//
// A pure-Swift Neural ODE library: a tape-based reverse-mode tensor (`Autodiff`), ODE solvers
// (`Solvers`), and the Neural-ODE layer with adjoint, direct and checkpointed gradients (`ODENet`).
// No package dependencies: Foundation and the toolchain only.
//
// Native speed: the library targets carry no `unsafeFlags` (so a package can depend on this one by
// version). Build with the native toolset instead: `swift build -c release --toolset native.json`
// (see README). Without it, kernels fall back to plain SIMD multiply-add, never a call to `fmaf`.

import PackageDescription

/// libm is linked explicitly so that no module depends on Foundation pulling it in.
let linkMath: [LinkerSetting] = [.linkedLibrary("m", .when(platforms: [.linux]))]

let package = Package(
    name: "swift-neural-ode",
    // The first releases with `Synchronization.Atomic` (the lock-free counters and the fork-join worker).
    platforms: [.macOS(.v15), .iOS(.v18), .tvOS(.v18), .watchOS(.v11), .visionOS(.v2)],
    products: [
        .library(name: "Autodiff", targets: ["Autodiff"]),
        .library(name: "Solvers", targets: ["Solvers"]),
        .library(name: "ODENet", targets: ["ODENet"]),
        .executable(name: "spirals", targets: ["Spirals"]),
        .executable(name: "latent-spirals", targets: ["LatentSpirals"]),
        .executable(name: "mnist", targets: ["MNIST"]),
        .executable(name: "benchmarks", targets: ["Benchmarks"]),
        .executable(name: "release-checks", targets: ["ReleaseChecks"]),
    ],
    targets: [
        // MARK: - Public API
        .target(name: "Autodiff", dependencies: ["Requirements"], linkerSettings: linkMath),
        .target(name: "Solvers", dependencies: ["Requirements"], linkerSettings: linkMath),
        .target(name: "ODENet", dependencies: ["Autodiff", "Solvers", "Requirements"], linkerSettings: linkMath),

        // MARK: - Internal
        // `require(_:_:)`: the checks a user can fail, with their message kept in release builds.
        .target(name: "Requirements"),

        // MARK: - Examples (internal support target + executables)
        .target(name: "ExampleSupport", dependencies: ["ODENet", "Solvers"], path: "Examples/Support"),
        .executableTarget(name: "Spirals", dependencies: ["ODENet", "ExampleSupport"], path: "Examples/Spirals"),
        .executableTarget(name: "LatentSpirals", dependencies: ["ODENet", "ExampleSupport"],
                          path: "Examples/LatentSpirals"),
        .executableTarget(name: "MNIST", dependencies: ["ODENet", "ExampleSupport"], path: "Examples/MNIST"),
        .executableTarget(name: "Benchmarks", dependencies: ["ODENet", "ExampleSupport"],
                          path: "Examples/Benchmarks"),

        // MARK: - Tests
        .testTarget(name: "AutodiffTests", dependencies: ["Autodiff", "Requirements"]),
        .testTarget(name: "SolversTests", dependencies: ["Solvers"]),
        .testTarget(name: "ODENetTests", dependencies: ["ODENet", "ExampleSupport"],
                    exclude: ["Fixtures/make_gzip_fixtures.py", "Fixtures/w2_weights.json",
                              "Fixtures/w2_reference_entry.json", "Fixtures/torchdiffeq_traces.py",
                              "Fixtures/w3_torchdiffeq_trace.json", "Fixtures/ode_demo_seeds.py"]),
        // The latent-spirals example's data pipeline (an executable target, imported with @testable).
        .testTarget(name: "LatentSpiralsTests", dependencies: ["LatentSpirals", "ODENet"]),
        // Run by .ci/check-release-messages: one failing check of each kind, from the release build.
        .executableTarget(name: "ReleaseChecks", dependencies: ["Autodiff", "Solvers", "ODENet"], path: "Tests/ReleaseChecks"),
    ],
    swiftLanguageModes: [.v6]
)
