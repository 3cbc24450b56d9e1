// swift-tools-version: 6.0
//
// libFuzzer targets for the readers of untrusted files: the gzip + IDX reader (`Datasets`) and the
// safetensors reader with `ModuleCheckpoint.load` (`ODENet`). Not part of the library's build: build
// and run them with `.ci/fuzz [SECONDS]`, which passes `-sanitize=fuzzer,address` to every module so
// that the library code is instrumented too (libFuzzer's own `main` drives each target).

import PackageDescription

let package = Package(
    name: "swift-neural-ode-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "swift-neural-ode", path: "..")],
    targets: [
        // libFuzzer's driver behind SwiftPM's executable entry point, and helpers the targets share.
        .target(name: "FuzzSupport"),
        .executableTarget(name: "FuzzIDX", dependencies: [
            "FuzzSupport", .product(name: "Datasets", package: "swift-neural-ode"),
        ]),
        .executableTarget(name: "FuzzSafetensors", dependencies: [
            "FuzzSupport", .product(name: "ODENet", package: "swift-neural-ode"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
