import Analysis
import ExplorerRuntime
import Foundation
import Session
import TestSupport
import XCTest
@testable import Explorer

/// One core under every front end: for the same corpus, task, dimension and query, what `loupe … --json`
/// prints and what the explorer's views hold are the same documents in the same order with the same
/// scores — on a chunked corpus where two documents own most chunks.
final class AgreementTests: XCTestCase {
    var home: URL!
    override func setUpWithError() throws { home = try Fixtures.temporaryDirectory("loupe-agree") }
    override func tearDown() { try? FileManager.default.removeItem(at: home) }

    func cli(_ args: [String]) throws -> [String: Any] {
        let run = try LoupeBinary.run(args + ["--json", "--quiet"], home: home)
        XCTAssertEqual(run.status, 0, run.stderr)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
    }

    /// (document, score) pairs of a search / neighbours answer, read exactly (JSONDecoder).
    func results(_ args: [String]) throws -> [(Int, Float)] {
        struct Results: Decodable { struct Row: Decodable { var index: Int; var score: Float }; var results: [Row] }
        let run = try LoupeBinary.run(args + ["--json", "--quiet"], home: home)
        XCTAssertEqual(run.status, 0, run.stderr)
        return try JSONDecoder().decode(Results.self, from: Data(run.stdout.utf8)).results.map { ($0.index, $0.score) }
    }

    func assertSame(_ cli: [(Int, Float)], _ explorer: [DocumentHit], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(cli.map(\.0), explorer.map(\.document), file: file, line: line)
        XCTAssertEqual(cli.map(\.1), explorer.map(\.score), "scores, to the bit", file: file, line: line)
    }

    func testSearchNeighboursClustersAndDuplicatesAgreeOnAChunkedCorpus() async throws {
        let corpus = try ChunkedCorpus.write(to: home)
        let model = try Fixtures.defaultModelDirectory().path
        let common = [corpus.path, "--model", model, "--chunk-tokens", "16"]
        let h = try Harness(corpus: corpus, options: EngineOptions(model: model, cache: .directory(home)), chunkTokens: 16)
        try await h.ready()
        XCTAssertGreaterThan(h.state.indexedChunks, 2 * ChunkedCorpus.documents.count, "the corpus is chunked")

        // Search: k below and above the number of documents; always min(k, documents) distinct documents.
        let query = "how do I reset my password"
        h.type(query)
        for k in [5, 50] {
            h.state.search.k = k
            h.perform(runSearch(&h.state))
            try await h.pump { $0.search.answeredQuery == query && $0.requests[.search].pending == nil }
            let hits = h.state.search.hits
            XCTAssertEqual(hits.count, min(k, ChunkedCorpus.documents.count))
            assertSame(try results(["search"] + common + ["--query", query, "--k", "\(k)"]), hits)
        }

        // Neighbours of document 0 (the explorer shows 15).
        h.perform(focusNeighbours(&h.state, on: 0, remember: false))
        try await h.settled(.neighbours)
        assertSame(try results(["neighbours"] + common + ["--index", "0", "--k", "15"]), h.state.neighbours.hits)

        // Clusters with k chosen automatically, then k = 3.
        h.perform(switchView(&h.state, to: .clusters))
        try await h.settled(.clusters)
        let auto = try cli(["cluster"] + common)
        XCTAssertEqual(auto["assignments"] as? [Int], h.state.clusters.clustering?.assignments)
        XCTAssertEqual(auto["k"] as? Int, h.state.clusters.clustering?.k)
        h.state.clusters.k = 3
        h.perform(requestClusters(&h.state))
        try await h.settled(.clusters)
        let three = try cli(["cluster"] + common + ["--k", "3"])
        XCTAssertEqual(three["assignments"] as? [Int], h.state.clusters.clustering?.assignments)
        XCTAssertEqual((three["clusters"] as? [[String: Any]])?.map { $0["label"] as? String },
                       h.state.clusters.clustering?.clusters.map(\.label))

        // Near-duplicates at the explorer's threshold.
        h.perform(switchView(&h.state, to: .duplicates))
        try await h.settled(.duplicates)
        let threshold = String(format: "%.2f", h.state.duplicates.threshold)
        struct Groups: Decodable {
            struct Group: Decodable { var members: [Int]; var min_similarity: Float }
            var groups: [Group]
        }
        let run = try LoupeBinary.run(["dedup"] + common + ["--threshold", threshold, "--json", "--quiet"], home: home)
        let groups = try JSONDecoder().decode(Groups.self, from: Data(run.stdout.utf8)).groups
        XCTAssertEqual(groups.map(\.members), h.state.duplicates.groups.map(\.members))
        XCTAssertEqual(groups.map(\.min_similarity), h.state.duplicates.groups.map(\.minSimilarity))
    }

    /// With adapters: the corpus under retrieval.passage and the query under retrieval.query, at a
    /// Matryoshka dimension, in both front ends (the jina-e2e fixture: the published layout, small).
    func testSearchWithTaskAdaptersAndAMatryoshkaDimensionAgrees() async throws {
        let model = try Fixtures.url("jina-e2e").path
        let corpus = Fixtures.repoRoot.appendingPathComponent("samples/faq.txt")
        let h = try Harness(corpus: corpus, options: EngineOptions(model: model, cache: .directory(home)), dim: 64)
        try await h.ready()
        XCTAssertEqual(h.state.task, "retrieval.passage")
        XCTAssertEqual(h.state.dim, 64)
        h.state.search.k = 7
        h.type("refund for a double charge")
        try await h.pump { $0.search.answeredQuery == "refund for a double charge" && $0.requests[.search].pending == nil }
        assertSame(try results(["search", corpus.path, "--model", model, "--dim", "64", "--k", "7", "--query",
                                 "refund for a double charge"]), h.state.search.hits)
    }
}
