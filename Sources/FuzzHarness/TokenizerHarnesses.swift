import Foundation
import Tokenizers

/// Arbitrary bytes (decoded as a corpus reader decodes them, invalid UTF-8 repaired) through a real
/// tokenizer: XLM-R's Unigram pipeline (jina-v3) or BERT's WordPiece (MiniLM). The first byte picks the
/// truncation length. Every encoding keeps `EncodingInvariants`.
struct TokenizeHarness: Harness {
    let tokenizer: Tokenizer

    init(tokenizer url: URL) throws { tokenizer = try Tokenizer(contentsOf: url) }

    func run(_ input: [UInt8]) throws {
        guard let selector = input.first else { return }
        let text = String(decoding: input.dropFirst(), as: UTF8.self)
        try EncodingInvariants.check(tokenizer, text: text, maxLength: 1 + Int(selector % 64))
    }
}

/// The input is a tokenizer.json. Loading it either fails with a clear error or gives a tokenizer that
/// keeps `EncodingInvariants` on a few texts (special tokens, accents, CJK, whitespace runs, empty).
struct TokenizerJSONHarness: Harness {
    static let texts = ["Hello, World! naïve café", "<s> a <mask> b </s> [CLS] x [SEP] [MASK]", "日本語のテキスト 中文",
                        "  spaces   and\ttabs\n", "", "İstanbul ǅ ß ﬁ Å", "e\u{301}\u{302} \u{200D}🏳️‍🌈 x"]

    func run(_ input: [UInt8]) throws {
        let tokenizer: Tokenizer
        do { tokenizer = try Tokenizer(data: Data(input), path: "fuzz/tokenizer.json") } catch { return }
        try require(tokenizer.vocabularySize > 0, "a tokenizer with an empty vocabulary loaded")
        for (i, text) in Self.texts.enumerated() {
            try EncodingInvariants.check(tokenizer, text: text, maxLength: 3 + i)
            // The file's own truncation and padding (bounded at load).
            try EncodingInvariants.valid(tokenizer.encode(text, addSpecialTokens: true, options: tokenizer.fileDefaults),
                                         text: text, vocabulary: tokenizer.vocabularySize)
        }
    }
}

/// What every encoding of every text must satisfy, whatever the tokenizer and the text.
enum EncodingInvariants {
    /// `text` encoded with and without special tokens, truncated to `maxLength`, and padded.
    static func check(_ tokenizer: Tokenizer, text: String, maxLength: Int) throws {
        let vocabulary = tokenizer.vocabularySize
        let plain = tokenizer.encode(text, addSpecialTokens: false, options: TruncationPadding())
        let full = tokenizer.encode(text, addSpecialTokens: true, options: TruncationPadding())
        try valid(plain, text: text, vocabulary: vocabulary)
        try valid(full, text: text, vocabulary: vocabulary)
        try require(sequence(full).ids == plain.ids, "the sequence part with special tokens differs from the plain encoding")

        // Truncation keeps the special tokens and the first tokens of the sequence (none dropped in the middle).
        let added = full.count - plain.count
        let cut = tokenizer.encode(text, addSpecialTokens: true, maxLength: maxLength)
        try valid(cut, text: text, vocabulary: vocabulary)
        let keep = maxLength >= added ? min(plain.count, maxLength - added) : plain.count
        try require(cut.count == keep + added, "truncated to \(maxLength): \(cut.count) ids, expected \(keep) + \(added) special")
        let kept = sequence(cut)
        try require(kept.ids == Array(plain.ids.prefix(keep)) && kept.offsets == Array(plain.offsets.prefix(keep)),
                    "truncated to \(maxLength): not the first \(keep) tokens of the full encoding")

        // Padding fills with the pad id, masked out.
        let padded = tokenizer.encode(text, addSpecialTokens: true, options: TruncationPadding(maxLength: maxLength, padToLength: maxLength))
        try valid(padded, text: text, vocabulary: vocabulary)
        try require(padded.count >= cut.count && padded.attentionMask.filter { $0 == 1 }.count == cut.count,
                    "padding to \(maxLength): \(padded.count) ids, \(padded.attentionMask.filter { $0 == 1 }.count) unmasked, \(cut.count) real")
    }

    /// Parallel arrays of one length, ids inside the vocabulary, offsets inside the text.
    static func valid(_ e: Encoding, text: String, vocabulary: Int) throws {
        let n = e.ids.count
        try require([e.tokens.count, e.offsets.count, e.byteOffsets.count, e.specialTokensMask.count, e.attentionMask.count]
                        .allSatisfy { $0 == n }, "encoding arrays of different lengths")
        let scalars = text.unicodeScalars.count, bytes = text.utf8.count
        for i in 0..<n {
            try require(e.ids[i] >= 0 && Int(e.ids[i]) < vocabulary, "id \(e.ids[i]) outside the vocabulary 0..<\(vocabulary)")
            let r = e.offsets[i], b = e.byteOffsets[i]
            try require(r.lowerBound >= 0 && r.upperBound <= scalars, "offsets \(r) outside the \(scalars)-scalar text")
            try require(b.lowerBound >= 0 && b.upperBound <= bytes, "byte offsets \(b) outside the \(bytes)-byte text")
        }
    }

    /// The tokens that came from the text (not added by the template or padding).
    private static func sequence(_ e: Encoding) -> (ids: [Int32], offsets: [Range<Int>]) {
        let keep = e.ids.indices.filter { e.specialTokensMask[$0] == 0 && e.attentionMask[$0] == 1 }
        return (keep.map { e.ids[$0] }, keep.map { e.offsets[$0] })
    }
}
