import XCTest
import Analysis
import Session
@testable import Explorer

/// Message → state/effect tests for views 2–7 and the global keys.
final class ViewUpdateTests: XCTestCase {
    func list(_ s: inout AppState) { _ = update(&s, .key(.esc)) }

    func testTaskPickerReindexesAndIgnoresTheOldTasksIndex() {
        var s = TestStates.ready(model: TestStates.jina, task: "retrieval.passage")
        list(&s)
        _ = update(&s, .key(.char("t")))
        XCTAssertEqual(s.overlay, .taskPicker(selected: 1))
        _ = TestStates.send(&s, [.down, .down, .down])
        let e = update(&s, .key(.enter))
        XCTAssertEqual(s.task, "text-matching")
        XCTAssertEqual(e, [.reindex(task: "text-matching")])
        XCTAssertFalse(s.indexReady)
        XCTAssertNil(s.overlay)
        _ = update(&s, .indexed(task: "retrieval.passage", chunks: 5, embedded: 0, cached: 5))
        XCTAssertFalse(s.indexReady, "a late index of the previous task is not the current one")
        _ = update(&s, .indexed(task: "text-matching", chunks: 5, embedded: 5, cached: 0))
        XCTAssertTrue(s.indexReady)
    }

    func testTaskPickerWithoutAdaptersSaysSo() {
        var s = TestStates.ready()
        list(&s)
        _ = update(&s, .key(.char("t")))
        XCTAssertEqual(s.overlay, .taskPicker(selected: 0))
        XCTAssertEqual(update(&s, .key(.enter)), [])
        XCTAssertNil(s.task)
    }

    func testDimensionsStepThroughTheLadder() {
        var s = TestStates.ready()
        list(&s)
        XCTAssertEqual(s.dimensionLadder, [8, 16, 32, 64, 128, 256, 384])
        _ = update(&s, .key(.char("]")))
        XCTAssertEqual(s.dim, 384)
        XCTAssertEqual(s.status, "already at the full dimension 384")
        _ = update(&s, .key(.char("[")))
        XCTAssertEqual(s.dim, 256)
        var j = TestStates.ready(model: TestStates.jina, task: "text-matching")
        list(&j)
        _ = update(&j, .key(.char("[")))
        _ = update(&j, .key(.char("[")))
        XCTAssertEqual(j.dim, 512)
    }

    func testDimensionChangeRefreshesTheVisibleView() {
        var s = TestStates.ready()
        list(&s)
        _ = update(&s, .key(.char("4")))
        XCTAssertEqual(s.requests[.clusters].pending, 1)
        let e = update(&s, .key(.char("[")))
        XCTAssertEqual(e, [.cancel(id: 1), .analyse(id: 2, .clusters(ClusterSpec()), task: nil, dim: 256)])
    }

    func testHelpOverlayOpensAndCloses() {
        var s = TestStates.ready()
        list(&s)
        _ = update(&s, .key(.char("?")))
        XCTAssertEqual(s.overlay, .help(scroll: 0))
        _ = update(&s, .key(.down))
        XCTAssertEqual(s.overlay, .help(scroll: 1))
        _ = update(&s, .key(.esc))
        XCTAssertNil(s.overlay)
    }

    func testMatrixAddsAndDeletesTexts() {
        var s = TestStates.ready()
        _ = update(&s, .key(.f(2)))
        XCTAssertFalse(s.textFieldFocused, "switching views stays in command mode")
        _ = update(&s, .key(.char("i")))
        XCTAssertTrue(s.textFieldFocused)
        _ = TestStates.type(&s, "cat")
        let e = update(&s, .key(.enter))
        XCTAssertEqual(e, [.analyse(id: 1, .similarity(texts: ["cat"]), task: nil, dim: 384)])
        _ = TestStates.type(&s, "dog")
        _ = update(&s, .key(.enter))
        XCTAssertEqual(s.matrix.texts, ["cat", "dog"])
        _ = update(&s, .result(id: 2, .similarity([[1, 0.5], [0.5, 1]]), latencyMs: nil))
        XCTAssertEqual(s.matrix.matrix, [[1, 0.5], [0.5, 1]])
        list(&s)
        _ = update(&s, .key(.right))
        _ = update(&s, .key(.down))
        XCTAssertEqual(s.matrix.row, 1); XCTAssertEqual(s.matrix.column, 1)
        let d = update(&s, .key(.char("d")))
        XCTAssertEqual(s.matrix.texts, ["cat"])
        XCTAssertEqual(d, [.analyse(id: 3, .similarity(texts: ["cat"]), task: nil, dim: 384)])
    }

