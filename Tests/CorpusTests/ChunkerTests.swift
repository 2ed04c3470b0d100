import XCTest
import JinaEmbeddings
@testable import Corpus
import EmbeddingEngine

final class ChunkerTests: XCTestCase {
    func text(_ s: String, _ span: Range<Int>) -> String { Chunker.text(Array(s.unicodeScalars), span) }

    func testSentencesIncludingCJKAndClosingQuotes() {
        let s = "He said \"Stop.\" Then left! Pi is 3.14 here? 日本語です。次の文！最後 \nNew line"
        let spans = Chunker.sentences(Array(s.unicodeScalars))
        XCTAssertEqual(spans.map { text(s, $0) },
                       ["He said \"Stop.\"", "Then left!", "Pi is 3.14 here?", "日本語です。", "次の文！", "最後", "New line"])
    }

    func testPacksWholeSentencesWithinTheTokenBudget() {
        let s = "One two three. Four five. Six seven eight nine. Ten."
        let tokens = WordSpans.spans(s)  // words and punctuation, as a tokenizer would split them
        let chunks = Chunker.chunks(of: s, maxTokens: 8, tokenSpans: tokens)
        // sentence token counts: 4, 3, 5, 2 → [4+3], [5+2]
        XCTAssertEqual(chunks.map { text(s, $0) }, ["One two three. Four five.", "Six seven eight nine. Ten."])
        for chunk in chunks {
            XCTAssertLessThanOrEqual(tokens.filter { chunk.contains($0.lowerBound) }.count, 8)
        }
    }

    func testOverlongSentenceIsCutAtTokenBoundaries() {
        let words = (1...25).map { "w\($0)" }
        let s = "Short one. " + words.joined(separator: " ") + ". End."
        let tokens = WordSpans.spans(s)
        let chunks = Chunker.chunks(of: s, maxTokens: 10, tokenSpans: tokens)
        XCTAssertEqual(text(s, chunks[0]), "Short one.")
        XCTAssertEqual(text(s, chunks[1]), words[0..<10].joined(separator: " "))
        XCTAssertEqual(text(s, chunks[2]), words[10..<20].joined(separator: " "))
        XCTAssertEqual(text(s, chunks[3]), words[20..<25].joined(separator: " ") + ". End.")
        // In order, non-overlapping, never empty, every token covered.
        for (a, b) in zip(chunks, chunks.dropFirst()) { XCTAssertLessThanOrEqual(a.upperBound, b.lowerBound) }
        XCTAssertTrue(chunks.allSatisfy { !$0.isEmpty })
        for token in tokens { XCTAssertTrue(chunks.contains { $0.contains(token.lowerBound) }, "\(token)") }
    }

    func testSpansAreUnicodeScalarOffsets() {
        let s = "Émoji 👍🏽 ok. Second 🇫🇷 sentence."
        // Tokens: Émoji 👍 🏽 ok . | Second 🇫 🇷 sentence . (symbols are one token per scalar)
        let chunks = Chunker.chunks(of: s, maxTokens: 5, tokenSpans: WordSpans.spans(s))
        XCTAssertEqual(chunks.map { text(s, $0) }, ["Émoji 👍🏽 ok.", "Second 🇫🇷 sentence."])
        XCTAssertEqual(chunks[1].lowerBound, Array(s.unicodeScalars).count - "Second 🇫🇷 sentence.".unicodeScalars.count)
    }

    func testCacheKeysSeparateEveryInput() {
        let base = CacheKey.make(fingerprint: "f", task: "t", prefixApplied: true, maxLength: 512, text: "abc", chunks: nil)
        XCTAssertEqual(base, CacheKey.make(fingerprint: "f", task: "t", prefixApplied: true, maxLength: 512, text: "abc", chunks: nil))
        let variants = [
            CacheKey.make(fingerprint: "g", task: "t", prefixApplied: true, maxLength: 512, text: "abc", chunks: nil),
            CacheKey.make(fingerprint: "f", task: nil, prefixApplied: true, maxLength: 512, text: "abc", chunks: nil),
            CacheKey.make(fingerprint: "f", task: "t", prefixApplied: false, maxLength: 512, text: "abc", chunks: nil),
            CacheKey.make(fingerprint: "f", task: "t", prefixApplied: true, maxLength: 256, text: "abc", chunks: nil),
            CacheKey.make(fingerprint: "f", task: "t", prefixApplied: true, maxLength: 512, text: "abd", chunks: nil),
            CacheKey.make(fingerprint: "f", task: "t", prefixApplied: true, maxLength: 512, text: "abc", chunks: [0..<3]),
            CacheKey.make(fingerprint: "ft", task: "", prefixApplied: true, maxLength: 512, text: "abc", chunks: nil),
        ]
        XCTAssertEqual(Set(variants + [base]).count, variants.count + 1)
    }
}
