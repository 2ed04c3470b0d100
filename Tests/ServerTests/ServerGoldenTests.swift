import XCTest
import Foundation
@testable import Server
import JinaEmbeddings
import TestSupport

/// `POST /v1/embeddings` and `POST /embed` through HTTP against the reference goldens of jina-e2e
/// (`encode(texts, task=T, truncate_dim=k)` from Jina's own code): every task, Matryoshka sizes, the
/// base64 / binary / ubinary encodings (bit layout checked against an independent packing of the
/// golden floats), token-id inputs, and concurrent mixed-task requests (no cross-talk).
final class ServerGoldenTests: XCTestCase {
    private var harness: ServerHarness!
    private var cases: [[String: Any]] = []

    override func setUp() async throws {
        let golden = try XCTUnwrap(try Fixtures.json("jina-e2e/golden_text.json") as? [String: Any])
        cases = try XCTUnwrap(golden["cases"] as? [[String: Any]])
        harness = try await ServerHarness.start(try Engines.jina().0)
    }

    override func tearDown() async throws { try await harness?.stop() }

    private func golden(_ c: [String: Any], dims: Int?) -> [Float] {
        dims.map { floats((c["truncated"] as? [String: Any])?[String($0)]) } ?? floats(c["embedding"])
    }

    private func embeddings(_ response: LoopbackClient.Response) throws -> [Any] {
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(response.header("Content-Type"), "application/json")
        let body = try object(response)
        XCTAssertEqual(body["object"] as? String, "list")
        XCTAssertEqual(body["model"] as? String, "jina-e2e")
        let data = try XCTUnwrap(body["data"] as? [[String: Any]])
        XCTAssertEqual(data.map { $0["index"] as? Int }, data.indices.map { $0 })
        XCTAssertTrue(data.allSatisfy { $0["object"] as? String == "embedding" })
        return data.map { $0["embedding"] as Any }
    }

    func testEveryTaskAndMatryoshkaSizeMatchesTheReference() async throws {
        for task in ["none", "retrieval.query", "retrieval.passage", "separation", "classification", "text-matching"] {
            let picked = cases.filter { $0["task"] as? String == task }
            XCTAssertEqual(picked.count, 25)
            for dims in [nil, 16, 32, 48] as [Int?] {
                // All 25 texts at full size; a shorter mix (the 787-token text is slow in debug builds) per size.
                let picked = dims == nil ? picked : picked.filter { ($0["n_tokens"] as? Int ?? 0) < 100 }
                var request: [String: Any] = ["input": picked.map { $0["text"] as Any }, "model": "jina-embeddings-v3"]
                if task != "none" { request["task"] = task }
                if let dims { request["dimensions"] = dims }
                let response = try await harness.post("/v1/embeddings", try jsonString(request))
                let got = try embeddings(response)
                XCTAssertEqual(got.count, picked.count)
                XCTAssertGreaterThan(got.count, 15)
                for (g, c) in zip(got, picked) {
                    XCTAssertLessThanOrEqual(maxAbsDiff(floats(g), golden(c, dims: dims)), 1e-4, "\(task) \(c["id"] ?? "") \(dims ?? 64)")
                }
                let usage = try XCTUnwrap(try object(response)["usage"] as? [String: Any])
                XCTAssertEqual(usage["prompt_tokens"] as? Int, picked.reduce(0) { $0 + ($1["n_tokens"] as? Int ?? 0) })
                XCTAssertEqual(usage["total_tokens"] as? Int, usage["prompt_tokens"] as? Int)
            }
        }
    }

