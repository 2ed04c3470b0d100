import XCTest
@testable import Explorer

/// The best chunk of a search hit, highlighted on its row.
final class HighlightTests: XCTestCase {
    func testTheBestChunkIsHighlightedOnTheRow() {
        var screen = Screen(width: 40, height: 1)
        putHighlighted("First sentence. Second sentence.", span: 16..<32, x: 0, y: 0, width: 40, into: &screen)
        XCTAssertEqual(screen.lines[0], "First sentence. Second sentence.")
        XCTAssertEqual(screen[15, 0].style, .normal)
        XCTAssertEqual(screen[16, 0].style, .highlight)
        XCTAssertEqual(screen[31, 0].style, .highlight)
    }

    func testAFarChunkIsBroughtIntoView() {
        let text = String(repeating: "lead ", count: 20) + "THE MATCH"
        var screen = Screen(width: 20, height: 1)
        putHighlighted(text, span: 100..<109, x: 0, y: 0, width: 20, into: &screen)
        // "…" + at most 8 columns before the chunk, then the chunk.
        XCTAssertEqual(screen.lines[0], "…ad lead THE MATCH")      // "ad lead " is 8 columns
        XCTAssertEqual(screen[8, 0].style, .normal)
        XCTAssertEqual(screen[9, 0].style, .highlight)
    }
}
