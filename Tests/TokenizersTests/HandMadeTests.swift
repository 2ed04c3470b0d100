import Foundation
import TestSupport
import XCTest
@testable import Tokenizers

/// Small tokenizers written by hand, with answers worked out on paper.
final class HandMadeTests: XCTestCase {
    private func make(model: String, normalizer: String = "null", preTokenizer: String, post: String = "null",
                      added: String = "[]") throws -> Tokenizer {
        let json = """
        {"version": "1.0", "truncation": null, "padding": null, "added_tokens": \(added),
         "normalizer": \(normalizer), "pre_tokenizer": \(preTokenizer), "post_processor": \(post),
         "decoder": null, "model": \(model)}
        """
        return try Tokenizer(data: Data(json.utf8))
    }

    private let metaspace = #"{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true}"#

    /// ids: <unk>=0 ▁=1 a=2 b=3 ab=4 ▁a=5 c=6; lowest score -3, so an unknown char costs -13.
    private var tinyUnigram: String {
        #"{"type": "Unigram", "unk_id": 0, "byte_fallback": false, "vocab": [["<unk>", 0.0], ["▁", -1.0], ["a", -2.0], ["b", -2.0], ["ab", -3.0], ["▁a", -2.5], ["c", -2.0]]}"#
    }

    func testUnigramViterbiPicksBestPath() throws {
        let t = try make(model: tinyUnigram, preTokenizer: metaspace)
        // "▁ab": ▁|a|b = -5, ▁a|b = -4.5, ▁|ab = -4 (best).
        let e = t.encode("ab", addSpecialTokens: false)
        XCTAssertEqual(e.ids, [1, 4])
        XCTAssertEqual(e.tokens, ["▁", "ab"])
        // The prepended ▁ aligns to the first character.
        XCTAssertEqual(e.offsets, [0..<1, 0..<2])
        // "▁a▁b" splits before each ▁: "▁a" (-2.5 beats ▁|a = -3) and "▁b" → ▁|b.
        XCTAssertEqual(t.encode("a b", addSpecialTokens: false).ids, [5, 1, 3])
    }

    func testConsecutiveUnknownsFuseIntoOneUnk() throws {
        let t = try make(model: tinyUnigram, preTokenizer: metaspace)
        let e = t.encode("xyzc", addSpecialTokens: false)
        XCTAssertEqual(e.ids, [1, 0, 6])
        XCTAssertEqual(e.tokens, ["▁", "xyz", "c"])
        XCTAssertEqual(e.offsets, [0..<1, 0..<3, 3..<4])
        XCTAssertEqual(e.byteOffsets, [0..<1, 0..<3, 3..<4])
        // Unknowns separated by a known piece stay separate.
        XCTAssertEqual(t.encode("xcy", addSpecialTokens: false).ids, [1, 0, 6, 0])
    }

