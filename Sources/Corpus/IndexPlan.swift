import EmbeddingEngine

/// What to embed for a corpus: its chunks, the items that produce their vectors, and which vector of
/// which item each chunk gets.
struct IndexPlan {
    var chunks: [Chunk] = []
    var items: [EmbeddingItem] = []
    /// Per chunk: (item index, part index within the item's vectors).
    var source: [(item: Int, part: Int)] = []

    /// One item per document (truncated by the model if too long).
    static func whole(_ corpus: LoadedCorpus) -> IndexPlan {
        var plan = IndexPlan()
        for doc in corpus.documents { plan.addWhole(doc) }
        return plan
    }

    /// A document longer than `chunkTokens` tokens is split by the Chunker and its chunks are grouped
    /// into windows that fit the model's input (`windowTokens`); with `lateChunking` a window of several
    /// chunks is one late-chunked item, so each chunk vector sees its neighbours' context; without it
    /// (an endpoint that cannot late-chunk) every chunk is an item of its own. `tokenSpans` is asked for
    /// the documents' token spans a group at a time (a remote tokenizer answers many texts per request;
    /// the spans of a large corpus are never all in memory).
    static func make(_ corpus: LoadedCorpus, chunkTokens: Int, windowTokens: Int, lateChunking: Bool = true,
                     tokenSpans: ([String]) async throws -> [[Range<Int>]]) async throws -> IndexPlan {
        var plan = IndexPlan()
        let budget = max(1, min(chunkTokens, windowTokens))
        for start in stride(from: 0, to: corpus.documents.count, by: 256) {
            let group = corpus.documents[start..<min(start + 256, corpus.documents.count)]
            let spansOfGroup = try await tokenSpans(group.map(\.text))
            guard spansOfGroup.count == group.count else {
                throw CorpusError.invalidOption("the tokenizer returned spans of \(spansOfGroup.count) texts for \(group.count)")
            }
            for (doc, spans) in zip(group, spansOfGroup) {
                if spans.count <= budget {
                    plan.addWhole(doc)
                } else {
                    plan.addChunks(doc, spans: spans, budget: budget, windowTokens: windowTokens, lateChunking: lateChunking)
                }
            }
        }
        return plan
    }

    private mutating func addChunks(_ doc: Document, spans: [Range<Int>], budget: Int, windowTokens: Int, lateChunking: Bool) {
        let scalars = Array(doc.text.unicodeScalars)
        let chunkSpans = Chunker.chunks(of: doc.text, maxTokens: budget, tokenSpans: spans)
        let starts = spans.map(\.lowerBound)
        let groups = lateChunking ? Self.windows(chunkSpans, tokenStarts: starts, limit: windowTokens) : chunkSpans.map { [$0] }
        for window in groups {
            let origin = window[0].lowerBound
            let windowSpan = origin..<window[window.count - 1].upperBound
            let windowText = Chunker.text(scalars, windowSpan)
            let itemIndex = items.count
            if window.count == 1 {
                items.append(EmbeddingItem(text: windowText))
            } else {
                let relative = window.map { ($0.lowerBound - origin)..<($0.upperBound - origin) }
                items.append(EmbeddingItem(text: windowText, chunks: relative))
            }
            for (part, span) in window.enumerated() {
                chunks.append(Chunk(document: doc.index, span: span, text: Chunker.text(scalars, span)))
                source.append((itemIndex, window.count == 1 ? 0 : part))
            }
        }
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
