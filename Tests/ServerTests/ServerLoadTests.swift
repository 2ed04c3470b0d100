import XCTest
import Foundation
@testable import Server
import Corpus
import EmbeddingEngine
import JinaEmbeddings
import Session
import TestSupport

/// The server under load and at its edges: a full queue (429), a client that hangs up (its work is
/// cancelled), a shutdown with a request in flight (it finishes, new ones get 503), the cache, and late
/// chunking against an independent pooling of the model's token states.
final class ServerLoadTests: XCTestCase {
    /// A deterministic stand-in encoder that takes `delay` seconds per forward pass.
    private func slowProvider(delay: Double) -> (EngineProvider, HashingBackend) {
        let backend = HashingBackend(delayPerBatch: delay, layers: 10)
        let service = EncoderService(backend: backend, tokenBudget: 64, maxRows: 8, minimumBatchTokens: 64)
        return (EngineProvider(engine: Engine(encoder: service, cache: nil)), backend)
    }

    private func texts(_ n: Int, _ tag: String) -> [String] { (0..<n).map { "\(tag) text number \($0)" } }

    func testAFullQueueAnswers429WithRetryAfterAndRecovers() async throws {
        let (provider, backend) = slowProvider(delay: 0.05)
        let harness = try await ServerHarness.start(provider) { $0.maxQueuedTokens = 1500 }
        let bulk = try jsonString(["input": texts(200, "bulk")])
        let first = Task { try await harness.post("/v1/embeddings", bulk) }
        try await waitUntil { provider.load.queuedTokens > 0 }
        let refused = try await harness.post("/v1/embeddings", try jsonString(["input": texts(200, "second")]))
        XCTAssertEqual(refused.status, 429, refused.text)
        XCTAssertEqual(try apiError(refused).code, "queue_full")
        XCTAssertGreaterThanOrEqual(Int(refused.header("Retry-After") ?? "") ?? 0, 1)
        let value1 = try await first.value.status
        XCTAssertEqual(value1, 200)
        XCTAssertEqual(backend.stats.textsEmbedded, 200, "the refused request never reached the encoder")
        let value2 = try await harness.post("/v1/embeddings", try jsonString(["input": texts(200, "second")])).status
        XCTAssertEqual(value2, 200)
        try await harness.stop()
    }

    func testAShortRequestIsAnsweredWhileA2000InputRequestIsStillRunning() async throws {
        let (provider, backend) = slowProvider(delay: 0.02)
        let harness = try await ServerHarness.start(provider)
        let bulkBody = try jsonString(["input": texts(2000, "bulk")])
        let bulk = Task { try await harness.post("/v1/embeddings", bulkBody) }
        try await waitUntil { backend.stats.textsEmbedded > 0 }
        let short = try await harness.post("/v1/embeddings", "{\"input\": \"a short query\", \"task\": \"retrieval.query\"}")
        XCTAssertEqual(short.status, 200, short.text)
        let doneWhenAnswered = backend.stats.textsEmbedded
        XCTAssertLessThan(doneWhenAnswered, 1000, "the short request waited for most of the bulk one")
        let value = try await bulk.value
        XCTAssertEqual(value.status, 200)
        XCTAssertEqual(backend.stats.textsEmbedded, 2001)
        try await harness.stop()
    }