    func testBase64BinaryAndUbinaryEncodings() async throws {
        let picked = cases.filter { $0["task"] as? String == "retrieval.passage" }.prefix(6)
        let request: [String: Any] = ["input": picked.map { ["text": $0["text"] as Any] }, "task": "retrieval.passage",
                                      "dimensions": 48, "embedding_type": ["float", "base64", "binary", "ubinary"]]
        let got = try embeddings(try await harness.post("/v1/embeddings", try jsonString(request)))
        for (g, c) in zip(got, picked) {
            let e = try XCTUnwrap(g as? [String: Any])
            let want = golden(c, dims: 48)
            XCTAssertLessThanOrEqual(maxAbsDiff(floats(e["float"]), want), 1e-4)
            // base64: little-endian float32, decoded independently.
            let data = try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(e["base64"] as? String)))
            XCTAssertEqual(data.count, 48 * 4)
            let decoded = (0..<48).map { i in
                Float(bitPattern: data[(i * 4)..<(i * 4 + 4)].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) })
            }
            XCTAssertLessThanOrEqual(maxAbsDiff(decoded, want), 1e-4)
            // ubinary: numpy.packbits(x > 0): 6 bytes, dimension 0 in the high bit of byte 0; binary = ubinary - 128.
            let ubinary = ints(e["ubinary"]), binary = ints(e["binary"])
            XCTAssertEqual(ubinary.count, 6)
            XCTAssertEqual(binary, ubinary.map { $0 - 128 })
            for (i, x) in want.enumerated() where abs(x) > 1e-3 {  // a value this close to 0 could flip sign
                let bit = (ubinary[i / 8] >> (7 - i % 8)) & 1
                XCTAssertEqual(bit, x > 0 ? 1 : 0, "\(c["id"] ?? "") dimension \(i)")
            }
        }
        // OpenAI's encoding_format base64 (a single type: a string, not an object).
        let one = try embeddings(try await harness.post("/v1/embeddings",
            try jsonString(["input": picked.first?["text"] as Any, "encoding_format": "base64", "task": "retrieval.passage"])))
        XCTAssertEqual(Data(base64Encoded: try XCTUnwrap(one.first as? String))?.count, 64 * 4)
    }

    func testTokenIDInputsAndTheTEIRoute() async throws {
        let picked = cases.filter { $0["task"] as? String == "text-matching" }.prefix(5)
        // OpenAI token-id arrays: embedded as given (the golden ids include <s> and </s>).
        let ids = try embeddings(try await harness.post("/v1/embeddings",
            try jsonString(["input": picked.map { $0["input_ids"] as Any }, "task": "text-matching", "dimensions": 32])))
        for (g, c) in zip(ids, picked) { XCTAssertLessThanOrEqual(maxAbsDiff(floats(g), golden(c, dims: 32)), 1e-4) }
        // text-embeddings-inference: prompt_name is the task, the answer is [[float]].
        let tei = try await harness.post("/embed", try jsonString(["inputs": picked.map { $0["text"] as Any },
                                                                   "prompt_name": "text-matching", "dimensions": 16]))
        XCTAssertEqual(tei.status, 200, tei.text)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(tei.body)) as? [Any])
        for (g, c) in zip(rows, picked) { XCTAssertLessThanOrEqual(maxAbsDiff(floats(g), golden(c, dims: 16)), 1e-4) }
    }

    func testConcurrentMixedTaskRequestsEachGetTheirOwnTextsVector() async throws {
        let picked = Array(cases.filter { ($0["n_tokens"] as? Int ?? 0) < 200 }.shuffled(using: &rng).prefix(48))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (n, c) in picked.enumerated() {
                let harness = self.harness!
                let task = c["task"] as? String ?? "none"
                let dims = [16, 32, 48][n % 3]
                let body = try jsonString(["input": [c["text"] as Any], "task": task, "dimensions": dims])
                let want = golden(c, dims: dims)
                let label = "\(c["id"] ?? "") \(task)"
                group.addTask {
                    let response = try await harness.post("/v1/embeddings", body)
                    XCTAssertEqual(response.status, 200, response.text)
                    let data = try object(response)["data"] as? [[String: Any]]
                    XCTAssertLessThanOrEqual(maxAbsDiff(floats(data?.first?["embedding"]), want), 1e-4, label)
                }
            }
            try await group.waitForAll()
        }
    }

    private var rng = SeededRNG(seed: 12)
}
