import Foundation
import EmbeddingEngine

/// The corpus embedded at full dimension: one vector per chunk (a document without chunking is one chunk).
public struct IndexedCorpus: Sendable {
    public var corpus: LoadedCorpus
    public var chunks: [Chunk]
    /// [chunks.count] full-size, L2-normalized vectors.
    public var vectors: [[Float]]
    public var task: String?
    /// Newly computed vs found in the cache (embedded + cached = chunks.count).
    public var embedded: Int
    public var cached: Int
    public init(corpus: LoadedCorpus, chunks: [Chunk], vectors: [[Float]], task: String?, embedded: Int, cached: Int) {
        self.corpus = corpus; self.chunks = chunks; self.vectors = vectors; self.task = task
        self.embedded = embedded; self.cached = cached
    }
}

/// Embeds a corpus through the encoder (local or remote), reading and filling the cache.
///
/// Flow: plan chunks → cache lookup → only the missing items go to the encoder (bulk priority; identical
/// texts once) → each finished batch is written to the cache as it arrives, so a killed process loses at
/// most the batch in flight → vectors assembled in chunk order. A cache that fails to write is reported
/// once and indexing carries on without it.
public struct Indexer: Sendable {
    /// The local EncoderService or a pool of remote endpoints.
    public let encoder: any EmbeddingEncoder
    public let cache: EmbeddingCache?

    public init(encoder: any EmbeddingEncoder, cache: EmbeddingCache?) {
        self.encoder = encoder; self.cache = cache
    }

    /// `chunkTokens` nil = one vector per document (long documents truncated to the model's max length);
    /// otherwise documents are split into sentence-aware chunks of at most that many tokens, embedded
    /// with late chunking (or each chunk on its own when the encoder cannot late-chunk). Progress is
    /// observable on the encoder.
    /// `onPartial`, when given, receives the part that is done so far as an IndexedCorpus over a subset
    /// of the chunks (in chunk order), so a caller can search a large corpus while the rest is still
    /// being embedded: after the cache lookup, then after finished batches at most once per
    /// `partialInterval` seconds (0: after every batch). The finished index is the return value.
    public func index(_ corpus: LoadedCorpus, task: String?, applyPrefix: Bool = true, chunkTokens: Int? = nil,
                      partialInterval: Double = 1, onPartial: (@Sendable (IndexedCorpus) -> Void)? = nil)
        async throws -> IndexedCorpus {
        if let chunkTokens, chunkTokens < 1 {
            throw CorpusError.invalidOption("--chunk-tokens must be at least 1 (got \(chunkTokens))")
        }
        let encoder = self.encoder
        var plan = IndexPlan.whole(corpus)
        if let chunkTokens {
            // Room for the task prefix, the special tokens and a margin for tokenizing a window on its own.
            let overhead = try await encoder.encode([""], task: task, applyPrefix: applyPrefix, addSpecialTokens: true)
                .first?.count ?? 0
            let window = max(1, encoder.maxLength - overhead - 8)
            plan = try await IndexPlan.make(corpus, chunkTokens: chunkTokens, windowTokens: window,
                                            lateChunking: encoder.supportsLateChunking,
                                            tokenSpans: { try await encoder.tokenSpans($0) })
        }
        var onItems: (@Sendable ([Int], [[[Float]]]) -> Void)?
        if let onPartial {
            let partial = PartialIndex(plan: plan, corpus: corpus, task: task, interval: partialInterval, deliver: onPartial)
            onItems = { items, vectors in partial.add(items: items, vectors: vectors) }
        }
        let vectorsPerItem = try await vectors(for: plan.items, task: task, applyPrefix: applyPrefix, priority: .bulk,
                                               onItems: onItems)
        var vectors: [[Float]] = []
        vectors.reserveCapacity(plan.chunks.count)
        var cachedChunks = 0
        for source in plan.source {
            vectors.append(vectorsPerItem.vectors[source.item][source.part])
            if vectorsPerItem.fromCache[source.item] { cachedChunks += 1 }
        }
        return IndexedCorpus(corpus: corpus, chunks: plan.chunks, vectors: vectors, task: task,
                             embedded: plan.chunks.count - cachedChunks, cached: cachedChunks)
    }

