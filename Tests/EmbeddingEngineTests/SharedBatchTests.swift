import XCTest
import Foundation
@testable import EmbeddingEngine
import TestSupport

/// Rows of concurrent requests share forward passes (the server's batching), without cross-talk.
final class SharedBatchTests: XCTestCase {
    /// Holds the first forward pass on the encoder's queue until `ready()` is true (or 20 s pass), so
    /// requests submitted meanwhile are all waiting when the next batch is formed.
    /// Returns a log that has an entry once the first pass is being held.
    private func holdFirstPass(_ backend: HashingBackend, until ready: @escaping @Sendable () -> Bool) -> EventLog {
        let first = EventLog()
        backend.stats.onForward = {
            first.add("pass")
            guard first.all.count == 1 else { return }
            let deadline = Date().addingTimeInterval(20)
            while !ready() && Date() < deadline { Thread.sleep(forTimeInterval: 0.002) }
        }
        return first
    }

    func testConcurrentRequestsWithDifferentTasksShareOnePassAndGetTheirOwnVectors() async throws {
        let backend = HashingBackend()
        let service = EncoderService(backend: backend)
        let batches = BatchLog()
        service.load.addObserver { batches.add($0) }
        let held = holdFirstPass(backend) { service.load.queuedRows == 8 }
        let tasks: [String?] = ["retrieval.query", "retrieval.passage", "text-matching", nil,
                                "retrieval.query", nil, "text-matching", "retrieval.passage"]
        let blocker = Task { try await service.embed(texts: ["the first request"], task: nil, priority: .interactive) }
        try await waitUntil { !held.all.isEmpty }
        let answers = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (i, task) in tasks.enumerated() {
                group.addTask {
                    (i, try await service.embed(texts: ["text number \(i) about cats"], task: task, priority: .interactive)[0])
                }
            }
            var out: [Int: [Float]] = [:]
            for try await (i, v) in group { out[i] = v }
            return out
        }
        _ = try await blocker.value
        // Each answer is its own text's vector under its own task (computed alone, independently).
        for (i, task) in tasks.enumerated() {
            let ids = try backend.tokenIDs("text number \(i) about cats", task: task, applyPrefix: true)
            let alone = try backend.embed(ids: [ids], tasks: [task], normalize: true, shouldCancel: { false })[0]
            XCTAssertEqual(try XCTUnwrap(answers[i]), alone, "request \(i) (\(task ?? "none"))")
        }
        XCTAssertEqual(batches.all.count, 2, "the eight waiting requests went through one forward pass")
        XCTAssertEqual(batches.all.last?.requests, 8)
        XCTAssertEqual(batches.all.last?.rows, 8)
        XCTAssertEqual(service.load.queuedRows, 0)
        XCTAssertEqual(service.load.requestsInFlight, 0)
    }

    func testBulkRequestsTakeTurnsSoASmallOneIsNotStuckBehindALargeOne() async throws {
        let backend = HashingBackend(delayPerBatch: 0.005)
        let service = EncoderService(backend: backend, tokenBudget: 16, maxRows: 2)
        let log = EventLog()
        let large = Task {
            _ = try await service.embed(texts: (0..<200).map { "large request text \($0)" }, task: nil, priority: .bulk)
            log.add("large done at \(backend.stats.textsEmbedded)")
        }
        try await waitUntil { backend.stats.textsEmbedded >= 4 }
        _ = try await service.embed(texts: (0..<6).map { "small \($0)" }, task: nil, priority: .bulk)
        log.add("small done at \(backend.stats.textsEmbedded)")
        try await large.value
        let events = log.all
        XCTAssertEqual(events.count, 2)
        XCTAssertTrue(events[0].hasPrefix("small done"), "\(events)")
        let doneAtSmall = Int(events[0].split(separator: " ").last ?? "") ?? 200
        XCTAssertLessThan(doneAtSmall, 60, "the small request waited for most of the large one: \(events)")
    }

    func testCancellingAQueuedRequestLeavesTheOthersInItsBatchAnswered() async throws {
        let backend = HashingBackend()
        let service = EncoderService(backend: backend)
        // The first pass is held until the three requests are queued and one of them is cancelled.
        let cancelled = EventLog()
        let held = holdFirstPass(backend) { !cancelled.all.isEmpty }
        let blocker = Task { try await service.embed(texts: ["blocker"], task: nil, priority: .interactive) }
        try await waitUntil { !held.all.isEmpty }
        let keep1 = Task { try await service.embed(texts: ["kept one"], task: "text-matching", priority: .interactive) }
        let dropped = Task { try await service.embed(texts: ["dropped"], task: nil, priority: .interactive) }
        let keep2 = Task { try await service.embed(texts: ["kept two"], task: nil, priority: .interactive) }
        try await waitUntil { service.load.queuedRows == 3 }
        dropped.cancel()
        cancelled.add("dropped")
        _ = try await blocker.value
        let v1 = try await keep1.value, v2 = try await keep2.value
        do {
            _ = try await dropped.value
            XCTFail("a cancelled request delivered")
        } catch is CancellationError {}
        XCTAssertEqual(backend.stats.textsEmbedded, 3, "the cancelled request's row never reached the model")
        let alone = { (text: String, task: String?) in
            try backend.embed(ids: [try backend.tokenIDs(text, task: task, applyPrefix: true)], tasks: [task],
                              normalize: true, shouldCancel: { false })[0]
        }
        XCTAssertEqual(v1[0], try alone("kept one", "text-matching"))
        XCTAssertEqual(v2[0], try alone("kept two", nil))
    }

    func testTokenIDItemsAndUnnormalizedRequestsAreEmbeddedAsGiven() async throws {
        let backend = HashingBackend()
        let service = EncoderService(backend: backend)
        let ids: [Int32] = [0, 17, 99, 2]
        let raw = try await service.embed([EmbeddingItem(ids: ids)], task: "text-matching", normalize: false,
                                          priority: .interactive)[0][0]
        XCTAssertEqual(raw, try backend.embed(ids: [ids], tasks: ["text-matching"], normalize: false, shouldCancel: { false })[0])
        let norm = (raw.reduce(0) { $0 + $1 * $1 }).squareRoot()
        XCTAssertGreaterThan(abs(norm - 1), 1e-3, "not normalized")
        do {
            _ = try await service.embed([EmbeddingItem(ids: [0, -5, 2])], task: nil, priority: .interactive)
            XCTFail("ids outside the vocabulary were embedded")
        } catch {
            XCTAssertFalse(error is CancellationError)
        }
    }

    func testWorkQueueMergesRequestsOfALaneAndKeepsNormalizeGroupsApart() {
        var queue = WorkQueue()
        queue.add(id: 1, lane: .interactive, tokens: [5, 3], late: [false, false], normalize: true, sortByLength: false)
        queue.add(id: 2, lane: .bulk, tokens: [4], late: [false], normalize: true, sortByLength: true)
        queue.add(id: 3, lane: .interactive, tokens: [6], late: [false], normalize: true, sortByLength: false)
        queue.add(id: 4, lane: .interactive, tokens: [2], late: [false], normalize: false, sortByLength: false)
        XCTAssertEqual(queue.queuedRows, 5)
        XCTAssertEqual(queue.queuedTokens, 20)
        let budget: (RequestPriority) -> Int = { _ in 100 }
        let first = queue.next(budget: budget, maxRows: 8)
        XCTAssertEqual(first?.lane, .interactive)
        XCTAssertEqual(first?.rows.map { "\($0.request):\($0.item)" }, ["1:0", "1:1", "3:0"])
        XCTAssertEqual(queue.next(budget: budget, maxRows: 8)?.rows.map(\.request), [4], "normalize=false alone")
        XCTAssertEqual(queue.next(budget: budget, maxRows: 8)?.lane, .bulk, "bulk only once interactive is empty")
        XCTAssertNil(queue.next(budget: budget, maxRows: 8))
        XCTAssertEqual(queue.queuedRows, 0)
        XCTAssertEqual(queue.queuedTokens, 0)
    }
}

final class BatchLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [EncoderBatch] = []
    func add(_ b: EncoderBatch) { lock.withLock { items.append(b) } }
    var all: [EncoderBatch] { lock.withLock { items } }
}
