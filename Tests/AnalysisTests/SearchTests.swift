import XCTest
import Analysis
import TestSupport

final class SearchTests: XCTestCase {
    /// Brute force reference: sort every row by (score desc, index asc).
    private func reference(_ q: [Float], _ v: Vectors, k: Int, excluding: Set<Int> = []) -> [Int] {
        let scored = (0..<v.count).filter { !excluding.contains($0) }
            .map { ($0, Planted.dot(q[...], v.row($0))) }
        return scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(k).map(\.0)
    }

    func testPlantedNearestNeighbours() {
        var rng = SeededRNG(seed: 1)
        let base = (0..<200).map { _ in Planted.unit(32, &rng) }
        let query = Planted.unit(32, &rng)
        // Plant three rows at known, decreasing closeness to the query.
        var rows = base
        rows[17] = Planted.normalize(query.map { $0 * 10 })                            // cos 1
        rows[150] = Planted.normalize(zip(query, base[0]).map { $0 * 4 + $1 })        // close
        rows[3] = Planted.normalize(zip(query, base[1]).map { $0 * 2 + $1 })          // less close
        let v = Vectors(rows: rows)
        let hits = Analysis.search(query: query, in: v, k: 3)
        XCTAssertEqual(hits.map(\.index), [17, 150, 3])
        XCTAssertEqual(hits[0].score, 1, accuracy: 1e-5)
        XCTAssertEqual(hits.map(\.index), reference(query, v, k: 3))
    }

    func testMatchesBruteForceAndScoresAreCosines() {
        var rng = SeededRNG(seed: 2)
        let v = Vectors(rows: (0..<500).map { _ in Planted.unit(24, &rng) })
        for _ in 0..<5 {
            let q = Planted.unit(24, &rng)
            let hits = Analysis.search(query: q, in: v, k: 10)
            XCTAssertEqual(hits.map(\.index), reference(q, v, k: 10))
            for h in hits { XCTAssertEqual(h.score, cosine(q, Array(v.row(h.index))), accuracy: 1e-5) }
        }
    }

    /// Above ~1M floats the scores are computed in parallel parts: same answer as brute force.
    func testLargeCorpusTakesTheParallelPathCorrectly() {
        var rng = SeededRNG(seed: 4)
        let v = Vectors(rows: (0..<2_003).map { _ in Planted.unit(601, &rng) })   // odd sizes: SIMD tails, uneven parts
        let q = Planted.unit(601, &rng)
        let s = Analysis.scores(query: q, in: v)
        for i in [0, 1, 1000, 1001, 2002] { XCTAssertEqual(s[i], Planted.dot(q[...], v.row(i)), accuracy: 1e-5) }
        XCTAssertEqual(Analysis.search(query: q, in: v, k: 7).map(\.index), reference(q, v, k: 7))
    }

    func testTiesGoToTheLowerIndex() {
        // Rows 2, 5 and 7 are identical and tie for first place; 0 is second.
        let a: [Float] = [1, 0, 0], b: [Float] = [0.8, 0.6, 0], c: [Float] = [0, 1, 0]
        let v = Vectors(rows: [b, c, a, c, c, a, c, a, c])
        let hits = Analysis.search(query: a, in: v, k: 4)
        XCTAssertEqual(hits.map(\.index), [2, 5, 7, 0])
        // With k cutting inside the tie, the lower indices are kept.
        XCTAssertEqual(Analysis.search(query: a, in: v, k: 2).map(\.index), [2, 5])
    }

    func testExclusionAndBounds() {
        let v = Vectors(rows: [[1, 0], [0.9, 0.1], [0, 1]].map(Planted.normalize))
        XCTAssertEqual(Analysis.search(query: [1, 0], in: v, k: 10, excluding: [0]).map(\.index), [1, 2])
        XCTAssertEqual(Analysis.search(query: [1, 0], in: v, k: 10).count, 3)
        XCTAssertEqual(Analysis.search(query: [1, 0], in: v, k: 0), [])
        XCTAssertEqual(Analysis.search(query: [1, 0, 0], in: v, k: 2), [], "wrong query length → no hits")
    }

