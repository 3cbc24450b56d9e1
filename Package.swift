// swift-tools-version: 6.0
//
// A pure-Swift Neural ODE library: a tape-based reverse-mode tensor (`Autodiff`), ODE solvers
// (`Solvers`), the Neural-ODE layer with adjoint, direct and checkpointed gradients (`ODENet`), and
// readers for the data sets the examples train on (`Datasets`: MNIST, gzip, and FFJORD's 2-D toy densities).
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
        .library(name: "Datasets", targets: ["Datasets"]),
        .executable(name: "spirals", targets: ["Spirals"]),
        .executable(name: "cnf", targets: ["CNF"]),
        .executable(name: "bouncing-ball", targets: ["BouncingBall"]),
        .executable(name: "learn-physics", targets: ["LearnPhysics"]),
        .executable(name: "resnet-euler", targets: ["ResNetEuler"]),
        .executable(name: "latent-spirals", targets: ["LatentSpirals"]),
        .executable(name: "mnist", targets: ["MNIST"]),
        .executable(name: "benchmarks", targets: ["Benchmarks"]),
        .executable(name: "release-checks", targets: ["ReleaseChecks"]),
    ],
    targets: [
        // MARK: - Public API
        .target(name: "Autodiff", dependencies: ["FusedMultiplyAdd", "Requirements"], linkerSettings: linkMath),
        .target(name: "Solvers", dependencies: ["FusedMultiplyAdd", "Requirements"], linkerSettings: linkMath),
        .target(name: "ODENet", dependencies: ["Autodiff", "Solvers", "Requirements", "FileAccess"],
                linkerSettings: linkMath),
        .target(name: "Datasets", dependencies: ["Autodiff", "Requirements", "FileAccess"], linkerSettings: linkMath),

        // MARK: - Internal
        // The one `multiplyAdd` the kernels of Autodiff and Solvers share (`package` access).
        .target(name: "FusedMultiplyAdd"),
        // `require(_:_:)`: the checks a user can fail, with their message kept in release builds.
        .target(name: "Requirements"),
        // Reading untrusted files (a directory named as such, the size before allocating) and syncing
        // directories, for the checkpoint and data-set readers (`package` access).
        .target(name: "FileAccess"),

        // MARK: - Examples (internal support target + executables)
        .target(name: "ExampleSupport", dependencies: ["ODENet", "Solvers"], path: "Examples/Support"),
        // The paper's MNIST networks, shared by the mnist example, the W4 benchmark and their tests.
        .target(name: "MNISTModels", dependencies: ["ODENet", "Datasets", "Requirements"], path: "Examples/MNISTModels"),
        .executableTarget(name: "Spirals", dependencies: ["ODENet", "ExampleSupport"], path: "Examples/Spirals"),
        .executableTarget(name: "CNF", dependencies: ["ODENet", "Datasets", "ExampleSupport"], path: "Examples/CNF"),
        .executableTarget(name: "BouncingBall", dependencies: ["ODENet", "ExampleSupport"], path: "Examples/BouncingBall"),
        .executableTarget(name: "LearnPhysics", dependencies: ["ODENet", "ExampleSupport"], path: "Examples/LearnPhysics"),
        .executableTarget(name: "ResNetEuler", dependencies: ["ODENet", "Datasets", "ExampleSupport"], path: "Examples/ResNetEuler"),
        .executableTarget(name: "LatentSpirals", dependencies: ["ODENet", "ExampleSupport"],
                          path: "Examples/LatentSpirals"),
        .executableTarget(name: "MNIST", dependencies: ["ODENet", "Datasets", "MNISTModels", "ExampleSupport"],
                          path: "Examples/MNIST"),
        .executableTarget(name: "Benchmarks", dependencies: ["ODENet", "Datasets", "MNISTModels", "ExampleSupport"],
                          path: "Examples/Benchmarks"),

        // MARK: - Tests
        .testTarget(name: "AutodiffTests", dependencies: ["Autodiff", "Requirements", "TestSupport"]),
        .testTarget(name: "SolversTests", dependencies: ["Solvers"]),
        // Finds ../shared beside the package for the tests that use it (they skip without it).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ODENetTests", dependencies: ["ODENet", "ExampleSupport", "TestSupport"],
                    exclude: ["Fixtures/w2_weights.json", "Fixtures/w2_reference_entry.json",
                              "Fixtures/torchdiffeq_traces.py", "Fixtures/w3_torchdiffeq_trace.json",
                              "Fixtures/ode_demo_seeds.py"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Autodiff", "TestSupport"],
                    exclude: ["Fixtures/make_gzip_fixtures.py"]),
        .testTarget(name: "ExampleSupportTests", dependencies: ["ExampleSupport", "ODENet", "TestSupport"]),
        // The MNIST models and the mnist executable's checkpoint resume (it runs the built executable).
        .testTarget(name: "MNISTTests", dependencies: ["MNISTModels", "Datasets", "ODENet", "ExampleSupport",
                                                       "TestSupport"]),
        // The latent-spirals example's data pipeline (an executable target, imported with @testable).
        .testTarget(name: "LatentSpiralsTests", dependencies: ["LatentSpirals", "ODENet"]),
        // Run by .ci/check-release-messages: one failing check of each kind, from the release build.
        .executableTarget(name: "ReleaseChecks", dependencies: ["Autodiff", "Solvers", "ODENet"], path: "Tests/ReleaseChecks"),
    ],
    swiftLanguageModes: [.v6]
)
