import Analysis
import Corpus

extension SearchHit {
    /// Chunk hits (best first) → one hit per document, its best chunk, with that chunk's span
    /// when it is not the whole document (so the view highlights it), at most `k`.
    public static func bestChunkPerDocument(_ hits: [Hit], chunks: [Chunk], texts: [String], k: Int) -> [SearchHit] {
        var seen = Set<Int>()
        var out: [SearchHit] = []
        for hit in hits {
            guard hit.index >= 0, hit.index < chunks.count else { continue }
            let chunk = chunks[hit.index]
            guard seen.insert(chunk.document).inserted else { continue }
            let whole = chunk.document < texts.count && chunk.span == 0..<texts[chunk.document].unicodeScalars.count
            out.append(SearchHit(document: chunk.document, score: hit.score, span: whole ? nil : chunk.span))
            if out.count == k { break }
        }
        return out
    }
}
