// swift-tools-version:6.0
import PackageDescription

// Layers (dependencies point downwards only), see docs/CODEBASE.md:
//   loupe → Terminal, ExplorerRuntime → Explorer → Session → (Evaluation →) Analysis, Corpus → EmbeddingEngine
//   → JinaEmbeddings → Tokenizers, SafeTensors → Numerics → CBLAS, CKernels
//   loupe → ModelHub (`loupe fetch`) → JinaEmbeddings, Hashing
//   loupe → Server (`loupe serve`) → Session → RemoteEncoders (`--endpoint`) → EmbeddingEngine
// -Ounchecked only where it pays and no outside input is parsed: the numeric code (Numerics, the encoder in
// JinaEmbeddings, Analysis). Every module that reads files, requests or keys keeps Swift's checks, so a bug
// there traps instead of reading out of bounds (BENCHMARKS.md, "Checked builds").
let unchecked: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]
let checked: [SwiftSetting] = [.unsafeFlags(["-wmo"], .when(configuration: .release))]
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
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        // Hummingbird: `loupe serve`, and the loopback imitation of the Hugging Face Hub in the tests.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
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
        .target(name: "Numerics", dependencies: ["CBLAS", "CKernels"], swiftSettings: unchecked),
        .target(name: "SafeTensors", dependencies: ["Numerics"], swiftSettings: checked),
        .target(name: "Tokenizers", swiftSettings: checked),
        .target(name: "Hashing", swiftSettings: checked),
        .target(name: "JinaEmbeddings",
                dependencies: ["Numerics", "SafeTensors", "Tokenizers", "Hashing"], exclude: ["README.md"],
                swiftSettings: unchecked),
        .target(name: "EmbeddingEngine", dependencies: ["JinaEmbeddings"], swiftSettings: checked),
        .target(name: "Corpus",
                dependencies: ["EmbeddingEngine", "Hashing", .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: checked),
        .target(name: "Analysis", dependencies: ["Numerics"], swiftSettings: unchecked),
        .target(name: "Evaluation", dependencies: ["Analysis", "Corpus"], swiftSettings: checked),

        // One working session for every front end: the engine, the cache, corpora and their questions
        .target(name: "Session", dependencies: ["Analysis", "Corpus", "EmbeddingEngine", "Evaluation", "JinaEmbeddings",
                                                "RemoteEncoders", "Tokenizers"],
                swiftSettings: checked),

        // Downloads from the Hugging Face Hub into its cache layout (`loupe fetch`)
        .target(name: "ModelHub",
                dependencies: [
                    "Hashing", "JinaEmbeddings",
                    .product(name: "AsyncHTTPClient", package: "async-http-client"),
                    // Not used: swift-algorithms (under AsyncHTTPClient) brings swift-numerics, whose
                    // `Numerics` target clashes with ours unless it is renamed here.
                    .product(name: "Numerics", package: "swift-numerics", moduleAliases: ["Numerics": "SwiftNumerics"]),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOHTTP1", package: "swift-nio"),
                ]),

        // Remote endpoints (loupe serve, the Jina API, OpenAI-compatible servers, text-embeddings-inference)
        // as one encoder: probing, fan-out, retries (`--endpoint`).
        .target(name: "RemoteEncoders",
                dependencies: [
                    "EmbeddingEngine", "Tokenizers", "Hashing",
                    .product(name: "AsyncHTTPClient", package: "async-http-client"),
                    // Not used: renamed so that swift-numerics (under AsyncHTTPClient) cannot clash with ours.
                    .product(name: "Numerics", package: "swift-numerics", moduleAliases: ["Numerics": "SwiftNumerics"]),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOHTTP1", package: "swift-nio"),
                ],
                swiftSettings: checked),

        // The HTTP server (`loupe serve`): routes, validation, limits, metrics over an EmbeddingProvider.
        .target(name: "Server",
                dependencies: [
                    "EmbeddingEngine", "Corpus", "JinaEmbeddings", "Session", "RemoteEncoders",
                    .product(name: "Hummingbird", package: "hummingbird"),
                    .product(name: "HTTPTypes", package: "swift-http-types"),
                    .product(name: "CoreMetrics", package: "swift-metrics"),
                    .product(name: "Prometheus", package: "swift-prometheus"),
                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                    .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOPosix", package: "swift-nio"),
                    .product(name: "NIOHTTP1", package: "swift-nio"),
                    // Not used: swift-numerics (under Hummingbird) has a `Numerics` target; renamed, it cannot
                    // clash with ours.
                    .product(name: "Numerics", package: "swift-numerics", moduleAliases: ["Numerics": "SwiftNumerics"]),
                ],
                // docs/openapi.yaml (a symlink here), compiled in: served at GET /openapi.yaml.
                resources: [.embedInCode("openapi.yaml")],
                swiftSettings: checked),

        // UI
        .target(name: "Explorer", dependencies: ["Session", "Analysis", "Corpus", "EmbeddingEngine"], swiftSettings: checked),
        .target(name: "ExplorerRuntime", dependencies: ["Explorer", "Session"], swiftSettings: checked),
        .target(name: "Terminal", dependencies: ["CNcurses", "Explorer"], swiftSettings: checked),

        // The executable
        .executableTarget(
            name: "loupe",
            dependencies: [
                "Terminal", "ExplorerRuntime", "Explorer", "Session", "Evaluation", "Analysis", "Corpus", "EmbeddingEngine",
                "JinaEmbeddings", "Tokenizers", "Numerics", "ModelHub", "Server", "RemoteEncoders",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: checked),

        // Fuzzing: the harnesses (a library the tests replay too) and the libFuzzer executable (`make fuzz`).
        .target(name: "FuzzHarness", dependencies: ["SafeTensors", "Tokenizers", "JinaEmbeddings", "Corpus", "Server"]),
        .target(name: "CFuzzDriver"),
        .executableTarget(name: "loupe-fuzz", dependencies: ["FuzzHarness", "CFuzzDriver"]),

        // Tests
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .target(name: "HubImitation",
                dependencies: [
                    "TestSupport", .product(name: "Hummingbird", package: "hummingbird"),
                    .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Logging", package: "swift-log"),
                ],
                path: "Tests/HubImitation"),
        .target(name: "EndpointImitation",
                dependencies: [
                    .product(name: "Hummingbird", package: "hummingbird"),
                    .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Logging", package: "swift-log"),
                ],
                path: "Tests/EndpointImitation"),
        .testTarget(name: "CKernelsTests", dependencies: ["CKernels", "Numerics", "TestSupport"]),
        .testTarget(name: "NumericsTests", dependencies: ["Numerics", "TestSupport"]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors", "TestSupport"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "TestSupport"]),
        .testTarget(name: "JinaEmbeddingsTests", dependencies: ["JinaEmbeddings", "TestSupport"]),
        .testTarget(name: "EmbeddingEngineTests", dependencies: ["EmbeddingEngine", "TestSupport"]),
        .testTarget(name: "HashingTests", dependencies: ["Hashing"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "JinaEmbeddings", "TestSupport"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "JinaEmbeddings", "TestSupport"]),
        .testTarget(name: "SessionTests", dependencies: ["Session", "Evaluation", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Analysis", "Corpus", "TestSupport"]),
        .testTarget(name: "ExplorerTests", dependencies: ["Explorer", "Terminal", "TestSupport"]),
        .testTarget(name: "ExplorerRuntimeTests",
                    dependencies: ["ExplorerRuntime", "Explorer", "Session", "RemoteEncoders", "Server", "TestSupport"]),
        .testTarget(name: "ModelHubTests", dependencies: ["ModelHub", "HubImitation", "JinaEmbeddings", "TestSupport"]),
        .testTarget(name: "ServerTests",
                    dependencies: ["Server", "Session", "EmbeddingEngine", "Corpus", "JinaEmbeddings", "Tokenizers", "TestSupport"]),
        .testTarget(name: "RemoteEncodersTests",
                    dependencies: ["RemoteEncoders", "Session", "Server", "Corpus", "EmbeddingEngine", "EndpointImitation",
                                   "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["Server", "TestSupport", "HubImitation"]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzHarness", "TestSupport"]),
    ]
)
