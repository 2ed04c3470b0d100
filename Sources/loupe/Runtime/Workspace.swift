import Analysis
import Corpus
import Foundation

/// Corpus vectors as the analyses need them: per chunk (search) and per document (everything else).
struct LensVectors: Sendable {
    var chunks: Vectors                 // [chunks, dim]
    var documents: Vectors              // [documents, dim]
    var chunkList: [Chunk]
}

/// The indexed corpus under each task the person has looked at, and its Matryoshka truncations.
/// An actor so background tasks can share it; the heavy analyses run outside it on snapshots.
actor Workspace {
    let corpus: LoadedCorpus
    private var indexes: [String: IndexedCorpus] = [:]
    /// What is embedded so far of an index still being built (search only).
    private var partials: [String: IndexedCorpus] = [:]
    private var lenses: [String: LensVectors] = [:]
    private var clusterings: [String: Clustering] = [:]

    init(corpus: LoadedCorpus) { self.corpus = corpus }

    static func key(_ task: String?) -> String { task ?? "\u{0}none" }

    func index(for task: String?) -> IndexedCorpus? { indexes[Self.key(task)] }

    func store(_ indexed: IndexedCorpus, task: String?) {
        indexes[Self.key(task)] = indexed
        partials[Self.key(task)] = nil
    }

    /// Keeps the newest partial index under `task` (ignored once the full index is there).
    func storePartial(_ partial: IndexedCorpus, task: String?) {
        guard indexes[Self.key(task)] == nil else { return }
        if let old = partials[Self.key(task)], old.chunks.count >= partial.chunks.count { return }
        partials[Self.key(task)] = partial
    }

    /// For search: the full index when there is one, else the part embedded so far (nil if none).
    func searchVectors(task: String?, dim: Int) -> LensVectors? {
        if let full = vectors(task: task, dim: dim) { return full }
        guard let partial = partials[Self.key(task)], !partial.chunks.isEmpty else { return nil }
        let rows = Vectors(rows: partial.vectors)
        let chunks = dim < rows.dim ? Analysis.truncate(rows, to: dim) : rows
        return LensVectors(chunks: chunks, documents: chunks, chunkList: partial.chunks)
    }

    /// The corpus under `task` truncated to `dim` (and re-normalized); nil until that task is indexed.
    func vectors(task: String?, dim: Int) -> LensVectors? {
        let key = "\(Self.key(task))@\(dim)"
        if let v = lenses[key] { return v }
        guard let indexed = indexes[Self.key(task)] else { return nil }
        let full = Vectors(rows: indexed.vectors)
        let chunks = dim < full.dim ? Analysis.truncate(full, to: dim) : full
        let documents = Self.documentVectors(chunks: chunks, chunkList: indexed.chunks, documents: corpus.documents.count)
        let v = LensVectors(chunks: chunks, documents: documents, chunkList: indexed.chunks)
        lenses[key] = v
        return v
    }

    func clustering(task: String?, dim: Int, k: Int?) -> Clustering? {
        clusterings["\(Self.key(task))@\(dim)#\(k ?? 0)"]
    }

    func store(_ c: Clustering, task: String?, dim: Int, k: Int?) {
        clusterings["\(Self.key(task))@\(dim)#\(k ?? 0)"] = c
    }

    /// One vector per document: its chunk when unchunked, else the normalized mean of its chunks.
    static func documentVectors(chunks: Vectors, chunkList: [Chunk], documents n: Int) -> Vectors {
        guard chunkList.count != n || zip(chunkList.indices, chunkList).contains(where: { $0 != $1.document }) else {
            return chunks
        }
        let d = chunks.dim
        var sums = [Float](repeating: 0, count: n * d)     // [documents, dim]
        for (i, c) in chunkList.enumerated() where c.document < n && i < chunks.count {
            let row = chunks.row(i)
            for j in 0..<d { sums[c.document * d + j] += row[row.startIndex + j] }
        }
        for r in 0..<n {
            var norm: Float = 0
            for j in 0..<d { norm += sums[r * d + j] * sums[r * d + j] }
            let s = 1 / max(norm.squareRoot(), 1e-12)
            for j in 0..<d { sums[r * d + j] *= s }
        }
        return Vectors(data: sums, count: n, dim: d)
    }
}
