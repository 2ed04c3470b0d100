// swift-tools-version:6.0
import PackageDescription

// Layers (dependencies point downwards only), see docs/CODEBASE.md:
//   loupe → Terminal, ExplorerRuntime → Explorer → Session → Analysis, Corpus → EmbeddingEngine
//   → JinaEmbeddings → Tokenizers, SafeTensors → Numerics → CBLAS, CKernels
let fast: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]
let cFast: [CSetting] = [.unsafeFlags(["-O3", "-fno-math-errno"])]

let package = Package(
    name: "loupe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "loupe", targets: ["loupe"]),
        .executable(name: "loupe-fuzz", targets: ["loupe-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // System libraries and C kernels
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CNcurses", pkgConfig: "ncursesw",
                       providers: [.apt(["libncursesw5-dev"])]),
        .target(name: "CKernels", cSettings: cFast),

        // Engine
        .target(name: "Numerics", dependencies: ["CBLAS", "CKernels"], swiftSettings: fast),
        .target(name: "SafeTensors", dependencies: ["Numerics"], swiftSettings: fast),
        .target(name: "Tokenizers", swiftSettings: fast),
        .target(name: "Hashing", swiftSettings: fast),
        .target(name: "JinaEmbeddings",
                dependencies: ["Numerics", "SafeTensors", "Tokenizers", "Hashing"], exclude: ["README.md"],
                swiftSettings: fast),
        .target(name: "EmbeddingEngine", dependencies: ["JinaEmbeddings"], swiftSettings: fast),
        .target(name: "Corpus",
                dependencies: ["EmbeddingEngine", "Hashing", .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: fast),
        .target(name: "Analysis", dependencies: ["Numerics"], swiftSettings: fast),

        // One working session for every front end: the engine, the cache, corpora and their questions
        .target(name: "Session", dependencies: ["Analysis", "Corpus", "EmbeddingEngine", "JinaEmbeddings"],
                swiftSettings: fast),

        // UI
        .target(name: "Explorer", dependencies: ["Session", "Analysis", "Corpus", "EmbeddingEngine"], swiftSettings: fast),
        .target(name: "ExplorerRuntime", dependencies: ["Explorer", "Session"], swiftSettings: fast),
        .target(name: "Terminal", dependencies: ["CNcurses", "Explorer"], swiftSettings: fast),

        // The executable
        .executableTarget(
            name: "loupe",
            dependencies: [
                "Terminal", "ExplorerRuntime", "Explorer", "Session", "Analysis", "Corpus", "EmbeddingEngine",
                "JinaEmbeddings", "Tokenizers", "Numerics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: fast),

        // Fuzzing: the harnesses (a library the tests replay too) and the libFuzzer executable (`make fuzz`).
        .target(name: "FuzzHarness", dependencies: ["SafeTensors", "Tokenizers", "JinaEmbeddings", "Corpus"]),
        .target(name: "CFuzzDriver"),
        .executableTarget(name: "loupe-fuzz", dependencies: ["FuzzHarness", "CFuzzDriver"]),

        // Tests
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CKernelsTests", dependencies: ["CKernels", "Numerics", "TestSupport"]),
        .testTarget(name: "NumericsTests", dependencies: ["Numerics", "TestSupport"]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors", "TestSupport"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "TestSupport"]),
        .testTarget(name: "JinaEmbeddingsTests", dependencies: ["JinaEmbeddings", "TestSupport"]),
        .testTarget(name: "EmbeddingEngineTests", dependencies: ["EmbeddingEngine", "TestSupport"]),
        .testTarget(name: "HashingTests", dependencies: ["Hashing"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "JinaEmbeddings", "TestSupport"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "JinaEmbeddings", "TestSupport"]),
        .testTarget(name: "SessionTests", dependencies: ["Session", "TestSupport"]),
        .testTarget(name: "ExplorerTests", dependencies: ["Explorer", "Terminal", "TestSupport"]),
        .testTarget(name: "ExplorerRuntimeTests", dependencies: ["ExplorerRuntime", "Explorer", "Session", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport"]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzHarness", "TestSupport"]),
    ]
)
