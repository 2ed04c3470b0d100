import XCTest
import Analysis
import Corpus
@testable import Explorer

final class SearchHitTests: XCTestCase {
    func testOneHitPerDocumentWithTheBestChunksSpan() {
        let texts = ["First sentence. Second sentence.", "Whole"]
        let chunks = [Chunk(document: 0, span: 0..<15, text: "First sentence."),
                      Chunk(document: 0, span: 16..<32, text: "Second sentence."),
                      Chunk(document: 1, span: 0..<5, text: "Whole")]
        let hits = [Hit(index: 1, score: 0.9), Hit(index: 2, score: 0.8), Hit(index: 0, score: 0.7), Hit(index: 7, score: 0.1)]
        XCTAssertEqual(SearchHit.bestChunkPerDocument(hits, chunks: chunks, texts: texts, k: 10), [
            SearchHit(document: 0, score: 0.9, span: 16..<32),
            SearchHit(document: 1, score: 0.8, span: nil),          // the chunk is the whole text
        ])
        XCTAssertEqual(SearchHit.bestChunkPerDocument(hits, chunks: chunks, texts: texts, k: 1).count, 1)
    }

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