    func testWordPieceGreedyLongestMatch() throws {
        let model = ###"{"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 9, "vocab": {"[UNK]": 0, "un": 1, "##aff": 2, "##able": 3, "a": 4, "unaff": 5, "!": 6}}"###
        let t = try make(model: model, preTokenizer: #"{"type": "BertPreTokenizer"}"#)
        let e = t.encode("unaffable a!", addSpecialTokens: false)
        XCTAssertEqual(e.tokens, ["unaff", "##able", "a", "!"])
        XCTAssertEqual(e.ids, [5, 3, 4, 6])
        XCTAssertEqual(e.offsets, [0..<5, 5..<9, 10..<11, 11..<12])
        // A word with an unmatchable part, and a word over max_input_chars_per_word, are one [UNK].
        XCTAssertEqual(t.encode("unx abababababa", addSpecialTokens: false).tokens, ["[UNK]", "[UNK]"])
        XCTAssertEqual(t.encode("unx", addSpecialTokens: false).offsets, [0..<3])
    }

    func testUnsupportedComponentIsATypedError() throws {
        XCTAssertThrowsError(try make(model: tinyUnigram, normalizer: #"{"type": "NFKC"}"#, preTokenizer: metaspace)) {
            XCTAssertEqual($0 as? TokenizerError, .unsupported(component: "normalizer", type: "NFKC"))
        }
        XCTAssertThrowsError(try make(model: #"{"type": "BPE", "vocab": {}, "merges": []}"#, preTokenizer: metaspace)) {
            XCTAssertEqual($0 as? TokenizerError, .unsupported(component: "model", type: "BPE"))
        }
        XCTAssertThrowsError(try make(model: tinyUnigram, preTokenizer: #"{"type": "ByteLevel"}"#)) {
            XCTAssertEqual($0 as? TokenizerError, .unsupported(component: "pre_tokenizer", type: "ByteLevel"))
        }
        XCTAssertThrowsError(try Tokenizer(data: Data("{\"model\": ".utf8))) {
            guard case .invalidJSON = $0 as? TokenizerError else { return XCTFail("expected invalidJSON, got \($0)") }
        }
    }

    func testTemplateTruncationAndPadding() throws {
        let post = #"{"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [7], "tokens": ["<s>"]}, "</s>": {"id": "</s>", "ids": [8], "tokens": ["</s>"]}}}"#
        // The template's ids must be tokens of the vocabulary (here added tokens, as in real files).
        XCTAssertThrowsError(try make(model: tinyUnigram, preTokenizer: metaspace, post: post)) {
            XCTAssertEqual($0 as? TokenizerError, .invalidModel("special token id 7 is outside the vocabulary of 7 tokens"))
        }
        let added = #"[{"id": 7, "content": "<s>", "special": true}, {"id": 8, "content": "</s>", "special": true}]"#
        let t = try make(model: tinyUnigram, preTokenizer: metaspace, post: post, added: added)
        XCTAssertEqual(t.encode("a b c").ids, [7, 5, 1, 3, 1, 6, 8])
        // Truncation keeps both special tokens.
        let cut = t.encode("a b c", maxLength: 4)
        XCTAssertEqual(cut.ids, [7, 5, 1, 8])
        XCTAssertEqual(cut.specialTokensMask, [1, 0, 0, 1])
        let padded = t.encode("a", addSpecialTokens: true, options: TruncationPadding(padToLength: 5))
        XCTAssertEqual(padded.count, 5)
        XCTAssertEqual(padded.attentionMask, [1, 1, 1, 0, 0])
    }

    func testAddedTokenWithLStripSwallowsTheSpace() throws {
        let added = #"[{"id": 9, "content": "<mask>", "single_word": false, "lstrip": true, "rstrip": false, "normalized": false, "special": true}]"#
        let t = try make(model: tinyUnigram, preTokenizer: metaspace, added: added)
        let e = t.encode("a <mask>b", addSpecialTokens: false)
        XCTAssertEqual(e.tokens, ["▁a", " <mask>", "▁", "b"])
        XCTAssertEqual(e.ids, [5, 9, 1, 3])
        XCTAssertEqual(e.offsets, [0..<1, 1..<8, 8..<9, 8..<9])
    }

    func testPrecompiledGraphemeRuleOnRealCharsmap() throws {
        let t = try Tokenizer(contentsOf: Fixtures.url("tokenizer/xlmr-small/tokenizer.json"))
        // HF looks the 5-byte cluster e+U+0323+U+0302 up whole and keeps only the first prefix
        // match (e+U+0323 → ẹ), dropping U+0302 (the fixture README's example).
        XCTAssertEqual(t.normalize("Vie\u{0323}\u{0302}t"), "Vi\u{1EB9}t")
        // Tabs and newlines become spaces, runs of spaces collapse to one.
        XCTAssertEqual(t.normalize("a\t\n  b"), "a b")
    }

    /// HF's BERT normalizer/pre-tokenizer use Unicode 8.0 category tables (answers taken from
    /// tokenizers 0.23.3): later-assigned marks, format chars and punctuation are ordinary
    /// characters there, and unassigned code points are kept.
    func testBertClassifiesWithUnicode8Tables() throws {
        let t = try Tokenizer(contentsOf: Fixtures.url("tokenizer/minilm/tokenizer.json"))
        XCTAssertEqual(t.normalize("a\u{FB0E}b"), "a\u{FB0E}b")      // unassigned: kept
        XCTAssertEqual(t.normalize("a\u{2066}b"), "ab")               // Cf since 6.3: removed
        XCTAssertEqual(t.normalize("a\u{110CD}b"), "a\u{110CD}b")    // Cf since 11.0: kept
        XCTAssertEqual(t.normalize("a\u{1DC0}b"), "ab")               // Mn since 5.0: stripped
        XCTAssertEqual(t.normalize("a\u{1DF6}b"), "a\u{1DF6}b")      // Mn since 10.0: kept
        // U+1173C (Po, 8.0) splits a word; U+09FD (Po, 10.0) does not.
        XCTAssertEqual(t.encode("a\u{1173C}b", addSpecialTokens: false).count, 3)
        XCTAssertEqual(t.encode("a\u{09FD}b", addSpecialTokens: false).count, 1)
        // Recategorized since 8.0: HF keeps their 8.0 category.
        XCTAssertEqual(t.encode("a\u{166D}b", addSpecialTokens: false).count, 3)  // Po then, So now
        XCTAssertEqual(t.normalize("a\u{1885}b"), "a\u{1885}b")                  // Lo then, Mn now
        XCTAssertEqual(t.normalize("a\u{1734}b"), "ab")                           // Mn then, Mc now
    }

    func testMaxLengthBelowTemplateDoesNotTruncate() throws {
        let t = try Tokenizer(contentsOf: Fixtures.url("tokenizer/xlmr-small/tokenizer.json"))
        // tokenizers 0.23.3: max_length 1 < 2 special tokens → no truncation; 2 → just <s> </s>.
        XCTAssertEqual(t.encode("hello world", maxLength: 1).ids, t.encode("hello world").ids)
        XCTAssertEqual(t.encode("hello world", maxLength: 2).ids, [0, 2])
    }
}
