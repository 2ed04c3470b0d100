import Foundation
import TestSupport
import XCTest
@testable import Tokenizers

/// A truncated encoding tokenizes long texts a window at a time (so a 100 MB line costs one window);
/// its tokens must be exactly the first tokens of the whole text's encoding, whatever the text.
final class TruncationWindowTests: XCTestCase {
    /// Fragments that stress normalization and splitting around spaces: every golden case text, plus
    /// runs of removed characters (a window of them yields no token, so several windows are needed).
    func fragments(_ fixture: String) throws -> [String] {
        let cases = try XCTUnwrap((try Fixtures.json("tokenizer/\(fixture)/cases.json") as? [String: Any])?["cases"] as? [[String: Any]])
        return cases.compactMap { $0["text"] as? String }
            + ["a" + String(repeating: "\u{1}", count: 300), String(repeating: " ", count: 200), "<mask> x", "[MASK] y",
               "a\u{301}\u{302}", "x" + String(repeating: "\u{200B}", count: 150) + "y", "word", "Ｗｏｒｄ"]
    }

    func compare(_ fixture: String, iterations: Int) throws {
        let tokenizer = try Tokenizer(contentsOf: Fixtures.url("tokenizer/\(fixture)/tokenizer.json"))
        XCTAssertTrue(tokenizer.pipeline.cutsBeforeSpaces, "\(fixture) should allow windowed truncation")
        let pool = try fragments(fixture)
        var rng = SeededRNG(seed: 14)
        for iteration in 0..<iterations {
            var text = ""
            while text.unicodeScalars.count < Int.random(in: 200...6000, using: &rng) {
                text += pool[Int.random(in: 0..<pool.count, using: &rng)] + [" ", "  ", "", "\n"][Int.random(in: 0..<4, using: &rng)]
            }
            let full = tokenizer.encode(text, addSpecialTokens: false, options: TruncationPadding())
            for maxLength in [3, Int.random(in: 4...60, using: &rng), 300] {
                let cut = tokenizer.encode(text, addSpecialTokens: true, maxLength: maxLength)
                let body = cut.ids.indices.filter { cut.specialTokensMask[$0] == 0 }
                let keep = min(full.count, maxLength - 2)
                XCTAssertEqual(body.map { cut.ids[$0] }, Array(full.ids.prefix(keep)), "\(fixture) #\(iteration) max \(maxLength)")
                XCTAssertEqual(body.map { cut.offsets[$0] }, Array(full.offsets.prefix(keep)), "\(fixture) #\(iteration) max \(maxLength)")
                XCTAssertEqual(body.map { cut.byteOffsets[$0] }, Array(full.byteOffsets.prefix(keep)), "\(fixture) #\(iteration)")
            }
        }
    }

    func testXLMRWindowsMatchTheWholeText() throws { try compare("xlmr-250k", iterations: 40) }
    func testMiniLMWindowsMatchTheWholeText() throws { try compare("minilm", iterations: 40) }

    /// A long line without a usable cut (no space after an ASCII letter or digit) is tokenized whole,
    /// and a pipeline that is not local around spaces never windows.
    func testWindowingNeedsCutsAndALocalPipeline() throws {
        let tokenizer = try Tokenizer(contentsOf: Fixtures.url("tokenizer/minilm/tokenizer.json"))
        let cjk = String(repeating: "日本語のテキスト", count: 500)
        let full = tokenizer.encode(cjk, addSpecialTokens: false, options: TruncationPadding())
        XCTAssertEqual(Array(tokenizer.encode(cjk, addSpecialTokens: true, maxLength: 10).ids.dropFirst().dropLast()),
                       Array(full.ids.prefix(8)))
        let noSplit = #"{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0, "a": 1}}, "pre_tokenizer": null}"#
        XCTAssertFalse(try Tokenizer(data: Data(noSplit.utf8)).pipeline.cutsBeforeSpaces)
        let straddling = #"{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0, "a": 1}}, "pre_tokenizer": {"type": "BertPreTokenizer"}, "#
            + #""normalizer": {"type": "Replace", "pattern": {"String": "a b"}, "content": "c"}}"#
        XCTAssertFalse(try Tokenizer(data: Data(straddling.utf8)).pipeline.cutsBeforeSpaces)
    }
}

extension TruncationWindowTests {
    /// The 100 MB single line, scaled down: a 20 MB line truncated to 128 tokens converts one window of it.
    func testATruncatedHugeLineTouchesOnlyItsFirstWindow() throws {
        let tokenizer = try Tokenizer(contentsOf: Fixtures.url("tokenizer/minilm/tokenizer.json"))
        let line = String(repeating: "lorem ipsum dolor sit amet ", count: 740_000)  // 20 MB
        let (scalars, tokens) = tokenizer.pipeline.tokenizePrefix(line, tokens: 126)
        XCTAssertLessThan(scalars.count, 3000)
        XCTAssertGreaterThanOrEqual(tokens.count, 126)
        let e = tokenizer.encode(line, addSpecialTokens: true, maxLength: 128)
        XCTAssertEqual(e.count, 128)
        XCTAssertEqual(e.tokens.prefix(4), ["[CLS]", "lore", "##m", "ip"])
    }
}