    func testSearchResultCanBeAddedToTheMatrix() {
        var s = TestStates.ready()
        _ = TestStates.type(&s, "x")
        _ = update(&s, .key(.enter))
        _ = update(&s, .result(id: 1, .search([DocumentHit(document: 3, score: 0.5)]), latencyMs: nil))
        _ = update(&s, .key(.char("a")))
        XCTAssertEqual(s.matrix.texts, [TestStates.faq[3]])
    }

    func testNeighboursWalkAndComeBack() {
        var s = TestStates.ready()
        let e = update(&s, .key(.f(3)))
        XCTAssertEqual(e, [.analyse(id: 1, .neighbours(document: 0, k: 15), task: nil, dim: 384)])
        _ = update(&s, .result(id: 1, .neighbours([DocumentHit(document: 4, score: 0.7), DocumentHit(document: 2, score: 0.6)]), latencyMs: nil))
        _ = update(&s, .key(.down))
        let walk = update(&s, .key(.enter))
        XCTAssertEqual(s.neighbours.focus, 2)
        XCTAssertEqual(s.neighbours.trail, [0])
        XCTAssertEqual(walk, [.analyse(id: 2, .neighbours(document: 2, k: 15), task: nil, dim: 384)])
        _ = update(&s, .key(.backspace))
        XCTAssertEqual(s.neighbours.focus, 0)
        XCTAssertEqual(s.neighbours.trail, [])
    }

    func testClustersKeys() {
        var s = TestStates.ready()
        _ = update(&s, .key(.f(4)))
        _ = update(&s, .result(id: 1, .clusters(Clustering(k: 3, assignments: [0, 1, 2, 0, 1], clusters: [
            Cluster(size: 2, label: "password", members: [0, 3]), Cluster(size: 2, label: "invoice", members: [1, 4]),
            Cluster(size: 1, label: "email", members: [2])])), latencyMs: nil))
        let plus = update(&s, .key(.char("+")))
        XCTAssertEqual(s.clusters.k, 4)
        XCTAssertEqual(plus, [.analyse(id: 2, .clusters(ClusterSpec(k: 4)), task: nil, dim: 384)])
        _ = update(&s, .key(.char("-"))); _ = update(&s, .key(.char("-"))); _ = update(&s, .key(.char("-")))
        XCTAssertEqual(s.clusters.k, 2, "k never goes below 2")
        let auto = update(&s, .key(.char("a")))
        XCTAssertNil(s.clusters.k)
        XCTAssertEqual(auto.last, .analyse(id: 6, .clusters(ClusterSpec()), task: nil, dim: 384))
    }

    func testDuplicatesThresholdMarksAndDropList() {
        var s = TestStates.ready()
        _ = update(&s, .key(.f(5)))
        XCTAssertEqual(s.requests[.duplicates].pending, 1)
        _ = update(&s, .result(id: 1, .duplicates(DuplicatesAnswer(groups: [
            DuplicateGroup(members: [0, 3], exact: false, minSimilarity: 0.93),
            DuplicateGroup(members: [1, 4], exact: true, minSimilarity: 1)])), latencyMs: nil))
        let up = update(&s, .key(.char("+")))
        XCTAssertEqual(s.duplicates.threshold, 0.91, accuracy: 1e-6)
        XCTAssertEqual(up, [.analyse(id: 2, .duplicates(threshold: 0.91), task: nil, dim: 384)])
        XCTAssertEqual(update(&s, .key(.char("w"))), [], "nothing marked yet")
        XCTAssertEqual(s.statusIsError, true)
        _ = update(&s, .key(.down))                // member row 1 = document 3
        _ = update(&s, .key(.char("x")))
        _ = update(&s, .key(.down)); _ = update(&s, .key(.down))   // document 4
        _ = update(&s, .key(.char("x")))
        _ = update(&s, .key(.up))                  // document 1
        _ = update(&s, .key(.char("K")))
        XCTAssertEqual(s.duplicates.marks, [3: .drop, 4: .drop, 1: .keep])
        XCTAssertEqual(update(&s, .key(.char("w"))), [.writeDropList(documents: [3, 4])])
        _ = update(&s, .key(.enter))
        XCTAssertEqual(s.overlay, .detail(document: 1, scroll: 0), "Enter reads the selected member")
        _ = update(&s, .key(.esc))
        _ = update(&s, .dropListWritten(path: "/tmp/drops.txt", count: 2))
        XCTAssertEqual(s.status, "wrote 2 document indices to drop to /tmp/drops.txt")
    }

