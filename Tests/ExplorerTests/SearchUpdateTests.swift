import XCTest
import Analysis
import Session
@testable import Explorer

final class SearchUpdateTests: XCTestCase {
    func testStartUpIndexesUnderTheChosenTaskThenOpensOnTheFocusedQuery() {
        var s = AppState()
        let effects = update(&s, .modelLoaded(TestStates.jina, task: "retrieval.passage", dim: 256))
        XCTAssertEqual(effects, [.reindex(task: "retrieval.passage")])
        XCTAssertEqual(s.dim, 256)
        XCTAssertFalse(s.indexReady)
        XCTAssertEqual(s.view, .search)
        XCTAssertTrue(s.textFieldFocused)
    }

    func testTypingIsDebouncedAndOnlyTheLatestTokenSearches() {
        var s = TestStates.ready()
        let e1 = update(&s, .key(.char("p")))
        XCTAssertEqual(e1, [.debounce(token: 1, seconds: 0.12)])
        let e2 = update(&s, .key(.char("w")))
        XCTAssertEqual(e2, [.debounce(token: 2, seconds: 0.12)])
        XCTAssertEqual(update(&s, .debounceElapsed(token: 1)), [], "a superseded timer does nothing")
        let e3 = update(&s, .debounceElapsed(token: 2))
        XCTAssertEqual(e3, [.analyse(id: 1, .search(query: "pw", queryTask: nil, k: 50), task: nil, dim: 384)])
        XCTAssertEqual(s.requests[.search].pending, 1)
    }

    func testStaleResultsAreDropped() {
        var s = TestStates.ready()
        _ = TestStates.type(&s, "reset")
        _ = update(&s, .debounceElapsed(token: s.search.debounceToken))     // request 1
        _ = TestStates.type(&s, " pw")
        let e = update(&s, .debounceElapsed(token: s.search.debounceToken)) // request 2 cancels 1
        XCTAssertEqual(e.first, .cancel(id: 1))
        _ = update(&s, .result(id: 1, .search([DocumentHit(document: 3, score: 0.9)]), latencyMs: 5))
        XCTAssertEqual(s.search.hits, [], "the answer to request 1 arrived after request 2 was sent")
        _ = update(&s, .result(id: 2, .search([DocumentHit(document: 0, score: 0.7)]), latencyMs: 6))
        XCTAssertEqual(s.search.hits, [DocumentHit(document: 0, score: 0.7)])
        XCTAssertEqual(s.search.answeredQuery, "reset pw")
        XCTAssertEqual(s.lastLatencyMs, 6)
    }

    func testQueriesUseTheQueryAdapterAgainstPassages() {
        var s = TestStates.ready(model: TestStates.jina, task: "retrieval.passage")
        _ = TestStates.type(&s, "invoice")
        let e = update(&s, .debounceElapsed(token: s.search.debounceToken))
        XCTAssertEqual(e, [.analyse(id: 1, .search(query: "invoice", queryTask: "retrieval.query", k: 50),
                                    task: "retrieval.passage", dim: 1024)])
    }

    func testSearchWaitsForTheIndexAndRunsWhenItIsReady() {
        var s = AppState()
        _ = update(&s, .corpusLoaded(name: "faq", documents: TestStates.documents(TestStates.faq)))
        _ = update(&s, .modelLoaded(TestStates.miniLM, task: nil, dim: nil))
        _ = TestStates.type(&s, "card")
        XCTAssertEqual(update(&s, .debounceElapsed(token: s.search.debounceToken)), [])
        let e = update(&s, .indexed(task: nil, chunks: 5, embedded: 5, cached: 0))
        XCTAssertEqual(e, [.analyse(id: 1, .search(query: "card", queryTask: nil, k: 50), task: nil, dim: 384)])
    }

    /// While the corpus is being indexed, a typed query searches the part embedded so far, again
    /// as that part grows, and once more over the whole index at the end.
    func testSearchRunsOnThePartIndexedSoFar() {
        var s = AppState(width: 100, height: 30)
        _ = update(&s, .corpusLoaded(name: "faq", documents: TestStates.documents(TestStates.faq)))
        _ = update(&s, .modelLoaded(TestStates.miniLM, task: nil, dim: nil))
        _ = TestStates.type(&s, "card")
        XCTAssertEqual(update(&s, .debounceElapsed(token: s.search.debounceToken)), [], "nothing embedded yet")
        XCTAssertTrue(screenText(s).contains("results appear as soon as the first part is embedded"))

        let first = update(&s, .indexPartial(task: nil, chunks: 2))
        XCTAssertEqual(first, [.analyse(id: 1, .search(query: "card", queryTask: nil, k: 50), task: nil, dim: 384)])
        _ = update(&s, .result(id: 1, .search([DocumentHit(document: 1, score: 0.7)]), latencyMs: 3))
        XCTAssertTrue(screenText(s).contains("1 results for “card” in 2 of 5 documents indexed so far"), screenText(s))

        XCTAssertEqual(update(&s, .indexPartial(task: "other", chunks: 4)), [], "another task's index")
        XCTAssertEqual(update(&s, .indexPartial(task: nil, chunks: 2)), [], "nothing new")
        XCTAssertEqual(update(&s, .indexPartial(task: nil, chunks: 4)),
                       [.analyse(id: 2, .search(query: "card", queryTask: nil, k: 50), task: nil, dim: 384)])
        let done = update(&s, .indexed(task: nil, chunks: 5, embedded: 5, cached: 0))
        XCTAssertEqual(done, [.cancel(id: 2), .analyse(id: 3, .search(query: "card", queryTask: nil, k: 50), task: nil, dim: 384)])
        XCTAssertEqual(s.partialChunks, 0)
        XCTAssertEqual(update(&s, .indexPartial(task: nil, chunks: 5)), [], "late partial after the full index")
        _ = update(&s, .result(id: 3, .search([DocumentHit(document: 1, score: 0.7)]), latencyMs: 3))
        XCTAssertFalse(screenText(s).contains("indexed so far"))

        // Other views still wait for the whole corpus.
        var t = AppState(width: 100, height: 30)
        _ = update(&t, .corpusLoaded(name: "faq", documents: TestStates.documents(TestStates.faq)))
        _ = update(&t, .modelLoaded(TestStates.miniLM, task: nil, dim: nil))
        t.view = .neighbours
        XCTAssertEqual(update(&t, .indexPartial(task: nil, chunks: 3)), [])
    }

