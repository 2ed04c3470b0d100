import XCTest
import Analysis
import Session
import EmbeddingEngine
@testable import Explorer

/// Rendered screens compared with literal lines (trailing spaces trimmed), written by hand from
/// the layout rules: rank in 3 columns, a 10-cell eighth-block bar, the score, then the text.
final class SnapshotTests: XCTestCase {
    func assertLines(_ screen: Screen, _ expected: [String], from first: Int = 0,
                     file: StaticString = #filePath, line: UInt = #line) {
        let actual = Array(screen.lines[first..<min(screen.lines.count, first + expected.count)])
        for (i, (a, e)) in zip(actual, expected).enumerated() where a != e {
            XCTFail("row \(first + i):\n  got      |\(a)|\n  expected |\(e)|", file: file, line: line)
        }
        XCTAssertEqual(actual.count, expected.count, file: file, line: line)
    }

    func testTooSmall() {
        var s = TestStates.ready(width: 40, height: 6)
        _ = update(&s, .key(.esc))
        assertLines(render(s), [
            "",
            "           terminal too small",
            "       40×6, need at least 80×24",
            " enlarge the window, or press q to quit",
            "",
            "",
        ])
    }

    func testSearchScreen() {
        let wide = String(repeating: "漢", count: 40)
        var s = TestStates.ready(texts: TestStates.faq + [wide, "👨‍👩‍👧 family plan for שלום users"])
        _ = TestStates.type(&s, "password")
        _ = update(&s, .key(.enter))
        _ = update(&s, .result(id: 1, .search([DocumentHit(document: 0, score: 0.83), DocumentHit(document: 5, score: 0.41),
                                                DocumentHit(document: 6, score: -0.05)]), latencyMs: 12))
        let screen = render(s)
        assertLines(screen, [
            " loupe │ model all-MiniLM-L6-v2 │ task none │ dim 384/384",
            " 1 Search  2 Matrix  3 Neighbours  4 Clusters  5 Duplicates  6 Map  7 Adapters",
            " Query › password",
            " 3 results for “password”",
            "  1 ████████▎· 0.83  How do I reset my password?",
            "  2 ████▏····· 0.41  " + String(repeating: "漢", count: 29) + "…",
            "  3 ·········· -0.05  👨‍👩‍👧 family plan for שלום users",
            "",
        ])
        assertLines(screen, [
            " 7 docs │ encoder 12 ms │ indexed 7 documents under none: 7 embedded, 0 from th…",
            " / query  Enter open  a →matrix  n neighbours  t task  [ dim−  ] dim+  ? help",
        ], from: 22)
        // The selected row (the first) is drawn in the selection style across the whole width.
        XCTAssertEqual(screen[79, 4].style, .selection)
        XCTAssertEqual(screen[79, 5].style, .normal)
        // Every row is exactly 80 columns of cells, wide glyphs included.
        XCTAssertEqual(screen.cells.count, 80 * 24)
        XCTAssertEqual(screen[21, 5].text, "漢"); XCTAssertEqual(screen[22, 5].width, 0)
    }

    func testHeaderNamesAnInexactPrecisionOnly() {
        var int8 = TestStates.miniLM
        int8.precision = "int8"
        assertLines(render(TestStates.ready(model: int8)), [" loupe │ model all-MiniLM-L6-v2 (int8) │ task none │ dim 384/384"])
        assertLines(render(TestStates.ready()), [" loupe │ model all-MiniLM-L6-v2 │ task none │ dim 384/384"])
    }

    func testStatusRowShowsEachEndpointsState() {
        var s = TestStates.ready(width: 120)
        _ = update(&s, .endpoints([
            EndpointStatus(name: "127.0.0.1:8081", kind: "loupe", state: .up, tokensPerSecond: 470),
            EndpointStatus(name: "127.0.0.1:8082", kind: "loupe", state: .backingOff, tokensPerSecond: 430, retryIn: 2.3),
            EndpointStatus(name: "127.0.0.1:8083", kind: "loupe", state: .backingOff, retryIn: 0),
            EndpointStatus(name: "127.0.0.1:8084", kind: "tei", state: .setAside, retryIn: 15),
            EndpointStatus(name: "127.0.0.1:8085", kind: "openai", state: .failed),
        ]))
        let row = render(s).lines[22]
        XCTAssertTrue(row.contains(":8081 470/s  :8082 retry in 3s  :8083 retrying  :8084 down  :8085 out"), row)
    }