    func testMapCursorAndNearestPoint() {
        var s = TestStates.ready()
        let e = update(&s, .key(.f(6)))
        XCTAssertEqual(e, [.analyse(id: 1, .projection(ClusterSpec()), task: nil, dim: 384)])
        // Five points: corners and centre of the unit square.
        let points: [SIMD2<Float>] = [[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5]]
        _ = update(&s, .result(id: 1, .projection(points: points, clusters: [0, 0, 1, 1, 2]), latencyMs: nil))
        let area = Layout.mapArea(s)
        XCTAssertEqual(s.map.cursorX, area.width / 2)
        XCTAssertEqual(MapGeometry.nearestPoint(s), 4)
        _ = TestStates.send(&s, Array(repeating: .left, count: 200) + Array(repeating: .up, count: 200))
        XCTAssertEqual(s.map.cursorX, 0); XCTAssertEqual(s.map.cursorY, 0)
        XCTAssertEqual(MapGeometry.nearestPoint(s), 2, "top-left is (0, 1): y grows upwards")
        let walk = update(&s, .key(.enter))
        XCTAssertEqual(s.view, .neighbours)
        XCTAssertEqual(walk, [.analyse(id: 2, .neighbours(document: 2, k: 15), task: nil, dim: 384)])
    }

    func testAdaptersWithoutAdaptersCompareDimensions() {
        var s = TestStates.ready()
        _ = update(&s, .key(.f(7)))
        XCTAssertEqual(s.adapters.mode, .dimensions)
        XCTAssertEqual(s.requests[.adapters].pending, 1)
        _ = update(&s, .key(.char("[")))
        let e = update(&s, .key(.char("m")))
        XCTAssertEqual(e, [], "no task comparison without adapters")
        XCTAssertEqual(s.adapters.texts, TestStates.faq)
        XCTAssertEqual(update(&s, .key(.char("a"))), [])
    }

    func testAdaptersCycleTasksOnJina() {
        var s = TestStates.ready(model: TestStates.jina, task: "retrieval.passage")
        let e = update(&s, .key(.f(7)))
        let texts = TestStates.faq
        XCTAssertEqual(e, [.analyse(id: 1, .compare(texts: texts, a: Lens(task: "text-matching", dim: 1024),
                                                     b: Lens(task: "separation", dim: 1024)),
                                    task: "retrieval.passage", dim: 1024)])
        _ = update(&s, .key(.char("b")))
        XCTAssertEqual(s.adapters.taskB, "classification")
        _ = update(&s, .key(.char("a")))
        XCTAssertEqual(s.adapters.taskA, nil, "after the last adapter comes none")
        let m = update(&s, .key(.char("m")))
        XCTAssertEqual(m.last, .analyse(id: 4, .compare(texts: texts, a: Lens(task: nil, dim: 1024), b: Lens(task: nil, dim: 1024)),
                                        task: "retrieval.passage", dim: 1024))
    }

    func testIndexFailureIsShownInsteadOfProgress() {
        var s = AppState()
        _ = update(&s, .corpusLoaded(name: "faq", documents: TestStates.documents(TestStates.faq)))
        _ = update(&s, .modelLoaded(TestStates.jina, task: "text-matching", dim: nil))
        _ = update(&s, .indexFailed(task: "separation", message: "stale"))
        XCTAssertNil(s.indexError, "a failure for another task is ignored")
        _ = update(&s, .indexFailed(task: "text-matching", message: "no tokenizer"))
        XCTAssertEqual(s.indexError, "no tokenizer")
        let screen = render(s)
        XCTAssertEqual(screen.lines[3], " the corpus could not be indexed: no tokenizer")
        XCTAssertTrue(screen.lines[22].hasPrefix(" 5 docs │ not indexed │ indexing under text-matching failed: no tokenizer"),
                      screen.lines[22])
    }

    func testResizeBelowTheMinimumAndBack() {
        var s = TestStates.ready()
        _ = update(&s, .resize(width: 60, height: 20))
        XCTAssertTrue(s.tooSmall)
        _ = update(&s, .resize(width: 120, height: 40))
        XCTAssertFalse(s.tooSmall)
    }
}
