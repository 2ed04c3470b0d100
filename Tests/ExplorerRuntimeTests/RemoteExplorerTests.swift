import Analysis
import ExplorerRuntime
import Foundation
import RemoteEncoders
import Server
import Session
import TestSupport
import XCTest
@testable import Explorer

/// The explorer on two `loupe serve` endpoints (in this process, on loopback, over the default model):
/// it indexes through both, keeps working when one is stopped (a status message, not a crash), and its
/// answers are the ones a local run gives.
final class RemoteExplorerTests: XCTestCase {
    var home: URL!
    override func setUpWithError() throws { home = try Fixtures.temporaryDirectory("loupe-remote-explorer") }
    override func tearDown() { try? FileManager.default.removeItem(at: home) }

    /// A `loupe serve` on 127.0.0.1 with an ephemeral port over the default model, without a cache.
    final class Served: @unchecked Sendable {
        let server: EmbeddingServer
        let task: Task<Void, any Error>
        let port: Int
        init(model: String) async throws {
            let engine = try await Engine.open(EngineOptions(model: model, cache: .off))
            var configuration = ServerConfiguration()
            configuration.port = 0
            let server = EmbeddingServer(provider: EngineProvider(engine: engine), configuration: configuration) { _ in }
            let bound = PortBox()
            task = Task { try await server.run(signals: []) { bound.set($0) } }
            try await waitUntil(timeout: 60) { bound.get() != nil }
            self.server = server
            self.port = bound.get() ?? 0
        }
        var url: String { "http://127.0.0.1:\(port)" }
        func stop() async { await server.shutdown(); _ = await task.result }
    }

    func testTwoEndpointsIndexKeepGoingWhenOneStopsAndMatchALocalRun() async throws {
        let model = try Fixtures.defaultModelDirectory().path
        let a = try await Served(model: model), b = try await Served(model: model)
        let lines = (0..<1200).map { i in
            ["How do I reset my password", "Refunds take five days", "The garden needs water", "Invoices arrive monthly",
             "Two-factor codes come by text"][i % 5] + " (note \(i): " + String(repeating: "details ", count: 1 + i % 7) + ")"
        }
        let corpus = home.appendingPathComponent("notes.txt")
        try (lines.joined(separator: "\n") + "\n").write(to: corpus, atomically: true, encoding: .utf8)
        var remote = RemoteOptions(endpoints: [a.url, b.url])
        remote.pool.targetBatchSeconds = 0.2
        // The stopped endpoint is set aside at its first failure: whether it fails once or four times
        // before the index is done depends on how busy the machine is.
        remote.pool.failuresBeforeSetAside = 1
        let h = try Harness(corpus: corpus, options: EngineOptions(cache: .directory(home.appendingPathComponent("remote")),
                                                                   remote: remote))
        // Both endpoints take batches; then one is stopped in the middle of the run.
        try await h.pump { s in s.endpoints.count == 2 && s.endpoints.allSatisfy { $0.batchesDone > 0 } }
        XCTAssertFalse(h.state.indexReady, "the corpus is large enough to stop an endpoint in the middle of indexing")
        await b.stop()
        try await h.ready()
        XCTAssertNil(h.state.indexError)
        XCTAssertEqual(h.state.indexedChunks, lines.count)
        try await h.pump(timeout: 60) { s in s.endpoints.contains { $0.state == .setAside } }
        XCTAssertEqual(h.state.endpoints.map(\.state), [.up, .setAside])
        XCTAssertTrue(h.state.status?.contains("endpoint 127.0.0.1:\(b.port) is down") == true
                      || h.state.status?.hasPrefix("indexed") == true, h.state.status ?? "")

        let query = "I forgot my password"
        h.type(query)
        try await h.pump { $0.search.answeredQuery == query && $0.requests[.search].pending == nil }
        let remoteHits = h.state.search.hits
        await a.stop()

        let local = try Harness(corpus: corpus, options: EngineOptions(model: model, cache: .directory(home.appendingPathComponent("local"))))
        try await local.ready()
        local.type(query)
        try await local.pump { $0.search.answeredQuery == query && $0.requests[.search].pending == nil }
        XCTAssertEqual(remoteHits.map(\.document), local.state.search.hits.map(\.document))
        for (r, l) in zip(remoteHits, local.state.search.hits) { XCTAssertEqual(r.score, l.score, accuracy: 1e-5) }
    }
}

final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port: Int?
    func set(_ p: Int) { lock.withLock { port = p } }
    func get() -> Int? { lock.withLock { port } }
}
