import XCTest
import Foundation
@testable import EmbeddingEngine
import TestSupport

/// A thread-safe list of events, to observe ordering across tasks.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.withLock { items.append(s) } }
    var all: [String] { lock.withLock { items } }
}

final class EncoderServiceTests: XCTestCase {
    func testEmbedsLikeTheBackendInOrder() async throws {
        let backend = HashingBackend()
        let service = EncoderService(backend: backend, tokenBudget: 64, maxRows: 4)
        let texts = (0..<23).map { i in String(repeating: "word\(i) ", count: 1 + (i * 7) % 11) }
        let vectors = try await service.embed(texts: texts, task: "text-matching", priority: .bulk)
        XCTAssertEqual(vectors.count, texts.count)
        // Each result must be the vector of *its* text, whatever the batch order was.
        for (i, text) in texts.enumerated() {
            let ids = try backend.tokenIDs(text, task: "text-matching", applyPrefix: true)
            let alone = try backend.embed(ids: [ids], tasks: ["text-matching"], normalize: true, shouldCancel: { false })[0]
            XCTAssertEqual(maxAbsDiff(vectors[i], alone), 0, "text \(i)")
        }
        XCTAssertGreaterThan(backend.stats.batches, 23 / 4, "batches are bounded by rows and tokens")
    }

    func testLateChunkedItemsGetOneVectorPerChunk() async throws {
        let service = EncoderService(backend: HashingBackend())
        let text = "First sentence here. Second one follows. Third."
        let out = try await service.embed([EmbeddingItem(text: text, chunks: [0..<20, 21..<40, 41..<47]),
                                           EmbeddingItem(text: "plain")], task: nil, priority: .bulk)
        XCTAssertEqual(out.map(\.count), [3, 1])
    }

