import Foundation
import EmbeddingEngine

// PLACEHOLDER API — implemented by the corpus/cache work (issue 4). Keep these public signatures.

/// The corpus embedded at full dimension: one vector per chunk (a document without chunking is one chunk).
public struct IndexedCorpus: Sendable {
    public var corpus: LoadedCorpus
    public var chunks: [Chunk]
    /// [chunks.count] full-size, L2-normalized vectors.
    public var vectors: [[Float]]
    public var task: String?
    /// Newly computed vs found in the cache.
    public var embedded: Int
    public var cached: Int
    public init(corpus: LoadedCorpus, chunks: [Chunk], vectors: [[Float]], task: String?, embedded: Int, cached: Int) {
        self.corpus = corpus; self.chunks = chunks; self.vectors = vectors; self.task = task
        self.embedded = embedded; self.cached = cached
    }
}

/// Persistent embedding cache (SQLite, WAL) under `${LOUPE_HOME:-~/.cache/loupe}`.
public final class EmbeddingCache: @unchecked Sendable {
    public static func open(directory: URL) throws -> EmbeddingCache { EmbeddingCache() }
    /// `${LOUPE_HOME:-~/.cache/loupe}`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let h = environment["LOUPE_HOME"], !h.isEmpty { return URL(fileURLWithPath: h) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/loupe")
    }
}

/// Embeds a corpus through the service, reading and filling the cache.
public struct Indexer: Sendable {
    public init(service: EncoderService, cache: EmbeddingCache?) {}
    /// `chunkTokens` nil = one vector per document (long documents truncated to the model's max length);
    /// otherwise documents are split into sentence-aware chunks of at most that many tokens, embedded
    /// with late chunking. Progress is observable on the service.
    public func index(_ corpus: LoadedCorpus, task: String?, applyPrefix: Bool = true,
                      chunkTokens: Int? = nil) async throws -> IndexedCorpus {
        throw CorpusError.empty("not implemented")
    }
    /// Embeds free texts (queries, scratch texts) through the cache at interactive priority.
    public func embed(texts: [String], task: String?, applyPrefix: Bool = true,
                      priority: RequestPriority = .interactive) async throws -> [[Float]] { [] }
}
