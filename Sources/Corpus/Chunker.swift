/// Splits a document into sentence-aware chunks of at most `maxTokens` tokens.
///
/// Sentences end at `.`, `!`, `?`, `…` followed by a space (or the end), at the CJK full stops `。！？`
/// (no space needed), and at line breaks; closing quotes and brackets stay with their sentence. Whole
/// sentences are packed into a chunk while they fit; a sentence longer than the budget is cut at token
/// boundaries. Spans are in Unicode scalars (what `Chunk.span` and late chunking use), never empty,
/// without surrounding whitespace, in order and non-overlapping.
public enum Chunker {
    public static func chunks(of text: String, maxTokens: Int, tokenSpans: [Range<Int>]) -> [Range<Int>] {
        let scalars = Array(text.unicodeScalars)
        let budget = max(1, maxTokens)
        let sentences = self.sentences(scalars)
        // Token start offsets per sentence (tokens are sorted; a token belongs to the sentence it starts in,
        // or to the next one when it starts in the whitespace between two).
        var tokensOf = [[Int]](repeating: [], count: sentences.count)
        var s = 0
        for token in tokenSpans where !token.isEmpty {
            while s < sentences.count && sentences[s].upperBound <= token.lowerBound { s += 1 }
            guard s < sentences.count else { break }
            tokensOf[s].append(max(token.lowerBound, sentences[s].lowerBound))
        }

        var result: [Range<Int>] = []
        var current: Range<Int>? = nil
        var currentTokens = 0
        func flush() {
            if let c = current { result.append(c) }
            current = nil; currentTokens = 0
        }
        for (k, sentence) in sentences.enumerated() {
            let count = tokensOf[k].count
            if count > budget {
                flush()
                // Cut at every `budget`-th token start; the first piece starts at the sentence start.
                var cuts = stride(from: budget, to: count, by: budget).map { tokensOf[k][$0] }
                cuts = cuts.filter { $0 > sentence.lowerBound && $0 < sentence.upperBound }
                var start = sentence.lowerBound
                for cut in cuts {
                    let piece = trim(start..<cut, scalars)
                    if !piece.isEmpty { result.append(piece) }
                    start = cut
                }
                // The tail stays open so the following sentences can join it.
                current = trim(start..<sentence.upperBound, scalars)
                currentTokens = count - cuts.count * budget
            } else if let c = current, currentTokens + count <= budget {
                current = c.lowerBound..<sentence.upperBound
                currentTokens += count
            } else {
                flush()
                current = sentence
                currentTokens = count
            }
        }
        flush()
        return result
    }

    /// Sentence spans of a text (Unicode scalars), trimmed of whitespace.
    public static func sentences(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        var i = 0
        func close(_ end: Int) {
            let span = trim(start..<end, scalars)
            if !span.isEmpty { result.append(span) }
            start = end
        }
        while i < scalars.count {
            let c = scalars[i]
            if c == "\n" || c == "\r" || c == "\u{2029}" {
                close(i + 1)
            } else if c == "。" || c == "！" || c == "？" || c == "｡" {
                var end = i + 1
                while end < scalars.count && isCloser(scalars[end]) { end += 1 }
                close(end)
                i = end - 1
            } else if c == "." || c == "!" || c == "?" || c == "…" {
                var end = i + 1
                while end < scalars.count && (scalars[end] == "." || scalars[end] == "!" || scalars[end] == "?") { end += 1 }
                while end < scalars.count && isCloser(scalars[end]) { end += 1 }
                if end == scalars.count || scalars[end].properties.isWhitespace {
                    close(end)
                    i = end - 1
                } else {
                    i = end - 1  // "3.14", "e.g.x", "U.S.A": not a sentence end
                }
            }
            i += 1
        }
        close(scalars.count)
        return result
    }

    static func isCloser(_ c: Unicode.Scalar) -> Bool {
        "\"')]}»”’」』）】〕".unicodeScalars.contains(c)
    }

    static func trim(_ span: Range<Int>, _ scalars: [Unicode.Scalar]) -> Range<Int> {
        var lo = span.lowerBound, hi = span.upperBound
        while lo < hi && scalars[lo].properties.isWhitespace { lo += 1 }
        while hi > lo && scalars[hi - 1].properties.isWhitespace { hi -= 1 }
        return lo..<hi
    }

    /// The text of a span (Unicode scalars).
    public static func text(_ scalars: [Unicode.Scalar], _ span: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[span])
        return String(view)
    }
}