    func testMatrixHeatmapAndCursor() {
        var s = TestStates.ready()
        _ = update(&s, .key(.f(2)))
        _ = update(&s, .key(.char("i")))
        _ = TestStates.type(&s, "cat"); _ = update(&s, .key(.enter))
        _ = TestStates.type(&s, "dog"); _ = update(&s, .key(.enter))
        _ = update(&s, .result(id: 2, .similarity([[1, 0.42], [0.42, 1]]), latencyMs: nil))
        _ = update(&s, .key(.esc))
        _ = update(&s, .key(.right))
        let screen = render(s)
        assertLines(screen, [
            " Add ›",
            " 2 texts · cosine similarity · task none · dim 384",
            "        1     2",
            "  1  1.00  0.42   1 cat",
            "  2  0.42  1.00   2 dog",
            "",
            " row 1: cat",
            " col 2: dog",
            " cosine 0.42",
        ], from: 2)
        XCTAssertEqual(screen[10, 5].style, .cursor)      // row 1, column 2
        XCTAssertEqual(screen[4, 5].style, .heat(1))
    }

    func testAdaptersMatricesAndRankMoves() {
        var s = TestStates.ready(model: TestStates.jina, task: "retrieval.passage", texts: Array(TestStates.faq.prefix(3)))
        _ = update(&s, .key(.f(7)))
        let c = Comparison(matrixA: [[1, 0.5, 0.2], [0.5, 1, 0.3], [0.2, 0.3, 1]],
                           matrixB: [[1, 0.3, 0.6], [0.3, 1, 0.2], [0.6, 0.2, 1]],
                           difference: [[0, -0.2, 0.4], [-0.2, 0, -0.1], [0.4, -0.1, 0]],
                           spearman: -0.5, rankChanges: [[0, -1, 1], [0, 0, 0], [1, -1, 0]])
        _ = update(&s, .result(id: 1, .comparison(c), latencyMs: nil))
        let screen = render(s)
        assertLines(screen, [
            " A text-matching  vs  B separation  at dim 1024  ·  Spearman -0.50",
            " A: symmetric similarity: STS, paraphrases, duplicates  B: clustering and reran…",
            " A text-matching        B separation           B − A",
            "        1     2     3          1     2     3          1     2     3",
            "  1  1.00  0.50  0.20    1  1.00  0.30  0.60    1  0.00 -0.20  0.40",
            "  2  0.50  1.00  0.30    2  0.30  1.00  0.20    2 -0.20  0.00 -0.10",
            "  3  0.20  0.30  1.00    3  0.60  0.20  1.00    3  0.40 -0.10  0.00",
            "",
            " neighbours of each item under B, with rank moves since A (↑ closer in B, ↓ fur…",
            " ▶ 1 How do I reset my passwor…  3↑1 2↓1",
            "   2 Where can I download my i…  1 3",
            "   3 How do I change the email…  1↑1 2↓1",
        ], from: 2)
        XCTAssertEqual(screen[52, 7].style, .diverging(-0.2))
        XCTAssertEqual(screen[34, 11].style, .rankUp)      // " ▶ " 3 + "1 " 2 + text 26 + 1 + " 3" 2
    }

    func testAdaptersOn80ColumnsShowFiveItemsTimesHundred() {
        var s = TestStates.ready(model: TestStates.jina, task: "text-matching")
        _ = update(&s, .key(.f(7)))
        func m(_ off: Float) -> [[Float]] { (0..<5).map { i in (0..<5).map { j in i == j ? 1 : off } } }
        let d: [[Float]] = (0..<5).map { i in (0..<5).map { j in i == j ? 0 : 0.25 } }
        _ = update(&s, .result(id: 1, .comparison(Comparison(matrixA: m(0.25), matrixB: m(0.5), difference: d, spearman: 1,
                                                              rankChanges: Array(repeating: Array(repeating: 0, count: 5), count: 5))),
                               latencyMs: nil))
        let lines = render(s).lines
        // Three 23-column maps (3 label + 5 × 4) at x = 1, 26 and 51; 4-wide cells hold values ×100.
        XCTAssertEqual(lines[4], " A text-matching          B separation             B − A  (cells ×100)")
        XCTAssertEqual(lines[5], "      1   2   3   4   5        1   2   3   4   5        1   2   3   4   5")
        XCTAssertEqual(lines[6], " " + " 1" + " " + "100  25  25  25  25 " + "  " + " 1" + " " + "100  50  50  50  50 "
                                 + "  " + " 1" + " " + "  0  25  25  25  25")
    }

    func testAdaptersWithoutAdaptersExplainHowToGetThem() {
        var s = TestStates.ready()
        _ = update(&s, .key(.f(7)))
        assertLines(render(s), [
            " This model has no task adapters (LoRA): only the dimension comparison applies.",
            " To compare adapters: loupe fetch jinaai/jina-embeddings-v3",
            " then restart loupe: the copy in the Hugging Face cache is found by itself.",
            " A none @384  vs  B none @384  (Matryoshka truncation)  ·  computing…",
        ], from: 2)
    }

