import XCTest
import Foundation
@testable import Server
import EmbeddingEngine
import JinaEmbeddings
import Session
import TestSupport

/// Every limit answers in the OpenAI error shape with the right status and code, never with a stack
/// trace or a path, and the server is still healthy afterwards.
final class ServerLimitTests: XCTestCase {
    private func expect(_ response: LoopbackClient.Response, _ status: Int, _ code: String, param: String? = nil,
                        file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(response.status, status, response.text, file: file, line: line)
        XCTAssertEqual(response.header("Content-Type"), "application/json", file: file, line: line)
        let error = try apiError(response)
        XCTAssertEqual(error.code, code, response.text, file: file, line: line)
        if let param { XCTAssertEqual(error.param, param, response.text, file: file, line: line) }
        XCTAssertFalse(response.text.contains("/work") || response.text.contains(".swift") || response.text.contains("Fatal"),
                       "an error leaked internals: \(response.text)", file: file, line: line)
    }

    func testMalformedInvalidAndOversizedRequestsThenHealthy() async throws {
        let (provider, _) = try Engines.jina()
        let harness = try await ServerHarness.start(provider) { c in
            c.maxBodyBytes = 64 << 10
            c.maxRequestTokens = 400
        }
        try await expect(try await harness.post("/v1/embeddings", "{\"input\": [\"a\""), 400, "invalid_json")
        let c = try await harness.client()
        try expect(try await c.send("POST", "/v1/embeddings", body: Array("{\"input\": \"".utf8) + [0xFF, 0xFE] + Array("\"}".utf8)),
                   400, "invalid_utf8")
        await c.close()
        try await expect(try await harness.post("/v1/embeddings", "[1, 2]"), 422, "invalid_type")
        try await expect(try await harness.post("/v1/embeddings", "{}"), 422, "missing_field", param: "input")
        try await expect(try await harness.post("/v1/embeddings", "{\"input\": 5}"), 422, "invalid_type", param: "input")
        try await expect(try await harness.post("/v1/embeddings", "{\"input\": []}"), 422, "invalid_value", param: "input")
        try await expect(try await harness.post("/v1/embeddings", "{\"input\": [\"a\", 3]}"), 422, "invalid_type", param: "input[1]")
        try await expect(try await harness.post("/v1/embeddings", "{\"input\": \"a\", \"dimensions\": \"32\"}"), 422, "invalid_type",
                         param: "dimensions")
        try await expect(try await harness.post("/v1/embeddings", "{\"input\": \"a\", \"normalized\": 1}"), 422, "invalid_type",
                         param: "normalized")
        try await expect(try await harness.post("/v1/embeddings", "{\"input\": \"a\", \"task\": \"retrieval\"}"), 422, "unknown_task",
                         param: "task")
        try await expect(try await harness.post("/embed", "{\"inputs\": \"a\", \"prompt_name\": \"query\"}"), 422, "unknown_task",
                         param: "prompt_name")
        try await expect(try await harness.post("/v1/embeddings", "{\"input\": \"a\", \"dimensions\": 20}"), 422,
                         "unsupported_dimensions", param: "dimensions")
        try await expect(try await harness.post("/v1/embeddings", "{\"input\": \"a\", \"embedding_type\": \"int4\"}"), 422,
                         "unsupported_embedding_type", param: "embedding_type")
        try await expect(try await harness.post("/v1/embeddings", "{\"input\": \"a\", \"encoding_format\": \"binary\"}"), 422,
                         "unsupported_encoding_format", param: "encoding_format")
        try await expect(try await harness.post("/v1/embeddings", "{\"input\": [[0, 9999999, 2]]}"), 422, "invalid_token_ids",
                         param: "input[0]")
        try await expect(try await harness.post("/v1/embeddings", "{\"input\": [[1, 2], [-1]]}"), 422, "invalid_type",
                         param: "input[1]")
        // More than 2,048 inputs, a body over the limit (refused by Content-Length), too many tokens.
        let many = try jsonString(["input": Array(repeating: "x", count: 2049)])
        try await expect(try await harness.post("/v1/embeddings", many), 413, "too_many_inputs", param: "input")
        let big = try jsonString(["input": String(repeating: "word ", count: 14000)])
        try await expect(try await harness.post("/v1/embeddings", big), 413, "body_too_large")
        let tokens = try jsonString(["input": Array(repeating: "a sentence with a few words in it", count: 40)])
        try await expect(try await harness.post("/v1/embeddings", tokens), 413, "too_many_tokens", param: "input")
        // Unknown routes and methods.
        try await expect(try await harness.get("/v2/embeddings"), 404, "not_found")
        try await expect(try await harness.get("/v1/embeddings"), 405, "method_not_allowed")

        let health = try await harness.get("/health")
        XCTAssertEqual(health.status, 200)
        let ok = try await harness.post("/v1/embeddings", "{\"input\": \"still fine\"}")
        XCTAssertEqual(ok.status, 200, ok.text)
        let lines = harness.log.all
        XCTAssertTrue(lines.contains { $0.hasPrefix("POST /v1/embeddings 413 ") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("POST /v1/embeddings 200 items=1 tokens=") }, "\(lines)")
        try await harness.stop()
    }

