import Foundation

/// Search over documents embedded as several chunks (late chunking): a document scores its best
/// chunk, and the answer names that chunk. `chunkDocuments[c]` is the document (0..<documentCount)
/// of chunk row c.
public struct ChunkedHit: Sendable, Equatable {
    public var document: Int
    public var score: Float
    /// The row (in the chunk vectors) of the document's best chunk.
    public var chunk: Int
    public init(document: Int, score: Float, chunk: Int) { self.document = document; self.score = score; self.chunk = chunk }
}

extension Analysis {
    /// Exact top-k documents for `query`: each document's score is its best chunk's dot product with the
    /// query (the first such chunk on ties); ties between documents go to the lower index; documents in
    /// `excluding` or without chunks are skipped, so the answer holds min(k, documents with chunks)
    /// distinct documents. A query of the wrong length gives `[]`.
    public static func searchDocuments(query: [Float], chunks: Vectors, chunkDocuments: [Int], documentCount: Int,
                                       k: Int, excluding: Set<Int> = []) -> [ChunkedHit] {
        let chunkScores = scores(query: query, in: chunks)
        let best = bestChunks(chunkScores: chunkScores, chunkDocuments: chunkDocuments, documentCount: documentCount)
        let documentScores = best.map { $0 < 0 ? -Float.infinity : chunkScores[$0] }
        return topK(documentScores, k: k, excluding: excluding).map {
            ChunkedHit(document: $0.index, score: $0.score, chunk: best[$0.index])
        }
    }

    /// Per document, the row of its best-scoring chunk (the first on ties), or -1 when it has none.
    public static func bestChunks(chunkScores: [Float], chunkDocuments: [Int], documentCount: Int) -> [Int] {
        var best = [Int](repeating: -1, count: max(documentCount, 0))
        for c in 0..<min(chunkScores.count, chunkDocuments.count) {
            let d = chunkDocuments[c]
            guard d >= 0, d < best.count, chunkScores[c] == chunkScores[c] else { continue }
            if best[d] < 0 || chunkScores[c] > chunkScores[best[d]] { best[d] = c }
        }
        return best
    }
}
