import Foundation
import HubImitation
import TestSupport
import XCTest

/// `loupe fetch` as a user runs it, against the loopback Hub imitation (HF_ENDPOINT), then `loupe embed`
/// with no --model: the fetched jina-embeddings-v3 snapshot is found in the HF cache and gives the
/// reference embeddings.
final class FetchEndToEndTests: XCTestCase {
    func testFetchThenEmbedUsesTheFetchedModel() async throws {
        let home = try Fixtures.temporaryDirectory("loupe-e2e-fetch")
        defer { try? FileManager.default.removeItem(at: home) }
        let commit = "00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee"
        let hub = try HubImitation(repo: "jinaai/jina-embeddings-v3", directory: try Fixtures.url("jina-e2e"),
                                   lfs: ["model.safetensors", "tokenizer.json", "sentencepiece.bpe.model"], commit: commit)
        try await hub.start()
        let hf = home.appendingPathComponent("hf").path
        // Only this test's Hub settings: none of the caller's tokens, caches or mirrors.
        let environment: [String: String?] = [
            "HOME": home.path, "HF_HOME": hf, "HF_ENDPOINT": hub.endpoint, "HF_TOKEN": nil, "HUGGING_FACE_HUB_TOKEN": nil,
            "HF_TOKEN_PATH": nil, "HF_HUB_CACHE": nil, "HUGGINGFACE_HUB_CACHE": nil, "LOUPE_MODEL": nil,
        ]
        // Off the cooperative pool, which serves the imitation while the process runs.
        func loupe(_ args: [String], stdin: String = "") async throws -> (status: Int32, stdout: String, stderr: String) {
            try await withCheckedThrowingContinuation { done in
                DispatchQueue.global().async {
                    done.resume(with: Result { try LoupeBinary.run(args, home: home, stdin: stdin, environment: environment) })
                }
            }
        }

        let snapshot = "\(hf)/hub/models--jinaai--jina-embeddings-v3/snapshots/\(commit)"
        let fetch = try await loupe(["fetch", "jinaai/jina-embeddings-v3"])
        XCTAssertEqual(fetch.status, 0, fetch.stderr)
        XCTAssertEqual(fetch.stdout, snapshot + "\n")
        XCTAssertTrue(fetch.stderr.contains("8 files downloaded"), fetch.stderr)

        let golden = try XCTUnwrap(try Fixtures.json("jina-e2e/golden_text.json") as? [String: Any])
        let cases = try XCTUnwrap(golden["cases"] as? [[String: Any]]).filter { $0["task"] as? String == "retrieval.query" }.prefix(3)
        let input = try cases.map {
            String(decoding: try JSONSerialization.data(withJSONObject: ["text": $0["text"] as Any, "task": "retrieval.query"]), as: UTF8.self)
        }.joined(separator: "\n") + "\n"
        let embed = try await loupe(["embed", "--dim", "32"], stdin: input)
        XCTAssertEqual(embed.status, 0, embed.stderr)
        XCTAssertTrue(embed.stderr.contains("\(snapshot) (jina-embeddings-v3 found in the Hugging Face cache)"), embed.stderr)
        let lines = embed.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, cases.count)
        for (line, c) in zip(lines, cases) {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertLessThanOrEqual(maxAbsDiff(floats(object["embedding"]), floats((c["truncated"] as? [String: Any])?["32"])), 1e-4)
        }

        hub.clearLog()
        let again = try await loupe(["fetch", "jinaai/jina-embeddings-v3"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("already complete"), again.stderr)
        XCTAssertEqual(hub.requests.count, 1, "the listing only")

        let missing = try await loupe(["fetch", "nobody/nothing"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertEqual(missing.stdout, "")
        XCTAssertTrue(missing.stderr.contains("nobody/nothing was not found or is private or gated"), missing.stderr)
        await hub.stop()
    }
}
