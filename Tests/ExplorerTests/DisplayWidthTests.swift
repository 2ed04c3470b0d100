import XCTest
@testable import Explorer

/// Widths here are what a terminal (xterm, tmux, wcwidth) gives, written out by hand.
final class DisplayWidthTests: XCTestCase {
    func testLatinCJKAndFullwidth() {
        XCTAssertEqual(DisplayWidth.of("abc"), 3)
        XCTAssertEqual(DisplayWidth.of("日本語"), 6)
        XCTAssertEqual(DisplayWidth.of("한국어"), 6)
        XCTAssertEqual(DisplayWidth.of("ＡＢ"), 4)          // fullwidth forms
        XCTAssertEqual(DisplayWidth.of("ｱｲ"), 2)            // halfwidth katakana stay narrow
    }

    func testCombiningMarksTakeNoColumn() {
        XCTAssertEqual(DisplayWidth.of("e\u{301}"), 1)
        XCTAssertEqual(DisplayWidth.of("n\u{303}a\u{308}"), 2)
        XCTAssertEqual(DisplayWidth.scalarWidth("\u{301}"), 0)
        XCTAssertEqual(DisplayWidth.of("मनुष्य"), 4)          // Devanagari: the vowel signs u/halant are marks
    }

    func testEmojiSequencesAreOneWideGlyph() {
        XCTAssertEqual(DisplayWidth.of("👍"), 2)
        XCTAssertEqual(DisplayWidth.of("👍🏽"), 2)           // skin tone modifier
        XCTAssertEqual(DisplayWidth.of("👨‍👩‍👧"), 2)        // ZWJ family
        XCTAssertEqual(DisplayWidth.of("🇫🇷"), 2)           // flag = two regional indicators
        XCTAssertEqual(DisplayWidth.of("❤️"), 2)             // text heart + VS16
        XCTAssertEqual(DisplayWidth.of("a👨‍👩‍👧b"), 4)
    }

    func testRightToLeftLettersAreNarrow() {
        XCTAssertEqual(DisplayWidth.of("שלום"), 4)
        XCTAssertEqual(DisplayWidth.of("مَرْحَبًا"), 5)      // 5 letters, harakat are marks
    }

    func testTruncateNeverSplitsAGrapheme() {
        XCTAssertEqual(DisplayText.truncate("hello world", width: 20), "hello world")
        XCTAssertEqual(DisplayText.truncate("hello world", width: 6), "hello…")
        XCTAssertEqual(DisplayText.truncate("日本語テキスト", width: 7), "日本語…")
        XCTAssertEqual(DisplayText.truncate("日本語テキスト", width: 6), "日本…")
        XCTAssertEqual(DisplayText.truncate("e\u{301}e\u{301}e\u{301}", width: 2), "e\u{301}…")
        XCTAssertEqual(DisplayText.truncate("a👨‍👩‍👧b", width: 3), "a…")
        XCTAssertEqual(DisplayText.truncate("👨‍👩‍👧👨‍👩‍👧", width: 3), "👨‍👩‍👧…")
        XCTAssertEqual(DisplayText.truncate("abc", width: 0), "")
        XCTAssertEqual(DisplayText.truncate("abc", width: 1), "…")
    }

    func testSanitizeRemovesControlsAndBidiOverrides() {
        XCTAssertEqual(DisplayText.sanitize("a\tb\nc"), "a b c")
        XCTAssertEqual(DisplayText.sanitize("x\u{202E}yz\u{202C}"), "xyz")
        XCTAssertEqual(DisplayText.sanitize("\u{1B}[31mred"), "[31mred")
    }

    func testWrap() {
        XCTAssertEqual(DisplayText.wrap("the quick brown fox jumps", width: 10), ["the quick", "brown fox", "jumps"])
        XCTAssertEqual(DisplayText.wrap("日本語日本語", width: 8), ["日本語日", "本語"])
    }

    func testScreenPutsWideCellsAndContinuations() {
        var s = Screen(width: 5, height: 1)
        XCTAssertEqual(s.put("日本", x: 0, y: 0), 4)
        XCTAssertEqual(s[0, 0].width, 2)
        XCTAssertEqual(s[1, 0].width, 0)
        XCTAssertEqual(s.line(0), "日本 ")
        // A wide glyph cut by the screen edge becomes an ellipsis, never half a glyph.
        var narrow = Screen(width: 3, height: 1)
        narrow.put("日本", x: 0, y: 0)
        XCTAssertEqual(narrow.line(0), "日…")
        // Overwriting the right half of a wide cell blanks its left half.
        s.put("x", x: 1, y: 0)
        XCTAssertEqual(s.line(0), " x本 ")
    }

    func testScreenKeepsCombiningMarksInTheirCell() {
        var s = Screen(width: 4, height: 1)
        s.put("e\u{301}a", x: 0, y: 0)
        XCTAssertEqual(s[0, 0].text, "e\u{301}")
        XCTAssertEqual(s.line(0), "e\u{301}a  ")
    }

    func testRightToLeftTextKeepsColumnAccounting() {
        var s = Screen(width: 12, height: 1)
        let used = s.put("שלום abc", x: 2, y: 0)
        XCTAssertEqual(used, 8)
        s.put("|", x: 10, y: 0)
        XCTAssertEqual(s.line(0), "  שלום abc| ")
    }

    func testHugeSingleLineIsCheapToDraw() {
        let huge = String(repeating: "word ", count: 2_000_000)          // 10 MB, one line
        let start = Date()
        var s = Screen(width: 20, height: 1)
        s.put(huge, x: 0, y: 0)
        XCTAssertEqual(s.line(0), "word word word word…")
        XCTAssertEqual(DisplayText.truncate(huge, width: 6), "word …")
        XCTAssertLessThan(Date().timeIntervalSince(start), 0.5, "drawing must not walk the whole text")
    }

    func testCutTextAlwaysShowsTheEllipsis() {
        // 60 zero-width spaces then letters: the bounded head fits, but the text goes on.
        let text = String(repeating: "\u{200B}", count: 60) + "abcdef"
        var s = Screen(width: 10, height: 1)
        s.put(text, x: 0, y: 0, maxWidth: 4)
        XCTAssertEqual(s.lines[0], "…", "the text goes on, so the row must say so")
    }
}
