// swift-tools-version:6.0
import PackageDescription

// libFuzzer driver for the parsers in the FuzzTargets module of the trainer package (../..).
// Built only by launch/fuzz.sh, with -sanitize=fuzzer,address; the normal `swift build` of the
// trainer never sees this package.
let package = Package(
    name: "trainer-fuzz",
    dependencies: [
        .package(name: "trainer", path: "../.."),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .executableTarget(name: "trainer-fuzz", dependencies: ["CLibFuzzer", .product(name: "FuzzTargets", package: "trainer")]),
    ],
    swiftLanguageModes: [.v6]
)
