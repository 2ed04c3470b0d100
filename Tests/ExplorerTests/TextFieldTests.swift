import XCTest
@testable import Explorer

final class TextFieldTests: XCTestCase {
    func testEditingAtTheCursor() {
        var f = TextField("helo")
        f.left(); f.insert("l")
        XCTAssertEqual(f.text, "hello")
        f.home(); f.insert(">")
        XCTAssertEqual(f.text, ">hello")
        f.end(); f.backspace()
        XCTAssertEqual(f.text, ">hell")
        f.home(); f.deleteForward()
        XCTAssertEqual(f.text, "hell")
    }

    func testCtrlWAndCtrlU() {
        var f = TextField("reset my  password")
        f.deleteWord()
        XCTAssertEqual(f.text, "reset my  ")
        f.deleteWord()
        XCTAssertEqual(f.text, "reset ")
        f.set("one two three"); f.left(); f.left()
        f.deleteToStart()
        XCTAssertEqual(f.text, "ee")
        XCTAssertEqual(f.cursor, 0)
    }

    func testHistoryBrowsingRestoresTheDraft() {
        var f = TextField()
        f.set("first"); f.commit()
        f.set("second"); f.commit()
        f.set("draft")
        f.historyPrevious(); XCTAssertEqual(f.text, "second")
        f.historyPrevious(); XCTAssertEqual(f.text, "first")
        f.historyPrevious(); XCTAssertEqual(f.text, "first")
        f.historyNext(); XCTAssertEqual(f.text, "second")
        f.historyNext(); XCTAssertEqual(f.text, "draft")
    }

    func testVisibleSliceScrollsToTheCursor() {
        let f = TextField("abcdefghij")
        let v = f.visible(width: 5)
        XCTAssertEqual(v.text, "ghij")
        XCTAssertEqual(v.cursorColumn, 4)
        let wide = TextField("日本語")
        XCTAssertEqual(wide.visible(width: 5).text, "本語")
    }
}
