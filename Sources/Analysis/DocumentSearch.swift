import Foundation

/// Search and neighbours over documents embedded as several chunks (late chunking): a document
/// scores its best chunk. `chunkDocuments[c]` is the document (0..<documentCount) of chunk row c.
extension Analysis {
    /// Top-k documents for `query`: each document's score is its best chunk's dot product with the
    /// query; ties by lower document index; documents in `excluding` or without chunks are skipped.
    /// A query of the wrong length gives `[]`.
    public static func searchDocuments(query: [Float], chunks: Vectors, chunkDocuments: [Int], documentCount: Int,
                                       k: Int, excluding: Set<Int> = []) -> [Hit] {
        let s = documentScores(chunkScores: scores(query: query, in: chunks), chunkDocuments: chunkDocuments,
                               documentCount: documentCount)
        return topK(s, k: k, excluding: excluding)
    }

    /// The k documents nearest to document `index`: a document's score is its best chunk pair with
    /// `index`'s chunks; `index` itself excluded. Out of range or chunkless → `[]`.
    public static func documentNeighbours(of index: Int, chunks: Vectors, chunkDocuments: [Int], documentCount: Int,
                                          k: Int) -> [Hit] {
        guard index >= 0, index < documentCount else { return [] }
        var best = [Float](repeating: -.infinity, count: documentCount)
        for c in 0..<min(chunks.count, chunkDocuments.count) where chunkDocuments[c] == index {
            let s = documentScores(chunkScores: scores(query: Array(chunks.row(c)), in: chunks),
                                   chunkDocuments: chunkDocuments, documentCount: documentCount)
            for d in 0..<documentCount where s[d] > best[d] { best[d] = s[d] }
        }
        return topK(best, k: k, excluding: [index])
    }
}