    func testMapBrailleCornersAndSelectedPoint() {
        var s = TestStates.ready()
        _ = update(&s, .key(.f(6)))
        _ = update(&s, .result(id: 1, .projection(points: [[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5]],
                                                   clusters: [0, 0, 1, 1, 2]), latencyMs: nil))
        let screen = render(s)
        // Area: columns 1…78 (156 dots), rows 2…18 (68 dots). (0,1) is the top-left dot (bit 0x01),
        // (1,0) the bottom-right dot (0x80); the centre (77.5, 33.5) rounds to dot (78, 34):
        // cell (39, 8), dot (0, 2) in it → 0x04.
        assertLines(screen, [
            " ⠁                                                                            ⠈",
        ], from: 2)
        XCTAssertEqual(screen.lines[10], "                                        ⠄")
        XCTAssertEqual(screen.lines[18], " ⡀                                                                            ⢀")
        XCTAssertEqual(screen.lines[19], "── 5 points · 3 clusters · 2-D projection (PCA) ────────────────────────────────")
        XCTAssertEqual(screen.lines[20], " ● #4 cluster 3  How do I delete my account?")
        XCTAssertEqual(screen[1, 2].style, .cluster(1))
        XCTAssertEqual(screen[40, 10].style, .cursor)
    }

    func testDuplicatesGroupsAndMarks() {
        var s = TestStates.ready()
        _ = update(&s, .key(.f(5)))
        _ = update(&s, .result(id: 1, .duplicates(DuplicatesAnswer(groups: [
            DuplicateGroup(members: [0, 3], exact: false, minSimilarity: 0.93),
            DuplicateGroup(members: [1, 4], exact: true, minSimilarity: 1)], similarityToFirst: [0: 1, 3: 0.93])), latencyMs: nil))
        _ = update(&s, .key(.char("x")))
        _ = update(&s, .key(.down)); _ = update(&s, .key(.char("K")))
        assertLines(render(s), [
            " threshold 0.90 · 2 groups · 1 marked drop",
            " group 1 · 2 members · min similarity 0.93",
            "   drop  1.00    #0  How do I reset my password?",
            "   keep  0.93    #3  Can I pay with a credit card?",
            " group 2 · 2 members · exact copies",
            "                 #1  Where can I download my invoices?",
            "                 #4  How do I delete my account?",
        ], from: 2)
    }

    func testTaskPickerListsPurposeAndPrefix() {
        var s = TestStates.ready(model: TestStates.jina, task: "retrieval.passage")
        _ = update(&s, .key(.esc)); _ = update(&s, .key(.char("t")))
        assertLines(render(s), [
            "  ┌─ Task (Enter chooses, Esc closes) ───────────────────────────────────────┐",
            "  │   retrieval.query                                                        │",
            "  │     search queries, matched against passages (asymmetric) · prefix “Repr…│",
            "  │ ▶ retrieval.passage (current)                                            │",
            "  │     documents to be searched (asymmetric retrieval) · prefix “Represent …│",
            "  │   separation                                                             │",
            "  │     clustering and reranking: pushes topics apart · no prefix            │",
        ], from: 4)
    }

    func testHelpIsGeneratedFromTheKeymap() {
        var s = TestStates.ready()
        _ = update(&s, .key(.f(5)))
        _ = update(&s, .key(.char("?")))
        let text = render(s).lines.joined(separator: "\n")
        // Every Duplicates binding of the keymap appears with its help text.
        for b in Keymap.bindings where b.scope == .view(.duplicates) {
            XCTAssertTrue(text.contains(b.help), "help lacks “\(b.help)”")
        }
        XCTAssertTrue(text.contains("Keys — Duplicates"))
    }
}

final class HeatmapLabelTests: XCTestCase {
    func testLabelsByCellWidth() {
        XCTAssertEqual(Heatmap.label(0.834, width: 6), " 0.83 ")
        XCTAssertEqual(Heatmap.label(-0.2, width: 6), "-0.20 ")
        XCTAssertEqual(Heatmap.label(0.834, width: 5), " .83 ")
        XCTAssertEqual(Heatmap.label(-0.2, width: 5), "-.20 ")
        XCTAssertEqual(Heatmap.label(1, width: 5), "1.00 ")
        XCTAssertEqual(Heatmap.label(0.834, width: 4), " 83 ")
        XCTAssertEqual(Heatmap.label(-0.012, width: 4), " -1 ")
        XCTAssertEqual(Heatmap.label(-0.004, width: 4), "  0 ")
        XCTAssertEqual(Heatmap.label(1, width: 4), "100 ")
        XCTAssertEqual(Heatmap.label(0.5, width: 3), "")
    }
}