    private func screenText(_ s: AppState) -> String { render(s).lines.joined(separator: "\n") }

    func testEnterRunsAtOnceThenListKeysSelectAndOpen() {
        var s = TestStates.ready()
        _ = TestStates.type(&s, "account")
        let e = update(&s, .key(.enter))
        XCTAssertEqual(e, [.analyse(id: 1, .search(query: "account", queryTask: nil, k: 50), task: nil, dim: 384)])
        XCTAssertEqual(s.focus, .list)
        XCTAssertEqual(s.search.query.history, ["account"])
        _ = update(&s, .result(id: 1, .search([DocumentHit(document: 2, score: 0.8), DocumentHit(document: 4, score: 0.6)]), latencyMs: nil))
        _ = update(&s, .key(.down))
        XCTAssertEqual(s.search.list.selected, 1)
        _ = update(&s, .key(.enter))
        XCTAssertEqual(s.overlay, .detail(document: 4, scroll: 0))
        _ = update(&s, .key(.esc))
        XCTAssertNil(s.overlay)
        _ = update(&s, .key(.char("/")))
        XCTAssertTrue(s.textFieldFocused)
    }

    func testDigitsAreTextInTheFieldAndViewKeysOutsideIt() {
        var s = TestStates.ready()
        _ = update(&s, .key(.char("2")))
        XCTAssertEqual(s.search.query.text, "2")
        XCTAssertEqual(s.view, .search)
        _ = update(&s, .key(.f(3)))
        XCTAssertEqual(s.view, .neighbours, "F-keys switch views even while typing")
        _ = update(&s, .key(.f(1)))
        XCTAssertFalse(s.textFieldFocused, "views open in command mode, so digits keep switching")
        _ = update(&s, .key(.char("2")))
        XCTAssertEqual(s.view, .matrix)
        _ = update(&s, .key(.char("1")))
        XCTAssertEqual(s.view, .search)
    }

    func testFieldEditingKeysAndHistory() {
        var s = TestStates.ready()
        _ = TestStates.type(&s, "reset my password")
        _ = update(&s, .key(.ctrl("w")))
        XCTAssertEqual(s.search.query.text, "reset my ")
        _ = update(&s, .key(.ctrl("u")))
        XCTAssertEqual(s.search.query.text, "")
        _ = TestStates.type(&s, "first")
        _ = update(&s, .key(.enter))
        _ = update(&s, .key(.tab))
        XCTAssertTrue(s.textFieldFocused)
        _ = update(&s, .key(.ctrl("u")))
        _ = update(&s, .key(.up))
        XCTAssertEqual(s.search.query.text, "first")
    }

    func testCtrlCQuitsFromAnywhereAndQOnlyOutsideFields() {
        var s = TestStates.ready()
        XCTAssertEqual(update(&s, .key(.char("q"))), [.debounce(token: 1, seconds: 0.12)])
        XCTAssertFalse(s.quitting)
        XCTAssertEqual(update(&s, .key(.ctrl("c"))), [.quit])
        XCTAssertTrue(s.quitting)
        var t = TestStates.ready()
        _ = update(&t, .key(.esc))
        XCTAssertEqual(update(&t, .key(.char("q"))), [.quit])
    }

    func testClickingATabAndARow() {
        var s = TestStates.ready()
        _ = TestStates.type(&s, "x")
        _ = update(&s, .key(.enter))
        _ = update(&s, .result(id: 1, .search([DocumentHit(document: 0, score: 0.5), DocumentHit(document: 1, score: 0.4)]), latencyMs: nil))
        let list = Layout.searchList(s)
        _ = update(&s, .mouse(MouseEvent(x: 10, y: list.y + 1)))
        XCTAssertEqual(s.search.list.selected, 1)
        _ = update(&s, .mouse(MouseEvent(x: 10, y: list.y + 1)))
        XCTAssertEqual(s.overlay, .detail(document: 1, scroll: 0), "a second click opens the row")
        _ = update(&s, .key(.esc))
        let tab = Layout.tabs(s)[3]
        _ = update(&s, .mouse(MouseEvent(x: tab.columns.lowerBound + 1, y: 1)))
        XCTAssertEqual(s.view, .clusters)
    }
}
