import XCTest
import Analysis
import TestSupport

final class DuplicatesTests: XCTestCase {
    /// Independent reference: all pairs by brute force, connected components by flood fill.
    private func reference(_ v: Vectors, threshold: Float) -> [[Int]] {
        let n = v.count
        var adj = [[Int]](repeating: [], count: n)
        for i in 0..<n { for j in (i + 1)..<n where Planted.dot(v.row(i), v.row(j)) >= threshold { adj[i].append(j); adj[j].append(i) } }
        var seen = [Bool](repeating: false, count: n), groups = [[Int]]()
        for s in 0..<n where !seen[s] {
            var stack = [s], comp = [Int]()
            seen[s] = true
            while let x = stack.popLast() { comp.append(x); for y in adj[x] where !seen[y] { seen[y] = true; stack.append(y) } }
            if comp.count >= 2 { groups.append(comp.sorted()) }
        }
        return groups.sorted { $0[0] < $1[0] }
    }

    /// 60 random unit rows in 48 dims (pairwise cosines well below 0.9) plus planted near-copies.
    private func planted() -> (Vectors, [[Int]]) {
        var rng = SeededRNG(seed: 50)
        var rows = (0..<60).map { _ in Planted.unit(48, &rng) }
        func nearCopy(of i: Int) -> [Float] { Planted.normalize(zip(rows[i], Planted.unit(48, &rng)).map { $0 + 0.05 * $1 }) }
        rows.append(nearCopy(of: 3))     // 60 ~ 3
        rows.append(nearCopy(of: 3))     // 61 ~ 3
        rows.append(nearCopy(of: 42))    // 62 ~ 42
        rows.append(rows[10])            // 63 = 10 exactly
        rows.append(nearCopy(of: 59))    // 64 ~ 59
        return (Vectors(rows: rows), [[3, 60, 61], [10, 63], [42, 62], [59, 64]])
    }

    func testPlantedGroupsAtAThreshold() {
        let (v, expected) = planted()
        let groups = Analysis.duplicates(v, texts: [], threshold: 0.9)
        XCTAssertEqual(groups.map(\.members), expected)
        XCTAssertEqual(groups.map(\.members), reference(v, threshold: 0.9))
        for g in groups {
            XCTAssertFalse(g.exact)
            // min_similarity = lowest cosine over all member pairs, recomputed here.
            var low = Float.infinity
            for a in g.members { for b in g.members where a < b { low = min(low, cosine(Array(v.row(a)), Array(v.row(b)))) } }
            XCTAssertEqual(g.minSimilarity, low, accuracy: 1e-5)
            XCTAssertGreaterThanOrEqual(g.minSimilarity, 0.9)
        }
    }

    func testBlockBoundariesDoNotChangeTheResult() {
        let (v, expected) = planted()   // 65 rows: not a multiple of 2, 7, 10 or 64
        for block in [1, 2, 7, 10, 64, 65, 1000] {
            XCTAssertEqual(Analysis.duplicates(v, texts: [], threshold: 0.9, blockRows: block).map(\.members),
                           expected, "block \(block)")
        }
        // A lower threshold links more: still equal to brute force at every block size.
        let ref = reference(v, threshold: 0.3)
        for block in [3, 64] {
            XCTAssertEqual(Analysis.duplicates(v, texts: [], threshold: 0.3, blockRows: block).map(\.members), ref)
        }
    }

    func testExactDuplicatesAreFlaggedAndLinkedByText() {
        // Vectors: 0 and 2 identical; 1 and 3 far apart but the same text up to case and spacing.
        let near = Planted.normalize([0.8, 0.3, 0.3])   // cos 0.88 to row 0, 0.33 to rows 1 and 3
        let v = Vectors(rows: [[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1], near])
        let texts = ["Hello world", "Same  TEXT here", "Hello world", "same text\there ", "Hello world!"]
        let groups = Analysis.duplicates(v, texts: texts, threshold: 0.95)
        XCTAssertEqual(groups.map(\.members), [[0, 2], [1, 3]])
        XCTAssertEqual(groups.map(\.exact), [true, true])
        XCTAssertEqual(groups[0].minSimilarity, 1, accuracy: 1e-6)
        XCTAssertEqual(groups[1].minSimilarity, 0, accuracy: 1e-6)

        // A near-duplicate with different text makes its group non-exact.
        let mixed = Analysis.duplicates(v, texts: texts, threshold: 0.5)
        XCTAssertEqual(mixed.first?.members, [0, 2, 4])
        XCTAssertEqual(mixed.first?.exact, false)
        XCTAssertEqual(mixed.first?.minSimilarity ?? 0, near[0], accuracy: 1e-6)
    }

    func testChainsAreTransitiveAndReportTheTrueMinimum() {
        // 0°, 20°, 40°: neighbours at cos 20° ≈ 0.94 pass 0.9, the ends (cos 40° ≈ 0.77) do not.
        let rows = [0.0, 20, 40].map { d -> [Float] in let r = d * .pi / 180; return [Float(cos(r)), Float(sin(r))] }
        let g = Analysis.duplicates(Vectors(rows: rows), texts: [], threshold: 0.9)
        XCTAssertEqual(g.map(\.members), [[0, 1, 2]])
        XCTAssertEqual(g[0].minSimilarity, Float(cos(40 * Double.pi / 180)), accuracy: 1e-5)
    }

    func testNormalizedText() {
        XCTAssertEqual(Analysis.normalizedText("  Hello\t\nWORLD  again "), "hello world again")
        XCTAssertEqual(Analysis.normalizedText("ÉCOLE"), "école")
        XCTAssertTrue(Analysis.duplicates(Vectors(rows: [[1, 0]]), texts: ["x"], threshold: 0.5).isEmpty)
    }

    func testSimilarPairsRegroupLikeDuplicatesAtEveryThreshold() {
        let (v, _) = planted()
        let texts = (0..<v.count).map { $0 == 5 || $0 == 50 ? "Same text" : "text \($0)" }
        let index = Analysis.similarPairs(v, atLeast: 0.2, blockRows: 9)
        XCTAssertEqual(index.pairs.map(\.similarity), index.pairs.map(\.similarity).sorted(by: >))
        XCTAssertTrue(index.pairs.allSatisfy { $0.a < $0.b && $0.similarity >= 0.2 })
        for t: Float in [0.2, 0.3, 0.5, 0.9, 0.99] {
            XCTAssertEqual(index.groups(threshold: t, texts: texts, vectors: v),
                           Analysis.duplicates(v, texts: texts, threshold: t), "threshold \(t)")
        }
        // [5, 50] are grouped by their text alone at a high threshold, and flagged exact.
        XCTAssertTrue(index.groups(threshold: 0.9, texts: texts, vectors: v).contains { $0.members == [5, 50] && $0.exact })
    }
}