    func testNeighboursExcludeTheItem() {
        let (v, truth) = Planted.clusters(4, perCluster: 10, dim: 16, spread: 0.1, seed: 3)
        for i in [0, 13, 39] {
            let hits = Analysis.neighbours(of: i, in: v, k: 9)
            XCTAssertFalse(hits.contains { $0.index == i })
            XCTAssertEqual(hits.count, 9)
            // Its 9 neighbours are exactly the other members of its planted cluster.
            XCTAssertEqual(Set(hits.map(\.index)), Set((0..<40).filter { $0 != i && truth[$0] == truth[i] }))
        }
        XCTAssertEqual(Analysis.neighbours(of: 40, in: v, k: 3), [])
        XCTAssertEqual(Analysis.neighbours(of: -1, in: v, k: 3), [])
    }

    func testEachDocumentsBestChunk() {
        // chunks: doc0 = {0.2, 0.9}, doc1 = {0.5}, doc2 = none, doc3 = {0.1, 0.95, 0.95} (a tie: the first wins)
        let best = Analysis.bestChunks(chunkScores: [0.2, 0.9, 0.5, 0.1, 0.95, 0.95],
                                       chunkDocuments: [0, 0, 1, 3, 3, 3], documentCount: 4)
        XCTAssertEqual(best, [1, 2, -1, 4])
    }

    func testSimilarityMatrixAndTruncate() {
        let rows: [[Float]] = [[1, 0, 0, 0], [0.6, 0.8, 0, 0], [0, 0, 0.6, 0.8]]
        let m = Analysis.similarityMatrix(Vectors(rows: rows))
        let expected: [[Float]] = [[1, 0.6, 0], [0.6, 1, 0], [0, 0, 1]]
        for i in 0..<3 { XCTAssertLessThan(maxAbsDiff(m[i], expected[i]), 1e-6) }

        let t = Analysis.truncate(Vectors(rows: [[3, 4, 12], [0, 0, 5]]), to: 2)
        XCTAssertEqual(t.dim, 2)
        XCTAssertLessThan(maxAbsDiff(t.data, [0.6, 0.8, 0, 0]), 1e-6, "renormalized; zero head stays zero")
        XCTAssertEqual(Analysis.truncate(Vectors(rows: [[3, 4]]), to: 99).dim, 2)
    }

    func testGroupMeansNormalizePerGroup() {
        let v = Vectors(rows: [[1, 0], [0, 1], [0, 3]])
        let m = Analysis.groupMeans(v, groups: [0, 0, 1], groupCount: 3)
        let r = Float(0.5).squareRoot()
        XCTAssertLessThan(maxAbsDiff(m.data, [r, r, 0, 1, 0, 0]), 1e-6)
    }

    func testDocumentsScoreTheirBestChunk() {
        // 3 documents: doc 0 = chunks {0, 1}, doc 1 = chunk {2}, doc 2 = chunks {3, 4}.
        let rows: [[Float]] = [[1, 0, 0], [0, 1, 0], [0.6, 0.8, 0], [0, 0, 1], [0.8, 0, 0.6]]
        let docs = [0, 0, 1, 2, 2]
        let v = Vectors(rows: rows)
        // Query along x: doc 0 best chunk 1.0, doc 2 best 0.8, doc 1 0.6.
        let hits = Analysis.searchDocuments(query: [1, 0, 0], chunks: v, chunkDocuments: docs, documentCount: 3, k: 3)
        XCTAssertEqual(hits.map(\.document), [0, 2, 1])
        XCTAssertEqual(hits.map(\.score), [1, 0.8, 0.6])
        XCTAssertEqual(hits.map(\.chunk), [0, 4, 2], "the best chunk of each")
        // k above the number of documents: every document once; excluded ones never.
        XCTAssertEqual(Analysis.searchDocuments(query: [1, 0, 0], chunks: v, chunkDocuments: docs, documentCount: 3, k: 10,
                                                excluding: [2]).map(\.document), [0, 1])
    }
}
