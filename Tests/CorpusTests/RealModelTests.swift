import XCTest
import Foundation
@testable import Corpus
import EmbeddingEngine
import JinaEmbeddings
import TestSupport

/// The service, chunker and indexer with a real checkpoint: `.fixtures/jina-e2e` (jina-v3 layout, hidden 64,
/// real XLM-R tokenizer). Results are compared with the model called directly, one text at a time.
final class RealModelTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try Fixtures.temporaryDirectory("loupe-real") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func model() throws -> EmbeddingModel { try EmbeddingModel.load(directory: try Fixtures.url("jina-e2e")) }

    func corpus(_ texts: [String]) -> LoadedCorpus {
        LoadedCorpus(documents: texts.enumerated().map { Document(index: $0.offset, text: $0.element, source: "t:\($0.offset + 1)") })
    }

    let texts = [
        "The cat sat on the mat.",
        "Der schnelle braune Fuchs springt über den faulen Hund, und noch ein paar Wörter mehr.",
        "短い文。",
        "A much longer text about embeddings, caches and services, which goes on for a while so that "
            + "it lands in another batch than the short ones when the service sorts by length.",
        "ok",
    ]

    func testServiceBatchesGiveTheModelsOwnVectors() async throws {
        let model = try model()
        let service = EncoderService(backend: ModelBackend(model: model), tokenBudget: 64, maxRows: 2)
        for task in [nil, "retrieval.query", "text-matching"] as [String?] {
            let batched = try await service.embed(texts: texts, task: task, priority: .bulk)
            for (i, text) in texts.enumerated() {
                let alone = try model.embed(texts: [text], task: task)[0]
                XCTAssertLessThan(maxAbsDiff(batched[i], alone), 1e-5, "task \(task ?? "none") text \(i)")
            }
        }
    }

    func testIndexingWithRealTokensAndLateChunking() async throws {
        let model = try model()
        let service = EncoderService(model: model)
        let long = (1...20).map { "Sentence \($0) talks about topic number \($0) in some detail." }.joined(separator: " ")
        let indexer = Indexer(encoder: service, cache: try EmbeddingCache.open(directory: dir))
        let indexed = try await indexer.index(corpus([texts[0], long]), task: "retrieval.passage", chunkTokens: 24)
        XCTAssertEqual(indexed.chunks[0].text, texts[0])
        let chunks = indexed.chunks.filter { $0.document == 1 }
        XCTAssertGreaterThan(chunks.count, 4)
        let tokenizer = try XCTUnwrap(model.tokenizer)
        for chunk in chunks {
            XCTAssertLessThanOrEqual(tokenizer.encode(chunk.text, addSpecialTokens: false).count, 24 + 1, chunk.text)
        }
        // The whole document fits one window: the chunk vectors are the model's late chunking of the document.
        let direct = try model.embedLateChunks(text: long, chunks: chunks.map(\.span), task: "retrieval.passage")
        for (v, d) in zip(indexed.vectors.suffix(chunks.count), direct) { XCTAssertLessThan(maxAbsDiff(v, d), 1e-5) }
        XCTAssertLessThan(maxAbsDiff(indexed.vectors[0], try model.embed(texts: [texts[0]], task: "retrieval.passage")[0]), 1e-5)

        let again = try await Indexer(encoder: EncoderService(model: model), cache: try EmbeddingCache.open(directory: dir))
            .index(corpus([texts[0], long]), task: "retrieval.passage", chunkTokens: 24)
        XCTAssertEqual(again.embedded, 0)
        XCTAssertEqual(again.cached, indexed.chunks.count)
    }

    func testMaxLengthIsPartOfTheKey() async throws {
        let model = try model()
        let short = Indexer(encoder: EncoderService(model: model, maxLength: 6), cache: try EmbeddingCache.open(directory: dir))
        let full = Indexer(encoder: EncoderService(model: model), cache: try EmbeddingCache.open(directory: dir))
        let a = try await short.embedCounting(texts: [texts[3]], task: nil)
        let b = try await full.embedCounting(texts: [texts[3]], task: nil)
        XCTAssertEqual(b.cached, 0, "a truncated vector is not served for the full text")
        XCTAssertLessThan(maxAbsDiff(a.vectors[0], try model.embed(texts: [texts[3]], task: nil, maxLength: 6)[0]), 1e-5)
        XCTAssertGreaterThan(maxAbsDiff(a.vectors[0], b.vectors[0]), 1e-3)
    }
}
