import Corpus
import EmbeddingEngine
import EndpointImitation
import Foundation
import RemoteEncoders
import Session
import TestSupport
import XCTest

/// Each fault of a misbehaving endpoint is met as the pool promises: retried (after the server's
/// Retry-After), never stored when the answer is wrong, and when no endpoint is left the command
/// stops naming each one's last error while what was done stays in the cache.
final class FaultTests: XCTestCase {
    var home: URL!
    override func setUpWithError() throws { home = try Fixtures.temporaryDirectory("loupe-remote-faults") }
    override func tearDown() { try? FileManager.default.removeItem(at: home) }

    /// Indexes `n` documents through one fake endpoint that first shows `faults`; checks the vectors and
    /// that the cache holds exactly the right ones; returns the endpoint's log.
    @discardableResult
    func indexThrough(_ faults: [FakeEndpoint.Fault], documents n: Int = 6, pool: PoolOptions = quickPool(),
                      file: StaticString = #filePath, line: UInt = #line) async throws -> [FakeEndpoint.Logged] {
        let fake = FakeEndpoint()
        try await fake.start()
        let engine = try await remoteEngine([fake], home: home, pool: pool)
        fake.inject(faults)
        let (url, lines) = try writeCorpus(n, in: home, seed: UInt64(faults.count * 7 + n))
        let corpus = try CorpusLoader.load(paths: [url.path])
        let indexed = try await Workspace(engine: engine, corpus: corpus).index(task: "text-matching")
        await fake.stop()
        let expected = lines.map { FakeEndpoint.vector($0, task: "text-matching", dimension: 8) }
        assertVectors(indexed.vectors, expected, file: file, line: line)
        // What the cache holds is what a rerun gets: every vector right, none from a bad answer.
        let again = try await Workspace(engine: engine, corpus: corpus).index(task: "text-matching")
        XCTAssertEqual(again.cached, n, file: file, line: line)
        assertVectors(again.vectors, expected, file: file, line: line)
        return fake.embedRequests
    }

    func testA429IsRetriedAfterTheServersRetryAfter() async throws {
        let log = try await indexThrough([.status(429, retryAfter: 1)])
        let refused = try XCTUnwrap(log.firstIndex { $0.fault == .status(429, retryAfter: 1) })
        // The same inputs sent again (another batch may have been in flight meanwhile).
        let retried = try XCTUnwrap(log[(refused + 1)...].first { $0.inputs == log[refused].inputs })
        let answered = try XCTUnwrap(log[refused].answered)
        XCTAssertGreaterThanOrEqual(retried.received - answered, 0.95, "Retry-After: 1 was honoured")
    }

    func testServerErrorsAreRetriedWithBackoff() async throws {
        let log = try await indexThrough([.status(500), .status(503)])
        XCTAssertEqual(log.filter { $0.fault != nil }.count, 2)
        let second = try XCTUnwrap(log.firstIndex { $0.fault == .status(503) })
        let retried = try XCTUnwrap(log[(second + 1)...].first { $0.inputs == log[second].inputs })
        XCTAssertGreaterThan(retried.received - (log[second].answered ?? 0), 0.02, "a pause before the retry")
    }

    func testASlowAnswerTimesOutAndIsSentAgain() async throws {
        let log = try await indexThrough([.slow(3)], pool: quickPool(timeout: 0.5))
        XCTAssertEqual(log.filter { $0.fault == .slow(3) }.count, 1)
    }

    func testWrongSizesGarbageAndDroppedConnectionsAreNeverStored() async throws {
        try await indexThrough([.wrongDimension])
        try await indexThrough([.wrongCount])
        try await indexThrough([.garbage])
        try await indexThrough([.drop])
    }

    func testWhenEveryEndpointFailsTheRunStopsNamingEachAndContinuesLater() async throws {
        let fakes = try await startFakes([FakeEndpoint(), FakeEndpoint()])
        var pool = quickPool(setAsideAfter: 2)
        pool.targetBatchSeconds = 0.001  // one small batch after another
        let engine = try await remoteEngine(fakes, home: home, pool: pool)
        let (url, lines) = try writeCorpus(60, in: home, seed: 99)
        let corpus = try CorpusLoader.load(paths: [url.path])
        // Each endpoint answers a few batches, then fails for good.
        fakes[0].inject(Array(repeating: .none, count: 3) + Array(repeating: .status(500), count: 40))
        fakes[1].inject(Array(repeating: .none, count: 3) + Array(repeating: .status(502), count: 40))
        do {
            _ = try await Workspace(engine: engine, corpus: corpus).index(task: nil)
            XCTFail("indexing went on without endpoints")
        } catch {
            let message = "\(error)"
            XCTAssertTrue(message.contains("every endpoint failed"), message)
            for f in fakes { XCTAssertTrue(message.contains("127.0.0.1:\(f.port)"), message) }
            XCTAssertTrue(message.contains("HTTP 500") && message.contains("HTTP 502"), message)
            XCTAssertTrue(message.contains("run the same command again"), message)
        }
        await stopAll(fakes)
        let stored = try EmbeddingCache.open(directory: home).stats().entries
        XCTAssertGreaterThan(stored, 0)
        XCTAssertLessThan(stored, 60)
        // The same command with the endpoints back continues where it stopped.
        let back = try await startFakes([FakeEndpoint()])
        let rerun = try await Workspace(engine: remoteEngine(back, home: home, pool: pool), corpus: corpus).index(task: nil)
        await stopAll(back)
        XCTAssertEqual(rerun.cached, stored, "every answered batch was in the cache")
        XCTAssertEqual(rerun.embedded, 60 - stored)
        assertVectors(rerun.vectors, lines.map { FakeEndpoint.vector($0, task: nil, dimension: 8) })
    }

    func testAFailingEndpointIsSetAsideAndTheOthersTakeItsWork() async throws {
        let fakes = try await startFakes([FakeEndpoint(speed: 5000), FakeEndpoint(speed: 5000)])
        let engine = try await remoteEngine(fakes, home: home, pool: quickPool(setAsideAfter: 2))
        fakes[1].inject(Array(repeating: .status(500), count: 1000))
        let (url, lines) = try writeCorpus(120, in: home, seed: 5)
        let indexed = try await Workspace(engine: engine, corpus: try CorpusLoader.load(paths: [url.path])).index(task: nil)
        await stopAll(fakes)
        assertVectors(indexed.vectors, lines.map { FakeEndpoint.vector($0, task: nil, dimension: 8) })
        XCTAssertEqual(fakes[1].embedRequests.count - 1, 2, "set aside after two failures in a row")
        let states = engine.encoder.endpoints
        XCTAssertEqual(states.map(\.state), [.up, .setAside])
        XCTAssertEqual(states[1].lastError, "HTTP 500: injected 500")
    }
}
