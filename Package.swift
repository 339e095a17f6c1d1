// swift-tools-version:6.0
import PackageDescription

// -fno-math-errno lets sqrtf/expf in the kernels vectorize. On x86-64 the kernels are compiled for
// AVX2 and FMA (every x86-64 CPU since 2013-2015), so that their loops run 8 floats wide.
#if arch(x86_64)
let cpuFlags = ["-target-cpu", "haswell"]
#else
let cpuFlags: [String] = []
#endif
// Only GPT, the kernels, is compiled with -Ounchecked (no overflow or bounds checks): in a training
// step its Swift code runs 2.6x the instructions under -O (callgrind, gpt-tiny), while -Ounchecked
// gains Data, Checkpoints and Training under 0.2% of a step and 5% of `trainer prepare`. Those
// modules read input from outside, so they keep Swift's checks; docs/ARCHITECTURE.md says why no
// outside input reaches GPT unvalidated.
let checkedFlags: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-fno-math-errno"] + cpuFlags, .when(configuration: .release))]
let kernelFlags: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-fno-math-errno", "-Ounchecked"] + cpuFlags, .when(configuration: .release))]

let package = Package(
    name: "trainer",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "trainer", targets: ["trainer"]),
        // The parsers' fuzz harnesses, linked by the libFuzzer package in Tests/Fuzz (launch/fuzz.sh).
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        // OpenBLAS's cblas.h, found through pkg-config.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // Open MPI's mpi.h; only CMPI may import it.
        .systemLibrary(name: "COpenMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        // The only C that includes mpi.h: a plain-C surface Swift can call.
        .target(name: "CMPI", dependencies: ["COpenMPI"], cSettings: [.define("OMPI_SKIP_MPICXX"), .unsafeFlags(["-O2"])]),
        .target(name: "Collectives", dependencies: ["CMPI"]),
        .target(name: "GPT", dependencies: ["CBLAS"], swiftSettings: kernelFlags),
        // Order-independent sums: Floats in two-limb fixed point, Doubles in a long accumulator,
        // summed across ranks with MPI's exact Int64 sum; needs no model.
        .target(name: "ExactSum", dependencies: ["Collectives"], swiftSettings: checkedFlags),
        // The system zlib (gzip-compressed corpora), found through pkg-config.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "Data", dependencies: ["CZlib"], swiftSettings: checkedFlags),
        // Checkpoint files (safetensors, the checkpoint store, hashing); needs no other module of ours.
        .target(name: "Checkpoints", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: checkedFlags),
        // TensorBoard event files (TFRecord framing, hand-written Event protobuf); needs no other module of ours.
        .target(name: "TensorBoard"),
        // SVG line charts (log axes, several series, legend); needs no other module of ours.
        .target(name: "Plots"),
        // Scaling-law fits (Chinchilla approach 3), the compute-optimal frontier and the sweep
        // file; needs no other module of ours (model counts are passed in).
        .target(name: "ScalingLaws"),
        // GGUF files for llama.cpp: the v3 writer (F32, F16, Q8_0), a reader, and the GPT-2 and
        // Llama mappings; a leaf (tensors and tokenizer files come in through its own types).
        .target(name: "GGUF", swiftSettings: checkedFlags),
        // Zero- and few-shot task scoring as lm-evaluation-harness does it, and beam search.
        .target(name: "TaskEvaluation", dependencies: ["GPT", "Data", "Collectives"], swiftSettings: checkedFlags),
        // A run's configuration: the config file and its checks, the batch plan, the memory
        // requirement, the launch environment, the one logger and the run's error value.
        .target(name: "RunConfig", dependencies: ["GPT"], swiftSettings: checkedFlags),
        // What a checkpoint directory holds and how a model gets in and out of it: weights, optimizer
        // state, training state, Hugging Face files, pre-trained directories.
        .target(name: "ModelFiles", dependencies: [
            "RunConfig", "GPT", "Data", "Checkpoints", .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: checkedFlags),
        // The trainer and its step loop, objectives, evaluation, observability, setup and resume.
        .target(name: "Training", dependencies: [
            "RunConfig", "ModelFiles", "GPT", "Data", "Collectives", "ExactSum", "Checkpoints", "TensorBoard", "Plots", "TaskEvaluation",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: checkedFlags),
        // Text generation and classification from a saved model; no training loop.
        .target(name: "Inference", dependencies: ["ModelFiles", "RunConfig", "GPT", "Data", "TaskEvaluation"], swiftSettings: checkedFlags),
        // `trainer sweep`: a grid of ordinary runs, the scaling-law fit and its charts.
        .target(name: "Sweeps", dependencies: [
            "Training", "RunConfig", "ModelFiles", "Collectives", "Checkpoints", "ScalingLaws", "Plots",
        ], swiftSettings: checkedFlags),
        // Each parser of outside input driven with arbitrary bytes: by libFuzzer and by TrainingTests.
        .target(name: "FuzzTargets", dependencies: ["Training", "RunConfig", "ModelFiles", "Data", "Checkpoints"]),
        // sgemm, all-reduce and training-step measurements for `trainer bench`.
        .target(name: "Benchmarks", dependencies: ["Training", "RunConfig", "GPT", "Collectives", "CBLAS"]),
        .executableTarget(name: "trainer", dependencies: [
            "RunConfig", "ModelFiles", "Training", "Inference", "Sweeps", "Benchmarks", "Collectives", "GGUF", "TaskEvaluation",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // What several test targets share: temporary directories, a world of ranks on threads.
        .target(name: "TestSupport", dependencies: ["Collectives"], path: "Tests/TestSupport"),
        .testTarget(name: "CollectivesTests", dependencies: ["Collectives"]),
        .testTarget(name: "ExactSumTests", dependencies: ["ExactSum", "Collectives"]),
        .testTarget(name: "GPTTests", dependencies: ["GPT", "CBLAS", "ExactSum", "Collectives", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DataTests", dependencies: ["Data", "TestSupport"]),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints"], exclude: ["Fixtures"]),
        .testTarget(name: "TensorBoardTests", dependencies: ["TensorBoard"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "TestSupport", "RunConfig", "ModelFiles", "Inference", "Sweeps", "GPT", "Data", "Collectives", "Checkpoints", "TensorBoard", "ScalingLaws", "FuzzTargets"], exclude: ["Fixtures"]),
        .testTarget(name: "TrainerTests", dependencies: ["Training", "TestSupport", "RunConfig", "ModelFiles", "Checkpoints", "TensorBoard", "GGUF", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "TaskEvaluationTests", dependencies: ["TaskEvaluation", "GPT", "Data", "Collectives"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PlotsTests", dependencies: ["Plots"]),
        .testTarget(name: "ScalingLawsTests", dependencies: ["ScalingLaws"]),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF", "Checkpoints"], exclude: ["Fixtures"]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "RunConfig"]),
    ],
    swiftLanguageModes: [.v6]
)
