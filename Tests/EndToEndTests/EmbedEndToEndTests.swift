import XCTest
import Foundation
import TestSupport

/// `loupe embed` as a script uses it: JSON Lines in, the reference's embeddings out (jina-e2e goldens,
/// prefixes and Matryoshka included), per-line errors, and the embedding cache.
final class EmbedEndToEndTests: XCTestCase {
    private var home: URL!

    override func setUpWithError() throws { home = try Fixtures.temporaryDirectory("loupe-e2e-embed") }
    override func tearDown() { try? FileManager.default.removeItem(at: home) }

    private func loupe(_ args: [String], stdin: String) throws -> (status: Int32, stdout: String, stderr: String) {
        try LoupeBinary.run(args, home: home, stdin: stdin)
    }

    private func jsonLine(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    func testTextEmbeddingsMatchTheReferenceAndComeFromTheCacheTheSecondTime() throws {
        let golden = try XCTUnwrap(try Fixtures.json("jina-e2e/golden_text.json") as? [String: Any])
        let cases = try XCTUnwrap(golden["cases"] as? [[String: Any]])
        // Per-line tasks: retrieval.query (prefix added), text-matching and none, on a few texts.
        let picked = cases.filter { ["retrieval.query", "text-matching", "none"].contains($0["task"] as? String) }.prefix(9)
        let input = try picked.map { try jsonLine(["text": $0["text"] as Any, "task": $0["task"] as Any]) }
            .joined(separator: "\n") + "\n"
        let model = try Fixtures.url("jina-e2e").path

        func check(_ run: (status: Int32, stdout: String, stderr: String)) throws {
            XCTAssertEqual(run.status, 0, run.stderr)
            let lines = run.stdout.split(separator: "\n")
            XCTAssertEqual(lines.count, picked.count)
            for (line, c) in zip(lines, picked) {
                let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let got = floats(object["embedding"])
                let want = floats((c["truncated"] as? [String: Any])?["32"])
                XCTAssertLessThanOrEqual(maxAbsDiff(got, want), 1e-4, "\(c["id"] ?? "") \(c["task"] ?? "")")
            }
        }
        try check(try loupe(["embed", "--model", model, "--dim", "32", "--quiet"], stdin: input))
        let stats1 = try loupe(["cache", "stats", "--json"], stdin: "")
        // The second run is served from the cache: same numbers, no new entries.
        try check(try loupe(["embed", "--model", model, "--dim", "32", "--quiet"], stdin: input))
        let stats2 = try loupe(["cache", "stats", "--json"], stdin: "")
        let entries1 = (try JSONSerialization.jsonObject(with: Data(stats1.stdout.utf8)) as? [String: Any])?["entries"] as? Int
        let entries2 = (try JSONSerialization.jsonObject(with: Data(stats2.stdout.utf8)) as? [String: Any])?["entries"] as? Int
        XCTAssertEqual(entries1, picked.count, stats1.stdout + stats1.stderr)
        XCTAssertEqual(entries2, entries1)
    }

    /// `--precision`: int8 and bf16 vectors are close to exact ones but cached under their own keys
    /// (a later exact run must not get them, nor they an exact vector); bad combinations fail clearly.
    func testEachPrecisionGetsItsOwnCacheEntries() throws {
        let model = try Fixtures.url("jina-e2e").path
        let texts = ["How do I get a refund?", "Die Katze schläft.", "Quarterly revenue grew 12%."]
        let input = try texts.map { try jsonLine(["text": $0]) }.joined(separator: "\n") + "\n"
        func vectors(_ extra: [String]) throws -> [[Float]] {
            let run = try loupe(["embed", "--model", model, "--quiet"] + extra, stdin: input)
            XCTAssertEqual(run.status, 0, run.stderr)
            return try run.stdout.split(separator: "\n").map {
                floats((try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["embedding"])
            }
        }
        let exact = try vectors([]), int8 = try vectors(["--precision", "int8"]), bf16 = try vectors(["--lossy"])
        for (name, got) in [("int8", int8), ("bf16", bf16)] {
            XCTAssertEqual(got.count, texts.count)
            for (a, b) in zip(exact, got) {
                XCTAssertNotEqual(a, b, "\(name) must not be served the exact vector")
                XCTAssertGreaterThan(cosine(a, b), 0.999, name)
            }
        }
        XCTAssertEqual(try vectors(["--precision", "int8"]), int8, "int8 again: from its own cache entries")
        XCTAssertEqual(try vectors([]), exact, "exact again: untouched by the other precisions")
        let stats = try loupe(["cache", "stats", "--json"], stdin: "")
        let entries = (try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])?["entries"] as? Int
        XCTAssertEqual(entries, 3 * texts.count, stats.stdout + stats.stderr)

        let both = try loupe(["embed", "--model", model, "--quiet", "--lossy", "--precision", "int8"], stdin: input)
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("--lossy means --precision bf16"), both.stderr)
        let unknown = try loupe(["embed", "--model", model, "--quiet", "--precision", "fp8"], stdin: input)
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("'exact', 'bf16' or 'int8'"), unknown.stderr)
    }

    func testBadLinesGetErrorsAndANonZeroExitWhileTheRestGoOn() throws {
        let model = try Fixtures.url("jina-e2e").path
        let input = "{\"text\": \"first\"}\nnot json\n{\"nope\": 1}\n{\"text\": \"last\", \"task\": \"no-such-task\"}\n{\"text\": \"fine\"}\n"
        let run = try loupe(["embed", "--model", model, "--quiet"], stdin: input)
        XCTAssertNotEqual(run.status, 0)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 5, run.stdout)
        XCTAssertTrue(lines[0].hasPrefix("{\"embedding\""))
        XCTAssertTrue(lines[1].contains("\"error\""))
        XCTAssertTrue(lines[2].contains("\"error\""))
        XCTAssertTrue(lines[3].contains("\"error\"") && lines[3].contains("no-such-task"), lines[3])
        XCTAssertTrue(lines[4].hasPrefix("{\"embedding\""))
    }
}