    func testAClientThatHangsUpCancelsItsWork() async throws {
        let (provider, backend) = slowProvider(delay: 0.03)
        let harness = try await ServerHarness.start(provider)
        let body = try jsonString(["input": texts(2000, "abandoned")])
        let connection = try RawConnection(port: harness.port)
        try connection.send("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: \(body.utf8.count)\r\n\r\n" + body)
        try await waitUntil { backend.stats.textsEmbedded >= 16 }
        connection.hangUp()
        let deadline = Date().addingTimeInterval(10)
        while !harness.log.all.contains(where: { $0.hasPrefix("POST /v1/embeddings 499") }) && Date() < deadline {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        XCTAssertTrue(harness.log.all.contains { $0.hasPrefix("POST /v1/embeddings 499 items=2000") }, "\(harness.log.all)")
        let stopped = backend.stats.textsEmbedded
        try await Task.sleep(nanoseconds: 300_000_000)
        XCTAssertEqual(backend.stats.textsEmbedded, stopped, "the encoder stopped working on it")
        XCTAssertLessThan(stopped, 2000)
        XCTAssertEqual(provider.load.requestsInFlight, 0)
        let value3 = try await harness.post("/v1/embeddings", "{\"input\": \"next\"}").status
        XCTAssertEqual(value3, 200)
        try await harness.stop()
    }

    func testShutdownFinishesTheRequestInFlightAndRefusesNewOnes() async throws {
        let (provider, backend) = slowProvider(delay: 0.02)
        let harness = try await ServerHarness.start(provider)
        let flight = try jsonString(["input": texts(300, "flight")])
        let inFlight = Task { try await harness.post("/v1/embeddings", flight) }
        try await waitUntil { backend.stats.textsEmbedded > 0 }
        // A request whose body is still arriving when the shutdown starts.
        let late = try RawConnection(port: harness.port)
        try late.send("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n{\"input\":")
        try await Task.sleep(nanoseconds: 100_000_000)
        await harness.server.shutdown()
        try await Task.sleep(nanoseconds: 200_000_000)
        try late.send(" \"late\"}")
        let refused = late.receive(timeout: 10)
        XCTAssertTrue(refused.text.hasPrefix("HTTP/1.1 503"), refused.text)
        XCTAssertTrue(refused.text.contains("\"shutting_down\""), refused.text)
        let finished = try await inFlight.value
        XCTAssertEqual(finished.status, 200, finished.text)
        XCTAssertEqual((try object(finished)["data"] as? [Any])?.count, 300)
        try await harness.stop()
        XCTAssertThrowsError(try RawConnection(port: harness.port), "the listener is closed")
    }

    func testARepeatedTextComesFromTheCache() async throws {
        let dir = try Fixtures.temporaryDirectory("loupe-serve-cache")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (provider, model) = try Engines.jina(cacheDirectory: dir)
        let harness = try await ServerHarness.start(provider)
        let body = try jsonString(["input": ["a cached sentence", "another one"], "task": "retrieval.query"])
        let first = try await harness.post("/v1/embeddings", body)
        let computed = try await metric(harness, "loupe_encoder_rows_total")
        let second = try await harness.post("/v1/embeddings", body)
        let value4 = try await metric(harness, "loupe_encoder_rows_total")
        XCTAssertEqual(value4, computed, "nothing was computed the second time")
        let value5 = try await metric(harness, "loupe_inputs_total")
        XCTAssertEqual(value5, 4)
        XCTAssertEqual(first.body, second.body)
        let direct = try model.embed(texts: ["a cached sentence"], task: "retrieval.query")[0]
        XCTAssertLessThanOrEqual(maxAbsDiff(floats((try object(second)["data"] as? [[String: Any]])?[0]["embedding"]), direct), 1e-6)
        try await harness.stop()
    }

    /// Late chunking = one pass over the chunks joined by a space; each chunk's vector is the mean of the
    /// token states that start inside it (its separator included), computed here from the model directly.
    func testLateChunkingPoolsEachChunkOfOneDocument() async throws {
        let (provider, model) = try Engines.jina()
        let harness = try await ServerHarness.start(provider)
        let chunks = ["The printing press changed Europe.", "Books became cheap and plentiful.", "Literacy spread quickly."]
        let task = "retrieval.passage"
        let response = try await harness.post("/v1/embeddings", try jsonString(["input": chunks, "task": task, "late_chunking": true]))
        XCTAssertEqual(response.status, 200, response.text)
        let got = try XCTUnwrap(try object(response)["data"] as? [[String: Any]]).map { floats($0["embedding"]) }

        let tokenizer = try XCTUnwrap(model.tokenizer)
        let prefix = model.instruction(for: task)
        let document = chunks.joined(separator: " ")
        let encoding = tokenizer.encode(prefix + document, addSpecialTokens: true)
        let states = try model.tokenStates(ids: encoding.ids, task: task)
        let d = model.hiddenSize, shift = prefix.unicodeScalars.count
        var start = 0
        for (i, chunk) in chunks.enumerated() {
            let span = (i == 0 ? 0 : start - 1)..<(start + chunk.unicodeScalars.count)
            start = span.upperBound + 1
            let members = encoding.offsets.indices.filter { t in
                encoding.specialTokensMask[t] == 0 && encoding.offsets[t].lowerBound >= shift
                    && span.contains(encoding.offsets[t].lowerBound - shift)
            }
            XCTAssertFalse(members.isEmpty)
            var mean = [Float](repeating: 0, count: d)
            for t in members { for j in 0..<d { mean[j] += states[t * d + j] / Float(members.count) } }
            let norm = mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
            XCTAssertLessThanOrEqual(maxAbsDiff(got[i], mean.map { $0 / norm }), 1e-5, "chunk \(i)")
            // Not the chunk embedded on its own: late chunking saw the whole document.
            XCTAssertGreaterThan(maxAbsDiff(got[i], try model.embed(texts: [chunk], task: task)[0]), 1e-3)
        }
        let refused = try await harness.post("/v1/embeddings", try jsonString(["input": [[0, 5, 2]], "late_chunking": true]))
        XCTAssertEqual(refused.status, 422)
        try await harness.stop()
    }

    private func metric(_ harness: ServerHarness, _ name: String) async throws -> Double {
        let text = try await harness.get("/metrics").text
        let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix(name + " ") }, text)
        return try XCTUnwrap(Double(line.split(separator: " ")[1]))
    }
}

