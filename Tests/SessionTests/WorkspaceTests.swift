import Analysis
import Corpus
import Foundation
import JinaEmbeddings
import Session
import TestSupport
import XCTest

/// The session's answers on a chunked corpus, checked against brute force over the indexed chunk
/// vectors (the one definition: a query scores a document by its best chunk; documents compare by
/// the normalized mean of their chunks).
final class WorkspaceTests: XCTestCase {
    var home: URL!
    override func setUpWithError() throws { home = try Fixtures.temporaryDirectory("loupe-session") }
    override func tearDown() { try? FileManager.default.removeItem(at: home) }

    func engine(maxLength: Int? = nil) async throws -> Engine {
        try await Engine.open(EngineOptions(model: try Fixtures.defaultModelDirectory().path, maxLength: maxLength,
                                      cache: .directory(home)))
    }

    func chunkedWorkspace() async throws -> (Workspace, IndexedCorpus) {
        let corpus = try CorpusLoader.load(paths: [try ChunkedCorpus.write(to: home).path])
        let ws = try Workspace(engine: try await engine(), corpus: corpus, chunkTokens: 16)
        let indexed = try await ws.index(task: nil)
        return (ws, indexed)
    }

    func testSearchReturnsKDistinctDocumentsEachScoredByItsBestChunk() async throws {
        let (ws, indexed) = try await chunkedWorkspace()
        let n = ChunkedCorpus.documents.count
        let owned = (0..<n).map { d in indexed.chunks.filter { $0.document == d }.count }
        XCTAssertGreaterThan(owned[0] + owned[1], indexed.chunks.count / 2, "two documents own most chunks: \(owned)")

        let query = "how do I reset my password"
        let q = try await ws.engine.embed([query], task: nil).vectors
        // Brute force: each document's best chunk.
        var best = [(score: Float, chunk: Int)](repeating: (-.infinity, -1), count: n)
        for (c, chunk) in indexed.chunks.enumerated() {
            let s = zip(q.row(0), indexed.vectors[c]).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            if s > best[chunk.document].score { best[chunk.document] = (s, c) }
        }
        let order = (0..<n).sorted { best[$0].score != best[$1].score ? best[$0].score > best[$1].score : $0 < $1 }

        for k in [1, 3, 5, n, 50] {
            let answered = try await ws.answer(.search(query: query, queryTask: nil, k: k), task: nil, dim: 384)
            guard case .search(let hits) = answered.answer else { return XCTFail("not a search answer") }
            XCTAssertEqual(hits.count, min(k, n), "k = \(k)")
            XCTAssertEqual(Set(hits.map(\.document)).count, hits.count, "distinct documents")
            XCTAssertEqual(hits.map(\.document), Array(order.prefix(k)), "k = \(k)")
            for h in hits {
                XCTAssertEqual(h.score, best[h.document].score, accuracy: 1e-5)
                let chunk = indexed.chunks[best[h.document].chunk]
                let whole = chunk.span == 0..<ChunkedCorpus.documents[h.document].unicodeScalars.count
                XCTAssertEqual(h.span, whole ? nil : chunk.span, "the best chunk is named")
            }
        }
    }

    func testNeighboursCompareDocumentVectors() async throws {
        let (ws, indexed) = try await chunkedWorkspace()
        let n = ChunkedCorpus.documents.count, d = indexed.vectors[0].count
        // Brute force: the normalized mean of each document's chunk vectors.
        var means = [[Double]](repeating: [Double](repeating: 0, count: d), count: n)
        for (c, chunk) in indexed.chunks.enumerated() { for j in 0..<d { means[chunk.document][j] += Double(indexed.vectors[c][j]) } }
        means = means.map { v in let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot(); return v.map { $0 / norm } }
        for focus in [0, 2] {
            let cos = (0..<n).map { j in zip(means[focus], means[j]).reduce(0) { $0 + $1.0 * $1.1 } }
            let want = (0..<n).filter { $0 != focus }.sorted { cos[$0] != cos[$1] ? cos[$0] > cos[$1] : $0 < $1 }
            let answered = try await ws.answer(.neighbours(document: focus, k: 4), task: nil, dim: d)
            guard case .neighbours(let hits) = answered.answer else { return XCTFail("not neighbours") }
            XCTAssertEqual(hits.map(\.document), Array(want.prefix(4)), "focus \(focus)")
            for h in hits { XCTAssertEqual(Double(h.score), cos[h.document], accuracy: 1e-5) }
        }
        do {
            _ = try await ws.answer(.neighbours(document: n, k: 3), task: nil, dim: d)
            XCTFail("an out-of-range document must be an error")
        } catch let error as SessionError {
            XCTAssertEqual(error, .documentOutOfRange(n, count: n))
        }
    }