    func testTheActorRunsOnItsQueueAndTheCallerStaysFree() async throws {
        let backend = HashingBackend(delayPerBatch: 0.05)
        let service = EncoderService(backend: backend, tokenBudget: 16, maxRows: 1)
        let onQueue = EventLog()
        let executor = service.executor
        backend.stats.onForward = {
            dispatchPrecondition(condition: .onQueue(executor.queue))
            onQueue.add(executor.isCurrent ? "queue" : "elsewhere")
        }
        XCTAssertFalse(executor.isCurrent)
        let job = Task { try await service.embed(texts: (0..<10).map { "text \($0)" }, task: nil, priority: .bulk) }
        // While the queue sleeps in batches, this task keeps running and reads progress without waiting.
        var reads = 0
        let start = Date()
        while service.progress.textsDone < 10 && Date().timeIntervalSince(start) < 10 {
            let t0 = Date()
            _ = service.progress
            XCTAssertLessThan(Date().timeIntervalSince(t0), 0.02, "reading progress must not wait for a batch")
            reads += 1
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        _ = try await job.value
        XCTAssertGreaterThan(reads, 5, "the caller kept running during the bulk job")
        XCTAssertEqual(onQueue.all, Array(repeating: "queue", count: 10))
    }

    func testInteractiveRequestSubmittedDuringBulkFinishesFirst() async throws {
        let backend = HashingBackend(delayPerBatch: 0.03)
        let service = EncoderService(backend: backend, tokenBudget: 32, maxRows: 2)
        let log = EventLog()
        let bulk = Task {
            let v = try await service.embed(texts: (0..<40).map { "bulk text number \($0)" }, task: nil, priority: .bulk)
            log.add("bulk done")
            return v
        }
        while service.progress.textsDone == 0 { try await Task.sleep(nanoseconds: 2_000_000) }
        let query = try await service.embed(texts: ["the query"], task: "retrieval.query", priority: .interactive)
        log.add("query done at \(service.progress.textsDone)")
        XCTAssertEqual(query.count, 1)
        _ = try await bulk.value
        let events = log.all
        XCTAssertEqual(events.count, 2)
        XCTAssertTrue(events[0].hasPrefix("query done"), "\(events)")
        // The query did not wait for the bulk job: at most a couple of batches ran meanwhile.
        let doneAtQuery = Int(events[0].split(separator: " ").last ?? "") ?? 40
        XCTAssertLessThan(doneAtQuery, 10, "\(events)")
        XCTAssertNotNil(service.progress.lastLatency)
    }

    func testCancelledRequestNeverDelivers() async throws {
        let backend = HashingBackend(delayPerBatch: 0.05)
        let service = EncoderService(backend: backend, tokenBudget: 16, maxRows: 1)
        let delivered = EventLog()
        let job = Task {
            let v = try await service.embed(texts: (0..<20).map { "t\($0)" }, task: nil, priority: .bulk)
            delivered.add("delivered \(v.count)")
        }
        while service.progress.textsDone < 2 { try await Task.sleep(nanoseconds: 2_000_000) }
        job.cancel()
        do {
            try await job.value
            XCTFail("a cancelled request returned a result")
        } catch is CancellationError {
        } catch {
            XCTFail("expected CancellationError, got \(error)")
        }
        XCTAssertEqual(delivered.all, [])
        XCTAssertLessThan(backend.stats.batches, 20, "cancellation stopped the work")
        XCTAssertFalse(service.progress.isActive, "abandoned work leaves the totals reachable")
    }

    func testSupersededQueryNeverDelivers() async throws {
        let backend = HashingBackend(delayPerBatch: 0.4, layers: 40)
        let service = EncoderService(backend: backend)
        let first = Task {
            try await service.embed([EmbeddingItem(text: "old query")], task: nil, priority: .interactive,
                                    supersedingKey: "search", onBatch: nil)
        }
        try await Task.sleep(nanoseconds: 30_000_000)  // the first is now inside its forward pass
        let t0 = Date()
        let second = try await service.embed([EmbeddingItem(text: "new query")], task: nil, priority: .interactive,
                                              supersedingKey: "search", onBatch: nil)
        XCTAssertEqual(second.count, 1)
        do {
            _ = try await first.value
            XCTFail("the superseded query delivered")
        } catch is CancellationError {}
        // The old forward pass stopped at a layer boundary instead of running its full 0.4 s.
        XCTAssertLessThan(Date().timeIntervalSince(t0), 0.75)
        XCTAssertEqual(backend.stats.batches, 1, "only the new query completed a forward pass")
    }

    func testCancelRequestBySupersedingKey() async throws {
        let backend = HashingBackend(delayPerBatch: 0.3, layers: 30)
        let service = EncoderService(backend: backend)
        let pending = Task {
            try await service.embed([EmbeddingItem(text: "typed")], task: nil, priority: .interactive,
                                    supersedingKey: "search", onBatch: nil)
        }
        try await Task.sleep(nanoseconds: 30_000_000)
        service.cancelRequest(supersedingKey: "search")
        do {
            _ = try await pending.value
            XCTFail("a cancelled query delivered")
        } catch is CancellationError {}
        XCTAssertEqual(backend.stats.batches, 0, "the forward pass stopped at a layer boundary")
    }

    func testProgressReachesOneHundredPercentAndIsObservable() async throws {
        let service = EncoderService(backend: HashingBackend(delayPerBatch: 0.005), tokenBudget: 24, maxRows: 3)
        let seen = EventLog()
        let stream = service.progressUpdates()
        let reader = Task {
            var last = EncoderProgress()
            for await p in stream {
                last = p
                seen.add("\(p.textsDone)/\(p.textsTotal)")
                if p.textsTotal == 30 && p.textsDone == 30 { break }
            }
            return last
        }
        let texts = (0..<30).map { "some text \($0) " + String(repeating: "x ", count: $0 % 5) }
        _ = try await service.embed(texts: texts, task: nil, priority: .bulk)
        let final = service.progress
        XCTAssertEqual(final.textsDone, 30)
        XCTAssertEqual(final.textsTotal, 30)
        XCTAssertEqual(final.tokensDone, final.tokensTotal)
        XCTAssertGreaterThan(final.tokensTotal, 30 * 3)
        XCTAssertEqual(final.fraction, 1)
        XCTAssertFalse(final.isActive)
        XCTAssertGreaterThan(final.tokensPerSecond, 0)
        let last = await reader.value
        XCTAssertEqual(last.textsDone, 30)
        XCTAssertGreaterThan(seen.all.count, 2, "intermediate updates were observed")
    }

    func testBulkBatchesAreSizedFromTheMeasuredSpeed() async throws {
        // 20,000 tokens/s (or slower when the machine is busy: sleeps only overrun), 0.02 s per batch
        // → at most about 400 tokens per batch once the speed is known, instead of the 8,192 budget.
        let backend = HashingBackend(delayPerToken: 1.0 / 20_000)
        let service = EncoderService(backend: backend, tokenBudget: 8192, maxRows: 1000,
                                     targetBatchSeconds: 0.02, minimumBatchTokens: 64)
        let texts = (0..<600).map { "text \($0) with a few words" }
        _ = try await service.embed(texts: texts, task: nil, priority: .bulk)
        let sizes = backend.stats.batchTokens
        XCTAssertEqual(sizes.reduce(0, +), try texts.reduce(0) { $0 + (try backend.tokenIDs($1, task: nil, applyPrefix: true)).count })
        XCTAssertLessThanOrEqual(sizes[0], 64, "the first batch uses the minimum budget")
        XCTAssertLessThanOrEqual(sizes.max() ?? 0, 400 + 10, "\(sizes)")
        XCTAssertGreaterThan(sizes.count, 600 * 9 / 410, "\(sizes)")
        // An interactive request is not split: one forward pass.
        let before = backend.stats.batches
        _ = try await service.embed(texts: Array(texts.prefix(200)), task: nil, priority: .interactive)
        XCTAssertEqual(backend.stats.batches - before, 1)
    }

    func testBatchPlannerSortsPacksAndIsolatesLateChunks() {
        let counts = [10, 3, 50, 4, 200, 9]
        let late = [false, false, false, false, false, true]
        let plan = BatchPlanner.plan(tokenCounts: counts, lateChunked: late, tokenBudget: 40, maxRows: 3)
        // sorted plain: 1(3) 3(4) 0(10) 2(50) 4(200); [1,3,0]: 3×10 = 30 ≤ 40; 50 and 200 exceed it alone.
        XCTAssertEqual(plan, [[1, 3, 0], [2], [4], [5]])
    }
}
