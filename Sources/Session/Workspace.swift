import Analysis
import Corpus
import EmbeddingEngine
import Evaluation
import Foundation

/// A corpus's vectors as the questions need them at one dimension: per chunk (search) and per
/// document (everything else; see Questions.swift for the one definition).
public struct CorpusVectors: Sendable {
    public var chunks: Vectors                 // [chunks, dim]
    /// The document of each chunk row.
    public var chunkDocuments: [Int]
    public var chunkSpans: [Range<Int>]
    public var documents: Vectors              // [documents, dim]
}

/// One loaded corpus in a session: its indexes under each task looked at (and the part embedded so
/// far of one still being built), their Matryoshka truncations, and the clusterings computed on them.
/// An actor so background tasks share it; `answer` runs the heavy work outside it on snapshots.
public actor Workspace {
    public nonisolated let engine: Engine
    public nonisolated let corpus: LoadedCorpus
    /// Split documents longer than this many tokens into chunks (late chunking); nil = whole documents.
    public nonisolated let chunkTokens: Int?
    /// A labelled data set to evaluate the model on (`loupe explore --eval`), if any.
    public nonisolated let evaluation: EvalDataset?

    private var indexes: [TaskKey: IndexedCorpus] = [:]
    /// The part embedded so far of indexes still being built (written from the encoder's queue).
    private nonisolated let partials = PartialIndexes()
    private var lenses: [Lens: CorpusVectors] = [:]
    private var clusterings: [ClusterKey: Clustering] = [:]
    private var evaluationReport: EvalReport?

    struct TaskKey: Hashable { var task: String? }
    struct ClusterKey: Hashable { var lens: Lens; var spec: ClusterSpec }

    public init(engine: Engine, corpus: LoadedCorpus, chunkTokens: Int? = nil, evaluation: EvalDataset? = nil) throws {
        if let n = chunkTokens, n < 1 { throw SessionError.options("--chunk-tokens must be at least 1 (got \(n))") }
        guard !corpus.documents.isEmpty else { throw CorpusError.empty("no documents were found in \(corpus.sources.joined(separator: ", "))") }
        self.engine = engine; self.corpus = corpus; self.chunkTokens = chunkTokens; self.evaluation = evaluation
    }

    public nonisolated var texts: [String] { corpus.documents.map(\.text) }

    // MARK: - Indexing

    /// The finished index under `task`, if there is one.
    public func index(for task: String?) -> IndexedCorpus? { indexes[TaskKey(task: task)] }

    /// Embeds the corpus under `task` through the cache (once: a finished index is kept) and keeps it.
    /// While it runs, the part embedded so far is kept for search and `onPartial` hears its chunk count
    /// (at most once per `partialInterval` seconds). Progress is observable on `engine.encoder`.
    /// The returned counts say what this call did: a kept index reports everything as cached.
    @discardableResult
    public nonisolated func index(task: String?, partialInterval: Double = 1,
                                  onPartial: (@Sendable (Int) -> Void)? = nil) async throws -> IndexedCorpus {
        if var done = await index(for: task) {
            done.embedded = 0; done.cached = done.chunks.count
            return done
        }
        let partials = self.partials
        let partial: @Sendable (IndexedCorpus) -> Void = { snapshot in
            if partials.store(snapshot, task: task) { onPartial?(snapshot.chunks.count) }
        }
        let indexed = try await engine.indexer.index(corpus, task: task, applyPrefix: engine.applyPrefix,
                                                     chunkTokens: chunkTokens, partialInterval: partialInterval,
                                                     onPartial: partial)
        try Task.checkCancellation()
        await store(indexed, task: task)
        return indexed
    }

    func store(_ indexed: IndexedCorpus, task: String?) {
        indexes[TaskKey(task: task)] = indexed
        partials.finish(task: task)
    }

    // MARK: - Vectors

    /// The corpus under `lens`; nil until that task is indexed.
    public func vectors(_ lens: Lens) -> CorpusVectors? {
        if let v = lenses[lens] { return v }
        guard let indexed = indexes[TaskKey(task: lens.task)] else { return nil }
        let v = Self.vectors(indexed, dim: lens.dim, documentCount: corpus.documents.count)
        lenses[lens] = v
        return v
    }

    /// For search: the full index when there is one, else the part embedded so far (nil if none).
    public func searchVectors(_ lens: Lens) -> CorpusVectors? {
        if let full = vectors(lens) { return full }
        guard let partial = partials.snapshot(task: lens.task) else { return nil }
        return Self.vectors(partial, dim: lens.dim, documentCount: corpus.documents.count)
    }

    static func vectors(_ indexed: IndexedCorpus, dim: Int, documentCount n: Int) -> CorpusVectors {
        let full = Vectors(rows: indexed.vectors)
        let chunks = dim < full.dim ? Analysis.truncate(full, to: dim) : full
        let chunkDocuments = indexed.chunks.map(\.document)
        let whole = chunkDocuments == Array(0..<n)
        let documents = whole ? chunks : Analysis.groupMeans(chunks, groups: chunkDocuments, groupCount: n)
        return CorpusVectors(chunks: chunks, chunkDocuments: chunkDocuments, chunkSpans: indexed.chunks.map(\.span),
                             documents: documents)
    }

    func clustering(_ key: ClusterKey) -> Clustering? { clusterings[key] }
    func store(_ c: Clustering, _ key: ClusterKey) { clusterings[key] = c }
    func storedEvaluation() -> EvalReport? { evaluationReport }
    func store(_ report: EvalReport) { evaluationReport = report }
}

/// The newest partial index per task, kept under a lock: the Indexer hands snapshots over on the
/// encoder's queue, and search reads them from any task.
final class PartialIndexes: @unchecked Sendable {
    private let lock = NSLock()
    private var snapshots: [String?: IndexedCorpus] = [:]
    private var finished: Set<String?> = []

    /// Keeps `partial` unless a larger one (or the finished index) is there; false when it was stale.
    func store(_ partial: IndexedCorpus, task: String?) -> Bool {
        lock.withLock {
            guard !partial.chunks.isEmpty, !finished.contains(task) else { return false }
            if let old = snapshots[task], old.chunks.count >= partial.chunks.count { return false }
            snapshots[task] = partial
            return true
        }
    }

    func snapshot(task: String?) -> IndexedCorpus? { lock.withLock { snapshots[task] } }

    /// The full index is there: drop the snapshot and ignore late ones.
    func finish(task: String?) { lock.withLock { snapshots[task] = nil; finished.insert(task) } }
}
