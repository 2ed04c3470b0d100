import Explorer
import ExplorerRuntime
import Foundation
import Session
import TestSupport
import XCTest

/// The runtime's effect handling at message level: effects in, messages out, through the real session.
final class EffectRunnerTests: XCTestCase {
    var home: URL!
    override func setUpWithError() throws { home = try Fixtures.temporaryDirectory("loupe-runtime") }
    override func tearDown() { try? FileManager.default.removeItem(at: home) }

    func options(maxLength: Int? = nil) throws -> EngineOptions {
        EngineOptions(model: try Fixtures.defaultModelDirectory().path, maxLength: maxLength, cache: .directory(home))
    }

    /// The first 30 questions of the FAQ sample (a small corpus keeps the debug-build encoder quick).
    func faq() throws -> URL {
        let lines = try String(contentsOf: Fixtures.repoRoot.appendingPathComponent("samples/faq.txt"), encoding: .utf8)
            .split(separator: "\n").prefix(30)
        let url = home.appendingPathComponent("faq.txt")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func testStartUpLoadsTheModelThenIndexesAndReportsProgress() async throws {
        let h = try Harness(corpus: try faq(), options: try options())
        try await h.pump { $0.model != nil }
        XCTAssertEqual(h.state.model?.name, "all-MiniLM-L6-v2")
        XCTAssertNil(h.state.task, "MiniLM has no adapters")
        try await h.ready()
        XCTAssertEqual(h.state.indexedChunks, h.state.documents.count)
        XCTAssertTrue(h.state.status?.contains("embedded") ?? false, h.state.status ?? "")
        XCTAssertEqual(h.state.progress.textsDone, h.state.progress.textsTotal, "the last progress message is the end")
    }

    func testASearchEffectAnswersWithAResultMessageAndACancelledOneNever() async throws {
        let h = try Harness(corpus: try faq(), options: try options())
        try await h.ready()
        guard let workspace = h.runner.workspace else { return XCTFail("no workspace after start-up") }
        // A question the state did not ask: its answer arrives as a message with the request id.
        h.runner.run(.analyse(id: 900, .search(query: "I was billed twice", queryTask: nil, k: 3), task: nil, dim: 384))
        await h.runner.waitUntilIdle()
        let messages = h.queue.drain()
        guard let hits = messages.lazy.compactMap({ m -> [DocumentHit]? in
            if case .result(900, .search(let hits), _) = m { return hits }; return nil
        }).first else { return XCTFail("\(messages)") }
        XCTAssertEqual(hits.count, 3)
        let direct = try await workspace.answer(.search(query: "I was billed twice", queryTask: nil, k: 3), task: nil, dim: 384)
        XCTAssertEqual(direct.answer, .search(hits))

        // Cancelled at once: never delivers.
        h.runner.run(.analyse(id: 901, .clusters(ClusterSpec(k: 4)), task: nil, dim: 384))
        h.runner.run(.cancel(id: 901))
        await h.runner.waitUntilIdle()
        XCTAssertFalse(h.queue.drain().contains { if case .result(901, _, _) = $0 { return true }; return false })
    }

    func testAFailedQuestionBecomesAFailedMessageAndTheViewStopsWaiting() async throws {
        let h = try Harness(corpus: try faq(), options: try options())
        try await h.ready()
        h.runner.run(.analyse(id: 902, .neighbours(document: 10_000, k: 3), task: nil, dim: 384))
        await h.runner.waitUntilIdle()
        guard let message = h.queue.drain().lazy.compactMap({ m -> String? in
            if case .failed(902, let text) = m { return text }; return nil
        }).first else { return XCTFail("no failure message") }
        XCTAssertTrue(message.contains("out of range"), message)
    }

    func testTheDropListIsWrittenWhereAsked() async throws {
        let h = try Harness(corpus: try faq(), options: try options(), dropListDirectory: home)
        try await h.ready()
        h.runner.run(.writeDropList(documents: [2, 0]))
        guard let path = h.queue.drain().lazy.compactMap({ m -> String? in
            if case .dropListWritten(let path, 2) = m { return path }; return nil
        }).first else { return XCTFail("not written") }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[0].hasPrefix("2\t\(home.path)/faq.txt:3\t"), String(lines[0]))
    }

    func testAModelThatFailsToLoadEndsTheExplorerWithItsMessage() async throws {
        let h = try Harness(corpus: try faq(), options: EngineOptions(model: home.path, cache: .off))
        do {
            try await h.pump(timeout: 30) { _ in false }
        } catch HarnessError.fatal(let message) {
            XCTAssertTrue(message.contains("config.json"), message)
        }
    }

    /// `loupe explore --max-length N`: the explorer's encoder sees N tokens at most. Proven on what it
    /// indexes: a long document's vector equals the model's vector for its first N tokens.
    func testMaxLengthReachesTheExplorersEncoder() async throws {
        let long = String(repeating: "a long line about refunds and invoices and accounts, ", count: 30)
        let corpus = home.appendingPathComponent("long.txt")
        try (long + "\nshort line\n").write(to: corpus, atomically: true, encoding: .utf8)
        let h = try Harness(corpus: corpus, options: try options(maxLength: 12))
        try await h.ready()
        guard let workspace = h.runner.workspace, let indexed = await workspace.index(for: nil) else {
            return XCTFail("not indexed")
        }
        XCTAssertEqual(workspace.engine.maxLength, 12)
        let model = try XCTUnwrap(workspace.engine.model)
        let ids = try model.tokenize(long, task: nil, maxLength: 12).ids
        let want = try model.embed(ids: [ids], tasks: [nil])[0]
        XCTAssertLessThan(maxAbsDiff(indexed.vectors[0], want), 1e-6)
    }
}
