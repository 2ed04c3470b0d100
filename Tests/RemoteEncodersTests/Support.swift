import Corpus
import EmbeddingEngine
import EndpointImitation
import Foundation
import RemoteEncoders
import Session
import TestSupport
import XCTest

/// Pool settings for tests: short pauses and timeouts, so faults are met and recovered from in well
/// under a second.
func quickPool(timeout: Double? = 5, setAsideAfter failures: Int = 3) -> PoolOptions {
    var o = PoolOptions()
    o.targetBatchSeconds = 0.1
    o.minimumBatchTokens = 16
    o.firstBackoff = 0.05
    o.maximumBackoff = 0.4
    o.failuresBeforeSetAside = failures
    o.setAsideSeconds = 30
    o.requestTimeout = timeout
    o.probeTimeout = 10
    return o
}

/// Starts fake endpoints; `stop` them at the end.
func startFakes(_ fakes: [FakeEndpoint]) async throws -> [FakeEndpoint] {
    for f in fakes { try await f.start() }
    return fakes
}

func stopAll(_ fakes: [FakeEndpoint]) async { for f in fakes { await f.stop() } }

/// An engine on `fakes` with the cache in `home` (nil: no cache).
func remoteEngine(_ fakes: [FakeEndpoint], home: URL?, pool: PoolOptions = quickPool(), kind: EndpointKind? = nil,
                  keyVariable: String? = nil, environment: [String: String] = [:],
                  notes: NoteLog = NoteLog()) async throws -> Engine {
    let options = EngineOptions(cache: home.map { .directory($0) } ?? .off,
                                remote: RemoteOptions(endpoints: fakes.map(\.url), kind: kind, apiKeyVariable: keyVariable,
                                                      pool: pool),
                                environment: environment.merging(["LOUPE_HOME": home?.path ?? "/nonexistent"]) { a, _ in a })
    return try await Engine.open(options) { notes.add($0) }
}

/// Notes a session gave, as text.
final class NoteLog: @unchecked Sendable {
    private let lock = NSLock()
    private var notes: [SessionNote] = []
    func add(_ n: SessionNote) { lock.withLock { notes.append(n) } }
    var all: [String] {
        lock.withLock { notes.map { n in
            switch n { case .notice(let m), .warning(let m): return m }
        } }
    }
}

/// A corpus of `n` documents of `words` words each, written as a .txt file in `home`.
func writeCorpus(_ n: Int, words: Int = 12, in home: URL, seed: UInt64 = 1) throws -> (URL, [String]) {
    let vocabulary = ["river", "market", "engine", "quiet", "silver", "garden", "number", "window", "cloud", "paper",
                      "orbit", "signal", "harbor", "lantern", "meadow", "circuit", "velvet", "copper"]
    var rng = SeededRNG(seed: seed)
    let lines = (0..<n).map { i in
        "doc\(i) " + (0..<words).map { _ in vocabulary[Int(rng.next() % UInt64(vocabulary.count))] }.joined(separator: " ")
    }
    let url = home.appendingPathComponent("corpus-\(n)-\(seed).txt")
    try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    return (url, lines)
}

func assertVectors(_ got: [[Float]], _ expected: [[Float]], tolerance: Float = 1e-6,
                   file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(got.count, expected.count, file: file, line: line)
    for (i, (g, e)) in zip(got, expected).enumerated() {
        XCTAssertLessThanOrEqual(maxAbsDiff(g, e), tolerance, "vector \(i)", file: file, line: line)
    }
}