    /// Embeds free texts (queries, scratch texts) through the cache at interactive priority.
    public func embed(texts: [String], task: String?, applyPrefix: Bool = true,
                      priority: RequestPriority = .interactive) async throws -> [[Float]] {
        try await vectors(for: texts.map { EmbeddingItem(text: $0) }, task: task, applyPrefix: applyPrefix,
                          priority: priority).vectors.map { $0[0] }
    }

    /// As above for typed queries: a later call with the same `supersedingKey` cancels this one (it then
    /// throws CancellationError and never delivers), so search-as-you-type only pays for the newest query.
    public func embed(texts: [String], task: String?, applyPrefix: Bool = true, priority: RequestPriority = .interactive,
                      supersedingKey: String?) async throws -> [[Float]] {
        try await vectors(for: texts.map { EmbeddingItem(text: $0) }, task: task, applyPrefix: applyPrefix,
                          priority: priority, supersedingKey: supersedingKey).vectors.map { $0[0] }
    }

    /// As `embed(texts:)`, also saying how many came from the cache (for `loupe embed` summaries).
    public func embedCounting(texts: [String], task: String?, applyPrefix: Bool = true,
                              priority: RequestPriority = .interactive) async throws -> (vectors: [[Float]], cached: Int) {
        let r = try await vectors(for: texts.map { EmbeddingItem(text: $0) }, task: task, applyPrefix: applyPrefix,
                                  priority: priority)
        return (r.vectors.map { $0[0] }, r.fromCache.filter { $0 }.count)
    }

    /// The cache key of an item under this encoder's model (a remote pool's fingerprint names the remote
    /// model, never a local one: see RemoteEncoders' `RemoteIdentity`).
    public func key(_ item: EmbeddingItem, task: String?, applyPrefix: Bool) -> CacheKey {
        let info = encoder.info
        let instruction = task.flatMap { info.instructions[$0] } ?? ""
        return CacheKey.make(fingerprint: info.fingerprint, task: task, prefixApplied: applyPrefix && !instruction.isEmpty,
                             maxLength: encoder.maxLength, text: item.text, chunks: item.chunks)
    }

    // MARK: -

    /// `onItems(indices, vectors)`: items whose vectors are known, as they become known (cache hits
    /// first, then each computed batch, every item sharing a text included).
    private func vectors(for items: [EmbeddingItem], task: String?, applyPrefix: Bool,
                         priority: RequestPriority, supersedingKey: String? = nil,
                         onItems: (@Sendable ([Int], [[[Float]]]) -> Void)? = nil) async throws -> (vectors: [[[Float]]], fromCache: [Bool]) {
        let keys = items.map { key($0, task: task, applyPrefix: applyPrefix) }
        var parts: [CacheKey: Int] = [:]
        for (k, item) in zip(keys, items) { parts[k] = item.chunks?.count ?? 1 }

        var found: [CacheKey: [[Float]]] = [:]
        if let cache {
            do { found = try cache.lookup(keys, parts: parts) } catch { cache.log("\(error); continuing without it") }
        }
        if let onItems {
            let hits = keys.indices.filter { found[keys[$0]] != nil }
            if !hits.isEmpty { onItems(hits, hits.map { found[keys[$0]]! }) }
        }
        // Missing items, each distinct key once.
        var missing: [EmbeddingItem] = []
        var missingKeys: [CacheKey] = []
        var seen = Set<CacheKey>()
        for (k, item) in zip(keys, items) where found[k] == nil && seen.insert(k).inserted {
            missing.append(item); missingKeys.append(k)
        }

        if !missing.isEmpty {
            let writer = cache.map { CacheWriter(cache: $0, info: encoder.info, task: task) }
            let batchKeys = missingKeys
            var itemsOfKey: [CacheKey: [Int]] = [:]
            if onItems != nil { for (i, k) in keys.enumerated() where found[k] == nil { itemsOfKey[k, default: []].append(i) } }
            let itemsByKey = itemsOfKey
            let computed = try await encoder.embed(missing, task: task, applyPrefix: applyPrefix, normalize: true,
                                                   priority: priority, supersedingKey: supersedingKey, onBatch: { indices, vectors in
                writer?.write(indices.enumerated().map { (batchKeys[$0.element], vectors[$0.offset]) })
                if let onItems {
                    var done: [Int] = [], values: [[[Float]]] = []
                    for (offset, m) in indices.enumerated() {
                        for item in itemsByKey[batchKeys[m]] ?? [] { done.append(item); values.append(vectors[offset]) }
                    }
                    onItems(done, values)
                }
            })
            for (k, v) in zip(missingKeys, computed) { found[k] = v }
        } else if let supersedingKey {
            // Served from the cache without touching the (maybe busy) encoder; an older request
            // under the same key is still superseded.
            encoder.cancelRequest(supersedingKey: supersedingKey)
        }
        try Task.checkCancellation()  // a cancelled request never delivers, even when served from the cache
        let fromCache = keys.map { !seen.contains($0) }
        let vectors = try keys.enumerated().map { i, k -> [[Float]] in
            guard let v = found[k] else { throw CorpusError.missingVector(item: i, of: keys.count) }
            return v
        }
        return (vectors, fromCache)
    }
}

