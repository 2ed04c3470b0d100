import Corpus
import EmbeddingEngine
import EndpointImitation
import Foundation
import RemoteEncoders
import Session
import TestSupport
import XCTest

/// The pool against fake endpoints that behave: the vectors are the endpoints', work is shared, the
/// cache key names the remote model, interactive work goes first.
final class PoolTests: XCTestCase {
    var home: URL!
    override func setUpWithError() throws { home = try Fixtures.temporaryDirectory("loupe-remote") }
    override func tearDown() { try? FileManager.default.removeItem(at: home) }

    func testTwoEndpointsShareAnIndexAndGiveTheirVectors() async throws {
        let fakes = try await startFakes([FakeEndpoint(speed: 20_000), FakeEndpoint(speed: 20_000)])
        let engine = try await remoteEngine(fakes, home: home)
        let (url, lines) = try writeCorpus(300, in: home)
        let workspace = try Workspace(engine: engine, corpus: try CorpusLoader.load(paths: [url.path]))
        let indexed = try await workspace.index(task: "retrieval.passage")
        await stopAll(fakes)
        XCTAssertEqual(indexed.embedded, 300)
        assertVectors(indexed.vectors, lines.map { FakeEndpoint.vector($0, task: "retrieval.passage", dimension: 8) })
        let served = fakes.map { $0.embedRequests.reduce(0) { $0 + $1.inputs.count } }
        XCTAssertEqual(served.reduce(0, +), 300 + 2, "each document once, plus one probe per endpoint")
        XCTAssertTrue(served.allSatisfy { $0 > 30 }, "both endpoints took work: \(served)")
        XCTAssertEqual(engine.info.name, "fake-model")
        XCTAssertTrue(engine.info.fingerprint.hasPrefix("remote-"), "remote vectors never share a local fingerprint")
        XCTAssertNil(engine.model)
    }

    func testARerunIsServedFromTheCacheAndTheSameModelElsewhereSharesIt() async throws {
        let (url, _) = try writeCorpus(40, in: home)
        let corpus = try CorpusLoader.load(paths: [url.path])
        let first = try await startFakes([FakeEndpoint()])
        let a = try await Workspace(engine: remoteEngine(first, home: home), corpus: corpus).index(task: nil)
        await stopAll(first)
        XCTAssertEqual(a.embedded, 40)
        // The same model on another port: the same identity, nothing to embed.
        let other = try await startFakes([FakeEndpoint()])
        let b = try await Workspace(engine: remoteEngine(other, home: home), corpus: corpus).index(task: nil)
        XCTAssertEqual(b.cached, 40)
        XCTAssertEqual(other[0].embedRequests.count, 1, "only the probe")
        await stopAll(other)
        // Another model under the same name on the first port: nothing stale is served.
        let swapped = try await startFakes([FakeEndpoint(salt: "other weights", port: first[0].port)])
        let engine = try await remoteEngine(swapped, home: home)
        let c = try await Workspace(engine: engine, corpus: corpus).index(task: nil)
        await stopAll(swapped)
        XCTAssertEqual(c.embedded, 40)
        assertVectors(c.vectors, corpus.documents.map { FakeEndpoint.vector($0.text, task: nil, dimension: 8, salt: "other weights") })
    }

    func testEndpointsOfDifferentModelsAreRefused() async throws {
        let fakes = try await startFakes([FakeEndpoint(), FakeEndpoint(dimension: 16)])
        defer { Task { await stopAll(fakes) } }
        do {
            _ = try await remoteEngine(fakes, home: nil)
            XCTFail("opened a pool of two models")
        } catch {
            XCTAssertTrue("\(error)".contains("do not serve the same model"), "\(error)")
        }
    }

    func testInteractiveRequestsGoBeforeQueuedBulkWork() async throws {
        let fakes = try await startFakes([FakeEndpoint(speed: 400)])
        let engine = try await remoteEngine(fakes, home: nil)
        let texts = (0..<60).map { "bulk text number \($0) with a few words" }
        let bulk = Task { try await engine.indexer.embed(texts: texts, task: nil, priority: .bulk) }
        try await waitUntil(timeout: 30) { fakes[0].embedRequests.count >= 3 }  // the probe and the first bulk batches
        let before = fakes[0].embedRequests.count
        let query = try await engine.embed(["what is the quiet river"], task: "retrieval.query", priority: .interactive)
        _ = try await bulk.value
        await stopAll(fakes)
        assertVectors([Array(query.vectors.row(0))],
                      [FakeEndpoint.vector("what is the quiet river", task: "retrieval.query", dimension: 8)])
        let log = fakes[0].embedRequests
        let q = try XCTUnwrap(log.firstIndex { $0.priority == "interactive" && $0.inputs == ["what is the quiet river"] })
        XCTAssertLessThanOrEqual(q, before + 1, "the query was sent at once, not behind the queued bulk batches")
        XCTAssertGreaterThan(log.count - 1 - q, 2, "bulk work was still queued and went on after the query")
        XCTAssertTrue(log[1...].filter { $0.inputs != ["what is the quiet river"] }.allSatisfy { $0.priority == "bulk" })
    }

    func testKeysComeFromTheEnvironmentAndNeverShowUp() async throws {
        let secret = "sk-test-7f3a9c1e5b2d48f0a6c3"
        let fakes = try await startFakes([FakeEndpoint(kind: .openai, key: secret)])
        defer { Task { await stopAll(fakes) } }
        let notes = NoteLog()
        let engine = try await remoteEngine(fakes, home: nil, keyVariable: "LOUPE_TEST_KEY",
                                            environment: ["LOUPE_TEST_KEY": secret], notes: notes)
        _ = try await engine.embed(["hello there"], task: nil)
        XCTAssertTrue(fakes[0].embedRequests.allSatisfy { $0.authorization == "Bearer \(secret)" })
        // A wrong key: the error names the variable, never a key.
        let wrong = "sk-wrong-0d9e8c7b6a5f4e3d2c1b"
        do {
            _ = try await remoteEngine(fakes, home: nil, keyVariable: "LOUPE_TEST_KEY",
                                       environment: ["LOUPE_TEST_KEY": wrong], notes: notes)
            XCTFail("a wrong key was accepted")
        } catch {
            XCTAssertFalse("\(error)".contains(wrong), "\(error)")
            XCTAssertFalse("\(error)".contains(secret), "\(error)")
            XCTAssertTrue("\(error)".contains("401") || "\(error)".contains("key"), "\(error)")
        }
        do {
            _ = try await remoteEngine(fakes, home: nil, keyVariable: "LOUPE_MISSING_KEY", environment: [:])
            XCTFail("a missing key variable was accepted")
        } catch {
            XCTAssertTrue("\(error)".contains("$LOUPE_MISSING_KEY is not set"), "\(error)")
        }
        for line in notes.all {
            XCTAssertFalse(line.contains(secret) || line.contains(wrong), line)
        }
        XCTAssertEqual(engine.encoder.endpoints.compactMap(\.lastError).filter { $0.contains(secret) }, [])
    }
}
