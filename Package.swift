// swift-tools-version:6.0
import PackageDescription

// Layers (dependencies point downwards only), see docs/CODEBASE.md:
//   loupe → Terminal → Explorer → Analysis, Corpus → EmbeddingEngine → JinaEmbeddings
//   → Tokenizers, SafeTensors → LoupeNumerics → CBLAS, CKernels
let fast: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]
let cFast: [CSetting] = [.unsafeFlags(["-O3", "-fno-math-errno"])]

let package = Package(
    name: "loupe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "loupe", targets: ["loupe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // System libraries and C kernels
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CNcurses", pkgConfig: "ncursesw",
                       providers: [.apt(["libncursesw5-dev"])]),
        .target(name: "CKernels", cSettings: cFast),

        // Engine
        // Named LoupeNumerics (directory Sources/Numerics): Hummingbird's graph brings swift-numerics, whose
        // `Numerics` target would clash (target names are unique across a package graph).
        .target(name: "LoupeNumerics", dependencies: ["CBLAS", "CKernels"], path: "Sources/Numerics", swiftSettings: fast),
        .target(name: "SafeTensors", dependencies: ["LoupeNumerics"], swiftSettings: fast),
        .target(name: "Tokenizers", swiftSettings: fast),
        .target(name: "JinaEmbeddings",
                dependencies: ["LoupeNumerics", "SafeTensors", "Tokenizers"], exclude: ["README.md"],
                swiftSettings: fast),
        .target(name: "EmbeddingEngine", dependencies: ["JinaEmbeddings"], swiftSettings: fast),
        .target(name: "Corpus",
                dependencies: ["EmbeddingEngine", "JinaEmbeddings", "Tokenizers", .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: fast),
        .target(name: "Analysis", dependencies: ["LoupeNumerics"], swiftSettings: fast),

        // The HTTP server (`loupe serve`): routes, validation, limits, metrics over an EmbeddingProvider.
        .target(name: "Server",
                dependencies: [
                    "EmbeddingEngine", "Corpus", "JinaEmbeddings",
                    .product(name: "Hummingbird", package: "hummingbird"),
                    .product(name: "CoreMetrics", package: "swift-metrics"),
                    .product(name: "Prometheus", package: "swift-prometheus"),
                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                    .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOPosix", package: "swift-nio"),
                    .product(name: "NIOHTTP1", package: "swift-nio"),
                ],
                // docs/openapi.yaml (a symlink here), compiled in: served at GET /openapi.yaml.
                resources: [.embedInCode("openapi.yaml")],
                swiftSettings: fast),

        // UI
        .target(name: "Explorer", dependencies: ["Analysis", "Corpus", "EmbeddingEngine"], swiftSettings: fast),
        .target(name: "Terminal", dependencies: ["CNcurses", "Explorer"], swiftSettings: fast),

        // The executable
        .executableTarget(
            name: "loupe",
            dependencies: [
                "Terminal", "Explorer", "Analysis", "Corpus", "EmbeddingEngine", "JinaEmbeddings", "Server",
                "Tokenizers", "SafeTensors", "LoupeNumerics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: fast),

        // Tests
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CKernelsTests", dependencies: ["CKernels", "LoupeNumerics", "TestSupport"]),
        .testTarget(name: "NumericsTests", dependencies: ["LoupeNumerics", "TestSupport"]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors", "TestSupport"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "TestSupport"]),
        .testTarget(name: "JinaEmbeddingsTests", dependencies: ["JinaEmbeddings", "TestSupport"]),
        .testTarget(name: "EmbeddingEngineTests", dependencies: ["EmbeddingEngine", "TestSupport"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "JinaEmbeddings", "TestSupport"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "JinaEmbeddings", "TestSupport"]),
        .testTarget(name: "ExplorerTests", dependencies: ["Explorer", "Terminal", "TestSupport"]),
        .testTarget(name: "ServerTests",
                    dependencies: ["Server", "EmbeddingEngine", "Corpus", "JinaEmbeddings", "Tokenizers", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["Server", "TestSupport"]),
    ]
)