/// Collects item vectors as they arrive and hands the finished chunks (in chunk order) to `deliver`,
/// at most once per `interval` seconds (building a snapshot walks every chunk).
private final class PartialIndex: @unchecked Sendable {
    let plan: IndexPlan
    let corpus: LoadedCorpus
    let task: String?
    let interval: Double
    let deliver: @Sendable (IndexedCorpus) -> Void
    private let lock = NSLock()
    private var itemVectors: [[[Float]]?]
    private var lastDelivery: UInt64?

    init(plan: IndexPlan, corpus: LoadedCorpus, task: String?, interval: Double,
         deliver: @escaping @Sendable (IndexedCorpus) -> Void) {
        self.plan = plan; self.corpus = corpus; self.task = task; self.interval = interval; self.deliver = deliver
        itemVectors = Array(repeating: nil, count: plan.items.count)
    }

    func add(items: [Int], vectors: [[[Float]]]) {
        let snapshot: IndexedCorpus? = lock.withLock {
            for (i, v) in zip(items, vectors) where i < itemVectors.count { itemVectors[i] = v }
            let now = DispatchTime.now().uptimeNanoseconds
            if let last = lastDelivery, Double(now - last) / 1e9 < interval { return nil }
            lastDelivery = now
            var chunks: [Chunk] = [], rows: [[Float]] = []
            for (c, source) in zip(plan.chunks, plan.source) {
                guard let v = itemVectors[source.item], source.part < v.count else { continue }
                chunks.append(c); rows.append(v[source.part])
            }
            return IndexedCorpus(corpus: corpus, chunks: chunks, vectors: rows, task: task, embedded: 0, cached: 0)
        }
        if let snapshot { deliver(snapshot) }
    }
}

/// Writes batches to the cache; the first failure is reported, later ones are silent (the cache is an
/// optimization: indexing carries on).
private final class CacheWriter: @unchecked Sendable {
    let cache: EmbeddingCache
    let info: ModelInfo
    let task: String?
    private let lock = NSLock()
    private var failed = false

    init(cache: EmbeddingCache, info: ModelInfo, task: String?) { self.cache = cache; self.info = info; self.task = task }

    func write(_ entries: [(key: CacheKey, vectors: [[Float]])]) {
        do {
            try cache.store(entries, model: info.name, fingerprint: info.fingerprint, task: task)
        } catch {
            let first = lock.withLock { () -> Bool in defer { failed = true }; return !failed }
            if first { cache.log("\(error); new embeddings are not being saved") }
        }
    }
}
