import Foundation
import TestSupport
import XCTest
@testable import Tokenizers

/// tokenizer.json files written to break loupe (the shapes the fuzzer found, and their neighbours): each
/// is a typed error naming the problem, never a trap or an id outside the vocabulary.
final class HostileFileTests: XCTestCase {
    private let wordPiece = #""model": {"type": "WordPiece", "vocab": {"[UNK]": 0, "a": 1, "[CLS]": 2, "[SEP]": 3}}"#

    private func load(_ rest: String) -> Error? {
        do { _ = try Tokenizer(data: Data("{\(wordPiece), \(rest)}".utf8)); return nil } catch { return error }
    }

    private func assertRefused(_ rest: String, mentioning needle: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let error = load(rest) else { return XCTFail("loaded: \(rest)", file: file, line: line) }
        XCTAssertTrue(error is TokenizerError, "\(error)", file: file, line: line)
        XCTAssertTrue("\(error)".contains(needle), "'\(error)' should mention \(needle)", file: file, line: line)
    }

    func testNumbersTooLargeForAnIdAreErrorsNotTraps() {
        assertRefused(#""added_tokens": [{"id": 1e300, "content": "x"}]"#, mentioning: "added_tokens")
        assertRefused(#""added_tokens": [{"id": 4294967296, "content": "x"}]"#, mentioning: "added_tokens")
        assertRefused(#""added_tokens": [{"id": -1, "content": "x"}]"#, mentioning: "added_tokens")
        assertRefused(#""post_processor": {"type": "BertProcessing", "cls": ["[CLS]", 3e10], "sep": ["[SEP]", 3]}"#,
                      mentioning: "BertProcessing")
        assertRefused(#""padding": {"pad_id": 1e19}"#, mentioning: "pad_id")
        XCTAssertNil(JSONValue.number(1e300).int)
        XCTAssertNil(JSONValue.number(-2.5).int)
        XCTAssertEqual(JSONValue.number(42).int, 42)
    }

    func testSpecialIdsOutsideTheVocabularyAreRefused() {
        let template = #""post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]"}}, {"Sequence": {"id": "A"}}], "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [99], "tokens": ["[CLS]"]}}}"#
        assertRefused(template, mentioning: "special token id 99 is outside the vocabulary of 4 tokens")
        assertRefused(#""padding": {"pad_id": 4}"#, mentioning: "special token id 4")
    }

    func testTemplateMustHoldSequenceAExactlyOnce() {
        let twice = #""post_processor": {"type": "TemplateProcessing", "single": [{"Sequence": {"id": "A"}}, {"Sequence": {"id": "B"}}], "special_tokens": {}}"#
        assertRefused(twice, mentioning: "sequence A exactly once")
        let none = #""post_processor": {"type": "TemplateProcessing", "single": [], "special_tokens": {}}"#
        assertRefused(none, mentioning: "sequence A exactly once")
    }

    func testHugePaddingIsRefused() {
        assertRefused(#""padding": {"strategy": {"Fixed": 100000000000}}"#, mentioning: "padding Fixed")
        assertRefused(#""padding": {"pad_to_multiple_of": 1000000000}"#, mentioning: "pad_to_multiple_of")
    }
}