    func testQuestionsBeforeTheIndexSayItIsNotReady() async throws {
        let corpus = LoadedCorpus(documents: [Document(index: 0, text: "one", source: "a:1"),
                                              Document(index: 1, text: "two", source: "a:2")])
        let ws = try Workspace(engine: try await engine(), corpus: corpus)
        for question in [Question.neighbours(document: 0, k: 1), .clusters(ClusterSpec(k: 2)), .duplicates(threshold: 0.9),
                         .search(query: "one", queryTask: nil, k: 1)] {
            do {
                _ = try await ws.answer(question, task: nil, dim: 384)
                XCTFail("\(question) answered before indexing")
            } catch let error as SessionError {
                XCTAssertEqual(error, .notIndexed(task: nil))
            }
        }
    }

    func testSearchWorksOnThePartIndexedSoFar() async throws {
        let texts = (0..<40).map { "Document number \($0) talks about topic \($0 % 7)." }
        let corpus = LoadedCorpus(documents: texts.enumerated().map { Document(index: $0.offset, text: $0.element, source: "t:\($0.offset)") })
        let ws = try Workspace(engine: try await engine(), corpus: corpus)
        let partials = PartialLog()
        try await ws.index(task: nil, partialInterval: 0) { partials.add($0) }
        XCTAssertFalse(partials.values.isEmpty, "partial snapshots were reported")
        XCTAssertEqual(partials.values, partials.values.sorted(), "they only grow")
        // After the full index, the kept index is reused: nothing embedded again.
        let again = try await ws.index(task: nil)
        XCTAssertEqual(again.embedded, 0)
        XCTAssertEqual(again.cached, texts.count)
    }

    func testMaxLengthReachesTheEncoder() async throws {
        let long = String(repeating: "a fairly long sentence about reading and writing, ", count: 20)
        let limited = try await engine(maxLength: 8)
        XCTAssertEqual(limited.maxLength, 8)
        let got = try await limited.embed([long], task: nil).vectors
        // Independently: the first 8 tokens (with <s> … </s>) straight through the model.
        let model = try XCTUnwrap(limited.model)
        let ids = try model.tokenize(long, task: nil, maxLength: 8).ids
        XCTAssertEqual(ids.count, 8)
        let want = try model.embed(ids: [ids], tasks: [nil])[0]
        XCTAssertLessThan(maxAbsDiff(Array(got.row(0)), want), 1e-6)
        let full = try await engine().embed([long], task: nil).vectors
        XCTAssertGreaterThan(maxAbsDiff(Array(full.row(0)), want), 1e-3, "the limit changed the vector")
    }

    func testClusteringKMoreThanDocumentsIsAClearError() async throws {
        let (ws, _) = try await chunkedWorkspace()
        do {
            _ = try await ws.answer(.clusters(ClusterSpec(k: 99)), task: nil, dim: 384)
            XCTFail("k above the corpus size must be an error")
        } catch {
            XCTAssertTrue("\(error)".contains("99") && "\(error)".contains("8 documents"), "\(error)")
        }
    }

    func testTaskResolution() throws {
        let jina = ["retrieval.query", "retrieval.passage", "separation", "classification", "text-matching"]
        func resolve(_ v: String?, _ preferred: String?, _ tasks: [String]) throws -> String? {
            try TaskDefaults.resolve(v, preferred: preferred, tasks: tasks, defaultTask: tasks.isEmpty ? nil : "text-matching",
                                     model: "m")
        }
        XCTAssertEqual(try resolve(nil, "retrieval.passage", jina), "retrieval.passage")
        XCTAssertEqual(try resolve(nil, "missing", jina), "text-matching", "a preferred task the model lacks → its default")
        XCTAssertNil(try resolve("none", "retrieval.passage", jina))
        XCTAssertNil(try resolve(nil, "retrieval.passage", []), "no adapters → no task")
        XCTAssertThrowsError(try resolve("separation", nil, [])) { XCTAssertTrue("\($0)".contains("no task adapters")) }
        XCTAssertThrowsError(try resolve("retrieval", nil, jina)) { XCTAssertTrue("\($0)".contains("text-matching")) }
        XCTAssertEqual(TaskDefaults.queryTask(forCorpusTask: "retrieval.passage", available: jina), "retrieval.query")
        XCTAssertEqual(TaskDefaults.queryTask(forCorpusTask: "separation", available: jina), "separation")
    }
}

/// Chunk counts reported by `onPartial` (called from background tasks).
final class PartialLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Int] = []
    func add(_ n: Int) { lock.withLock { items.append(n) } }
    var values: [Int] { lock.withLock { items } }
}
