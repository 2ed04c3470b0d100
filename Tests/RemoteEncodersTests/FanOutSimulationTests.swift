import Corpus
import EmbeddingEngine
import EndpointImitation
import Foundation
import RemoteEncoders
import Session
import TestSupport
import XCTest

/// Eight fake endpoints of different speeds on loopback (they sleep, one request at a time), one of which
/// dies a second in: the fan-out keeps the live ones busy (by their own busy time) and finishes close to
/// the ideal time, the work divided by the sum of the speeds.
final class FanOutSimulationTests: XCTestCase {
    func testEightEndpointsOneDyingStayBusyAndFinishNearTheIdealTime() async throws {
        let home = try Fixtures.temporaryDirectory("loupe-fanout")
        defer { try? FileManager.default.removeItem(at: home) }
        // Under the sanitizers (LOUPE_TEST_TIMEOUT_SCALE > 1) the client's own work runs several times slower,
        // so the endpoints are made slower by up to 3× and every time with them: the same shares, measured
        // on a client whose overhead is as small a part of the run as in the plain build.
        let slow = min(3, max(1, ProcessInfo.processInfo.environment["LOUPE_TEST_TIMEOUT_SCALE"].flatMap(Double.init) ?? 1))
        let speeds: [Double] = [800, 1200, 1600, 2000, 2400, 3000, 3600, 4400].map { $0 / slow }  // tokens/s; sum 19,000
        let dying = 3, deathAt = 1.0 * slow
        let fakes = try await startFakes(speeds.map { FakeEndpoint(speed: $0) })
        var pool = quickPool(setAsideAfter: 2)
        pool.targetBatchSeconds = 0.1 * slow
        let engine = try await remoteEngine(fakes, home: nil, pool: pool)
        // About 6 s of work for the seven that live: 4,800 documents of 22 tokens each (long enough that the
        // first batches, sized before any speed is known, and the last ones are a small part of it).
        let (url, _) = try writeCorpus(4800, words: 20, in: home, seed: 11)
        let corpus = try CorpusLoader.load(paths: [url.path])
        let busyBefore = fakes.map(\.busySeconds)

        let start = ProcessInfo.processInfo.systemUptime
        let killer = Task {
            try await Task.sleep(nanoseconds: UInt64(deathAt * 1e9))
            await fakes[dying].die()
        }
        let indexed = try await Workspace(engine: engine, corpus: corpus).index(task: nil)
        let end = ProcessInfo.processInfo.systemUptime
        // The fan-out is timed from the first batch an endpoint receives (each one's first request was its
        // probe): before it the client plans the corpus and hashes its cache keys, which is no endpoint's work.
        let firstSent = try XCTUnwrap(fakes.flatMap { $0.embedRequests.dropFirst() }.map(\.received).min())
        let elapsed = end - firstSent
        try await killer.value
        await stopAll(fakes)

        XCTAssertEqual(indexed.embedded, 4800)
        let work = Double(corpus.documents.reduce(0) { $0 + FakeEndpoint.tokens($1.text) })
        let doneByTheDead = Double(fakes[dying].embedRequests.filter { $0.answered != nil && $0.received > 0 }
            .dropFirst().reduce(0) { $0 + $1.inputs.reduce(0) { $0 + FakeEndpoint.tokens($1) } })
        let live = speeds.indices.filter { $0 != dying }
        let ideal = (work - doneByTheDead) / live.reduce(0) { $0 + speeds[$1] }
        let busy = live.map { (fakes[$0].busySeconds - busyBefore[$0]) / elapsed }
        print(String(format: "fan-out: %.0f tokens, %.2f s (ideal %.2f s, ratio %.3f; %.2f s with the client's planning); "
                     + "live endpoints busy %@", work, elapsed, ideal, elapsed / ideal, end - start,
                     busy.map { String(format: "%.1f%%", $0 * 100) }.joined(separator: " ")))
        XCTAssertLessThanOrEqual(elapsed, ideal * 1.15, "within 15 % of the sum-of-speeds ideal")
        for (k, e) in live.enumerated() {
            XCTAssertGreaterThanOrEqual(busy[k], 0.90, "endpoint \(e) (\(speeds[e]) tokens/s) was busy \(busy[k] * 100) %")
        }
        XCTAssertEqual(engine.encoder.endpoints[dying].state, .setAside)
    }
}
