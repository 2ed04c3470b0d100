import Analysis
import Session
import XCTest
@testable import Explorer

/// The list widget on its own, in the spirit of ratatui's `List` buffer tests: render into a Screen,
/// compare literal lines and the selection style.
final class ListWidgetTests: XCTestCase {
    func render(_ widget: ListWidget, items: Int, width: Int = 12, height: Int = 5) -> Screen {
        var screen = Screen(width: width, height: height)
        widget.render(into: &screen) { i, row, screen in
            screen.put("Item \(i)", x: row.x, y: row.y, maxWidth: row.width)
        }
        return screen
    }

    func widget(count: Int, selected: Int?, offset: Int = 0, height: Int = 3, y: Int = 1) -> ListWidget {
        ListWidget(area: Rect(x: 1, y: y, width: 10, height: height), count: count, selectedRow: selected, offset: offset)
    }

    func testRowsInsideTheAreaWithTheSelectionStyled() {
        let screen = render(widget(count: 2, selected: 1), items: 2)
        XCTAssertEqual(screen.lines, ["", " Item 0", " Item 1", "", ""], "lines are trimmed on the right")
        XCTAssertEqual(screen[1, 2].style, .selection)
        XCTAssertEqual(screen[10, 2].style, .selection, "the whole row")
        XCTAssertEqual(screen[0, 2].style, .normal, "not outside the area")
        XCTAssertEqual(screen[1, 1].style, .normal)
    }

    func testScrollsJustEnoughToShowTheSelection() {
        XCTAssertEqual(widget(count: 10, selected: 0).firstRow, 0)
        XCTAssertEqual(widget(count: 10, selected: 4).firstRow, 2, "the selection on the last row")
        XCTAssertEqual(widget(count: 10, selected: 4, offset: 3).firstRow, 3, "already in view: the page stays")
        XCTAssertEqual(widget(count: 10, selected: 1, offset: 3).firstRow, 1, "above the page: it becomes the first row")
        XCTAssertEqual(widget(count: 10, selected: nil, offset: 9).firstRow, 7, "the offset never leaves blank rows")
        XCTAssertEqual(widget(count: 2, selected: 1, offset: 5).firstRow, 0, "a short list never scrolls")
        let screen = render(widget(count: 10, selected: 4, offset: 3), items: 10)
        XCTAssertEqual(screen.lines[1...3].map { $0.trimmingCharacters(in: .whitespaces) }, ["Item 3", "Item 4", "Item 5"])
        XCTAssertEqual(screen[2, 2].style, .selection)
    }

    func testNoHighlightWhenAskedAndRowsHitByClicks() {
        var w = widget(count: 10, selected: 4, offset: 3)
        w.highlightsSelection = false
        XCTAssertEqual(render(w, items: 10)[2, 2].style, .normal)
        XCTAssertEqual(w.row(atX: 1, y: 1), 3)
        XCTAssertEqual(w.row(atX: 10, y: 3), 5)
        XCTAssertNil(w.row(atX: 0, y: 1), "left of the area")
        XCTAssertNil(w.row(atX: 1, y: 4), "below the area")
        XCTAssertNil(widget(count: 2, selected: 0).row(atX: 1, y: 3), "below the last item")
    }

    /// In the app: moving up from the bottom row moves the cursor, not the page; clicks hit what is drawn.
    func testTheSearchListKeepsItsPageAndClicksFollowIt() {
        var s = TestStates.ready()
        s.search.hits = (0..<40).map { DocumentHit(document: $0 % 5, score: 1 - Float($0) / 100) }
        s.focus = .list
        let rows = Layout.searchList(s).height
        for _ in 0..<(rows + 2) { _ = update(&s, .key(.down)) }
        XCTAssertEqual(s.search.list.selected, rows + 2)
        XCTAssertEqual(s.search.list.offset, 3)
        _ = update(&s, .key(.up))
        XCTAssertEqual(s.search.list.offset, 3, "the page did not move")
        let list = Layout.searchList(s)
        _ = update(&s, .mouse(MouseEvent(x: 5, y: list.y)))
        XCTAssertEqual(s.search.list.selected, 3, "the first visible row is item 3")
        _ = update(&s, .mouse(MouseEvent(x: 5, y: list.y)))
        XCTAssertEqual(s.overlay, .detail(document: 3, scroll: 0), "a click on the selected row opens it")
    }

    func testDuplicateHeadersAreRowsButNotItems() {
        var s = TestStates.ready()
        _ = update(&s, .key(.f(5)))
        _ = update(&s, .result(id: 1, .duplicates(DuplicatesAnswer(groups: [
            DuplicateGroup(members: [0, 3], exact: false, minSimilarity: 0.93),
            DuplicateGroup(members: [1, 4], exact: true, minSimilarity: 1)])), latencyMs: nil))
        let list = Layout.duplicateList(s)
        _ = update(&s, .mouse(MouseEvent(x: 5, y: list.y + 3)))   // header 1, 0, 3, header 2 → no item
        XCTAssertEqual(s.duplicates.list.selected, 0)
        _ = update(&s, .mouse(MouseEvent(x: 5, y: list.y + 4)))   // document 1 = member 2
        XCTAssertEqual(s.duplicates.list.selected, 2)
        XCTAssertEqual(Layout.listWidget(s, .duplicates)?.selectedRow, 4)
        _ = update(&s, .mouse(MouseEvent(x: 5, y: list.y + 4)))
        XCTAssertEqual(s.overlay, .detail(document: 1, scroll: 0))
    }
}