    func testAnOverlongInputIsNamedUnlessTruncateIsSet() async throws {
        let model = try EmbeddingModel.load(directory: try Fixtures.url("jina-e2e"))
        let provider = EngineProvider(engine: Engine(model: model, maxLength: 16, cache: nil))
        let harness = try await ServerHarness.start(provider)
        let long = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
        let body = try jsonString(["input": ["short", long], "task": "text-matching"])
        try await expect(try await harness.post("/v1/embeddings", body), 422, "input_too_long", param: "input[1]")
        let message = try apiError(try await harness.post("/v1/embeddings", body)).message
        XCTAssertTrue(message.contains("input 1") && message.contains("16"), message)
        let truncated = try await harness.post("/v1/embeddings", try jsonString(["input": ["short", long], "task": "text-matching",
                                                                                  "truncate": true]))
        XCTAssertEqual(truncated.status, 200, truncated.text)
        // The truncated input is the model's own cut at 16 tokens (<s> … </s> kept).
        let data = try XCTUnwrap(try object(truncated)["data"] as? [[String: Any]])
        let cut = try model.embed(texts: [long], task: "text-matching", maxLength: 16)[0]
        XCTAssertLessThanOrEqual(maxAbsDiff(floats(data[1]["embedding"]), cut), 1e-5)
        XCTAssertEqual(try object(truncated)["usage"].flatMap { ($0 as? [String: Any])?["prompt_tokens"] as? Int },
                       try model.tokenize("short", task: "text-matching").count + 16)
        try await harness.stop()
    }

    func testAPIKeyIsRequiredComparedAndNeverLogged() async throws {
        let harness = try await ServerHarness.start(try Engines.jina().0) { $0.apiKey = "s3cret-key" }
        try await expect(try await harness.post("/v1/embeddings", "{\"input\": \"a\"}"), 401, "invalid_api_key")
        try await expect(try await harness.post("/v1/embeddings", "{\"input\": \"a\"}", headers: [("Authorization", "Bearer s3cret-kez")]),
                         401, "invalid_api_key")
        try await expect(try await harness.get("/info", headers: [("Authorization", "Bearer s3cret-key-and-more")]), 401, "invalid_api_key")
        let ok = try await harness.post("/v1/embeddings", "{\"input\": \"a\"}", headers: [("Authorization", "Bearer s3cret-key")])
        XCTAssertEqual(ok.status, 200, ok.text)
        let value1 = try await harness.get("/health").status
        XCTAssertEqual(value1, 200, "health needs no key")
        XCTAssertFalse(harness.log.all.joined().contains("s3cret"))
        XCTAssertTrue(FrontMiddleware.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        XCTAssertFalse(FrontMiddleware.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        XCTAssertFalse(FrontMiddleware.constantTimeEqual(Array("ab".utf8), Array("abc".utf8)))
        try await harness.stop()
    }

    func testSlowBodiesTimeOutIdleConnectionsCloseAndChunkedBodiesAreCapped() async throws {
        let harness = try await ServerHarness.start(try Engines.jina().0) { c in
            c.bodyTimeout = 1
            c.idleTimeout = 2
            c.maxBodyBytes = 1000
        }
        let slow = try RawConnection(port: harness.port)
        try slow.send("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"input\": ")
        let answer = slow.receive(timeout: 5)
        XCTAssertTrue(answer.text.hasPrefix("HTTP/1.1 408"), answer.text)
        XCTAssertTrue(answer.text.contains("\"request_timeout\""), answer.text)

        let idle = try RawConnection(port: harness.port)
        let started = Date()
        XCTAssertTrue(idle.receive(timeout: 8).closed, "an idle connection is closed")
        XCTAssertLessThan(Date().timeIntervalSince(started), 7)

        // Chunked: no Content-Length to refuse early, so the limit applies while reading.
        let chunked = try RawConnection(port: harness.port)
        let chunk = String(repeating: "a", count: 800)
        try chunked.send("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                         + "320\r\n\(chunk)\r\n320\r\n\(chunk)\r\n0\r\n\r\n")
        let capped = chunked.receive(timeout: 5)
        XCTAssertTrue(capped.text.hasPrefix("HTTP/1.1 413"), capped.text)
        XCTAssertTrue(capped.text.contains("\"body_too_large\""), capped.text)
        let value2 = try await harness.get("/health").status
        XCTAssertEqual(value2, 200)
        try await harness.stop()
    }
}
