import XCTest
import Foundation
@testable import Corpus
import EmbeddingEngine
import TestSupport

final class LogSink: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ s: String) { lock.withLock { lines.append(s) } }
    var all: [String] { lock.withLock { lines } }
}

final class PartialSink: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [IndexedCorpus] = []
    func add(_ p: IndexedCorpus) { lock.withLock { items.append(p) } }
    var all: [IndexedCorpus] { lock.withLock { items } }
}

final class CacheAndIndexerTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try Fixtures.temporaryDirectory("loupe-cache") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func corpus(_ texts: [String]) -> LoadedCorpus {
        LoadedCorpus(documents: texts.enumerated().map { Document(index: $0.offset, text: $0.element, source: "t:\($0.offset + 1)") })
    }

    func testCacheRoundTripAcrossReopen() throws {
        let key = CacheKey.make(fingerprint: "f", task: nil, prefixApplied: false, maxLength: 8, text: "hello", chunks: nil)
        let late = CacheKey.make(fingerprint: "f", task: nil, prefixApplied: false, maxLength: 8, text: "a. b.", chunks: [0..<2, 3..<5])
        let v: [Float] = [0.25, -1.5, .pi, 1e-30]
        do {
            let cache = try EmbeddingCache.open(directory: dir)
            try cache.store([(key, [v]), (late, [[1, 2], [3, 4]])], model: "m", fingerprint: "f", task: "text-matching")
            try cache.close()
        }
        let cache = try EmbeddingCache.open(directory: dir)
        let found = try cache.lookup([key, late], parts: [key: 1, late: 2])
        XCTAssertEqual(found[key], [v])
        XCTAssertEqual(found[late], [[1, 2], [3, 4]])
        // An item whose parts are not all there is a miss (embedded again as a whole).
        XCTAssertNil(try cache.lookup([late], parts: [late: 3])[late])
        let stats = try cache.stats()
        XCTAssertEqual(stats.entries, 3)
        XCTAssertEqual(stats.groups.map(\.task), ["text-matching", "text-matching"])
        XCTAssertGreaterThan(stats.bytes, 0)
        try cache.clear()
        XCTAssertEqual(try cache.stats().entries, 0)
        XCTAssertTrue(try cache.lookup([key], parts: [key: 1]).isEmpty)
    }

    func testSecondIndexEmbedsNothingAndGivesTheSameVectors() async throws {
        let backend = HashingBackend()
        let texts = ["alpha beta", "gamma delta", "alpha beta", "epsilon"]
        let first = try await Indexer(encoder: EncoderService(backend: backend, tokenBudget: 8, maxRows: 2),
                                      cache: try EmbeddingCache.open(directory: dir)).index(corpus(texts), task: "text-matching")
        XCTAssertEqual(first.embedded, 4)
        XCTAssertEqual(first.cached, 0)
        XCTAssertEqual(backend.stats.textsEmbedded, 3, "the duplicate text is embedded once")

        let again = HashingBackend()
        let second = try await Indexer(encoder: EncoderService(backend: again), cache: try EmbeddingCache.open(directory: dir))
            .index(corpus(texts), task: "text-matching")
        XCTAssertEqual(second.embedded, 0)
        XCTAssertEqual(second.cached, 4)
        XCTAssertEqual(again.stats.textsEmbedded, 0)
        XCTAssertEqual(second.vectors, first.vectors)
        // The vectors are the backend's: an independent direct call agrees.
        let direct = try backend.embed(ids: [try backend.tokenIDs("epsilon", task: "text-matching", applyPrefix: true)],
                                       tasks: ["text-matching"], normalize: true, shouldCancel: { false })[0]
        XCTAssertEqual(maxAbsDiff(second.vectors[3], direct), 0)

        // Another task is another key: nothing from the cache.
        let other = try await Indexer(encoder: EncoderService(backend: again), cache: try EmbeddingCache.open(directory: dir))
            .index(corpus(texts), task: nil)
        XCTAssertEqual(other.cached, 0)
    }

    func testQueriesGoThroughTheCacheAtInteractivePriority() async throws {
        let backend = HashingBackend()
        let indexer = Indexer(encoder: EncoderService(backend: backend), cache: try EmbeddingCache.open(directory: dir))
        let a = try await indexer.embed(texts: ["what is x", "what is y"], task: "retrieval.query")
        let b = try await indexer.embedCounting(texts: ["what is x", "new"], task: "retrieval.query")
        XCTAssertEqual(b.cached, 1)
        XCTAssertEqual(b.vectors[0], a[0])
        XCTAssertEqual(backend.stats.textsEmbedded, 3)
    }

    func testResultsReachTheCacheBatchByBatchSoACancelledRunKeepsItsWork() async throws {
        let backend = HashingBackend(delayPerBatch: 0.03)
        let service = EncoderService(backend: backend, tokenBudget: 8, maxRows: 2)
        let texts = (0..<30).map { "document number \($0)" }
        let loaded = corpus(texts)
        let indexer = Indexer(encoder: service, cache: try EmbeddingCache.open(directory: dir))
        let job = Task { try await indexer.index(loaded, task: nil) }
        while service.progress.textsDone < 6 { try await Task.sleep(nanoseconds: 5_000_000) }
        job.cancel()
        _ = try? await job.value
        let done = backend.stats.textsEmbedded
        XCTAssertLessThan(done, 30)
        let rerun = try await Indexer(encoder: EncoderService(backend: HashingBackend()),
                                      cache: try EmbeddingCache.open(directory: dir)).index(corpus(texts), task: nil)
        XCTAssertEqual(rerun.cached, done, "every finished batch was saved, nothing else")
        XCTAssertEqual(rerun.embedded, 30 - done)
        XCTAssertEqual(try EmbeddingCache.open(directory: dir).stats().entries, 30, "no duplicates")
    }

    /// `onPartial` hands out what is embedded so far: cache hits first, then every batch, duplicates
    /// included, each chunk with its final vector, until the last one equals the finished index.
    func testPartialIndexesGrowBatchByBatchToTheFinalOne() async throws {
        let texts = (0..<12).map { "document number \($0)" } + ["document number 3"]
        // Two texts cached beforehand.
        _ = try await Indexer(encoder: EncoderService(backend: HashingBackend()), cache: try EmbeddingCache.open(directory: dir))
            .index(corpus(["document number 5", "document number 9"]), task: nil)
        let partials = PartialSink()
        let backend = HashingBackend()
        let indexed = try await Indexer(encoder: EncoderService(backend: backend, tokenBudget: 8, maxRows: 2),
                                        cache: try EmbeddingCache.open(directory: dir))
            .index(corpus(texts), task: nil, partialInterval: 0, onPartial: { partials.add($0) })
        let seen = partials.all
        XCTAssertGreaterThan(seen.count, 3, "one delivery for the cache hits and one per batch")
        XCTAssertEqual(seen.first.map { $0.chunks.map(\.document) }, [5, 9], "the cache hits come first")
        for (a, b) in zip(seen, seen.dropFirst()) { XCTAssertGreaterThan(b.chunks.count, a.chunks.count) }
        XCTAssertEqual(seen.last?.chunks.count, texts.count)
        XCTAssertEqual(seen.last?.vectors, indexed.vectors)
        for p in seen {
            XCTAssertEqual(p.chunks.map(\.document), p.chunks.map(\.document).sorted(), "chunk order")
            for (chunk, v) in zip(p.chunks, p.vectors) { XCTAssertEqual(v, indexed.vectors[chunk.document]) }
            // Duplicate texts arrive together (document 12 repeats document 3).
            XCTAssertEqual(p.chunks.contains { $0.document == 3 }, p.chunks.contains { $0.document == 12 })
        }
        XCTAssertEqual(backend.stats.textsEmbedded, 10, "the duplicate once, the cached two not at all")

        // With an interval, batches in between are folded into later deliveries (the cache hits
        // still come first, at once).
        let slow = PartialSink()
        _ = try await Indexer(encoder: EncoderService(backend: HashingBackend(delayPerBatch: 0.02), tokenBudget: 8, maxRows: 2),
                              cache: nil)
            .index(corpus(texts), task: nil, partialInterval: 60, onPartial: { slow.add($0) })
        XCTAssertEqual(slow.all.count, 1, "only the first batch within the interval")
    }

    func testChunkedIndexingUsesLateChunkingAndKeepsSpans() async throws {
        let backend = HashingBackend(maxLength: 40)
        let long = (1...12).map { "Sentence number \($0) is here." }.joined(separator: " ")
        let service = EncoderService(backend: backend)
        let indexed = try await Indexer(encoder: service, cache: try EmbeddingCache.open(directory: dir))
            .index(corpus(["short text", long]), task: nil, chunkTokens: 12)
        XCTAssertEqual(indexed.chunks.first?.text, "short text")
        let longChunks = indexed.chunks.filter { $0.document == 1 }
        XCTAssertGreaterThan(longChunks.count, 3)
        let scalars = Array(long.unicodeScalars)
        for chunk in longChunks {
            XCTAssertEqual(Chunker.text(scalars, chunk.span), chunk.text)
            XCTAssertLessThanOrEqual(WordSpans.spans(chunk.text).count, 12)
        }
        XCTAssertEqual(indexed.vectors.count, indexed.chunks.count)
        // The window limit (40 - overhead) forces several late-chunked windows for this document.
        XCTAssertGreaterThan(backend.stats.lateChunkedDocuments, 1)
        let again = try await Indexer(encoder: service, cache: try EmbeddingCache.open(directory: dir))
            .index(corpus(["short text", long]), task: nil, chunkTokens: 12)
        XCTAssertEqual(again.embedded, 0)
        XCTAssertEqual(again.vectors, indexed.vectors)
    }

    func testATenMegabyteSingleLineIsChunkedWithoutBlowingUp() async throws {
        let sentence = "Alpha beta gamma delta epsilon zeta eta theta iota kappa. "
        let text = String(repeating: sentence, count: 10_000_000 / sentence.utf8.count)
        let start = Date()
        let indexed = try await Indexer(encoder: EncoderService(backend: HashingBackend(maxLength: 512)), cache: nil)
            .index(corpus([text]), task: nil, chunkTokens: 100)
        // 11 tokens per sentence → 9 sentences (99 tokens) per chunk.
        XCTAssertEqual(indexed.chunks.count, (10_000_000 / sentence.utf8.count + 8) / 9)
        XCTAssertEqual(indexed.chunks.first?.text, String(repeating: sentence, count: 9).trimmingCharacters(in: .whitespaces))
        XCTAssertEqual(indexed.vectors.count, indexed.chunks.count)
        XCTAssertLessThan(Date().timeIntervalSince(start), 120, "linear work, even in a debug build")
    }

    func testCorruptCacheFilesAreMovedAsideAndRebuilt() throws {
        for damage in ["junk", "truncate"] {
            let home = dir.appendingPathComponent(damage)
            do {
                let cache = try EmbeddingCache.open(directory: home)
                let entries = (0..<400).map { i -> (key: CacheKey, vectors: [[Float]]) in
                    (CacheKey.make(fingerprint: "f", task: nil, prefixApplied: false, maxLength: 8, text: "t\(i)", chunks: nil),
                     [[Float](repeating: Float(i), count: 64)])
                }
                try cache.store(entries, model: "m", fingerprint: "f", task: nil)
                try cache.close()
            }
            let file = home.appendingPathComponent(EmbeddingCache.fileName)
            let original = try Data(contentsOf: file)
            if damage == "junk" {
                var rng = SeededRNG(seed: 7)
                try Data((0..<original.count).map { _ in UInt8.random(in: 0...255, using: &rng) }).write(to: file)
            } else {
                try original.prefix(original.count / 2).write(to: file)
            }
            let log = LogSink()
            let cache = try EmbeddingCache.open(directory: home, log: { log.add($0) })
            XCTAssertEqual(log.all.count, 1, damage)
            XCTAssertTrue(log.all.first?.contains("moved it to cache.sqlite.corrupt-") ?? false, "\(log.all)")
            let names = try FileManager.default.contentsOfDirectory(atPath: home.path)
            XCTAssertTrue(names.contains { $0.hasPrefix("cache.sqlite.corrupt-") }, "\(names)")
            // The new cache works.
            XCTAssertEqual(try cache.stats().entries, 0)
            let key = CacheKey.make(fingerprint: "f", task: nil, prefixApplied: false, maxLength: 8, text: "x", chunks: nil)
            try cache.store([(key, [[1, 2, 3]])], model: "m", fingerprint: "f", task: nil)
            XCTAssertEqual(try cache.lookup([key], parts: [key: 1])[key], [[1, 2, 3]])
        }
    }
}
