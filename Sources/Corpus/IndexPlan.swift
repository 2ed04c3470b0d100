import EmbeddingEngine

/// What to embed for a corpus: its chunks, the items that produce their vectors, and which vector of
/// which item each chunk gets.
struct IndexPlan {
    var chunks: [Chunk] = []
    var items: [EmbeddingItem] = []
    /// Per chunk: (item index, part index within the item's vectors).
    var source: [(item: Int, part: Int)] = []

    /// Without `chunkTokens` every document is one item (truncated by the model if too long). With it,
    /// a document longer than `chunkTokens` tokens is split by the Chunker and its chunks are grouped into
    /// windows that fit the model's input (`windowTokens`); a window of several chunks is one late-chunked
    /// item, so each chunk vector sees its neighbours' context.
    static func make(_ corpus: LoadedCorpus, chunkTokens: Int?, windowTokens: Int,
                     tokenSpans: (String) -> [Range<Int>]) -> IndexPlan {
        var plan = IndexPlan()
        for doc in corpus.documents {
            guard let chunkTokens else {
                plan.addWhole(doc)
                continue
            }
            let budget = max(1, min(chunkTokens, windowTokens))
            let spans = tokenSpans(doc.text)
            if spans.count <= budget {
                plan.addWhole(doc)
                continue
            }
            let scalars = Array(doc.text.unicodeScalars)
            let chunkSpans = Chunker.chunks(of: doc.text, maxTokens: budget, tokenSpans: spans)
            let starts = spans.map(\.lowerBound)
            for window in windows(chunkSpans, tokenStarts: starts, limit: windowTokens) {
                let origin = window[0].lowerBound
                let windowSpan = origin..<window[window.count - 1].upperBound
                let windowText = Chunker.text(scalars, windowSpan)
                let itemIndex = plan.items.count
                if window.count == 1 {
                    plan.items.append(EmbeddingItem(text: windowText))
                } else {
                    let relative = window.map { ($0.lowerBound - origin)..<($0.upperBound - origin) }
                    plan.items.append(EmbeddingItem(text: windowText, chunks: relative))
                }
                for (part, span) in window.enumerated() {
                    plan.chunks.append(Chunk(document: doc.index, span: span, text: Chunker.text(scalars, span)))
                    plan.source.append((itemIndex, window.count == 1 ? 0 : part))
                }
            }
        }
        return plan
    }

    private mutating func addWhole(_ doc: Document) {
        source.append((items.count, 0))
        items.append(EmbeddingItem(text: doc.text))
        chunks.append(Chunk(document: doc.index, span: 0..<doc.text.unicodeScalars.count, text: doc.text))
    }

    /// Consecutive chunks grouped while their tokens (counted from `tokenStarts`) stay within `limit`.
    static func windows(_ chunks: [Range<Int>], tokenStarts: [Int], limit: Int) -> [[Range<Int>]] {
        func tokens(_ span: Range<Int>) -> Int { lowerBound(tokenStarts, span.upperBound) - lowerBound(tokenStarts, span.lowerBound) }
        var result: [[Range<Int>]] = []
        var current: [Range<Int>] = []
        for chunk in chunks {
            if let first = current.first, tokens(first.lowerBound..<chunk.upperBound) > limit {
                result.append(current)
                current = []
            }
            current.append(chunk)
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// First index whose value is ≥ x (sorted input).
    static func lowerBound(_ a: [Int], _ x: Int) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
