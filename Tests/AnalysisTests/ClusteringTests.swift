import XCTest
import Analysis
import TestSupport

final class ClusteringTests: XCTestCase {
    func testKMeansRecoversPlantedClustersExactly() {
        let (v, truth) = Planted.clusters(5, perCluster: 30, dim: 32, spread: 0.15, seed: 10)
        let c = Analysis.kmeans(v, k: 5, texts: [])
        XCTAssertEqual(c.k, 5)
        XCTAssertTrue(Planted.samePartition(c.assignments, truth))
        XCTAssertEqual(c.clusters.map(\.size), [30, 30, 30, 30, 30])
        // Cluster c's members are exactly the items assigned to c.
        for (ci, cl) in c.clusters.enumerated() {
            XCTAssertEqual(Set(cl.members), Set(c.assignments.indices.filter { c.assignments[$0] == ci }))
        }
    }

    func testKMeansIsReproducibleWithASeed() {
        let (v, _) = Planted.clusters(6, perCluster: 25, dim: 16, spread: 0.6, seed: 11)
        let a = Analysis.kmeans(v, k: 4, texts: [], seed: 7)
        let b = Analysis.kmeans(v, k: 4, texts: [], seed: 7)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.assignments.count, 150)
    }

    func testCanonicalOrderAndCentralMembersFirst() {
        // Unequal planted sizes: the largest cluster comes first.
        var rng = SeededRNG(seed: 12)
        let c0 = Planted.unit(8, &rng), c1 = Planted.unit(8, &rng)
        var rows: [[Float]] = [c1]   // item 0 is exactly centre 1
        for s: Float in [0.3, 0.2, 0.25] { rows.append(Planted.normalize(zip(c1, Planted.unit(8, &rng)).map { $0 + s * $1 })) }
        rows.append(c0)               // item 4 is exactly centre 0
        for s: Float in [0.3, 0.2, 0.25, 0.3, 0.35] { rows.append(Planted.normalize(zip(c0, Planted.unit(8, &rng)).map { $0 + s * $1 })) }
        let c = Analysis.kmeans(Vectors(rows: rows), k: 2, texts: [])
        XCTAssertEqual(c.clusters.map(\.size), [6, 4])
        XCTAssertEqual(Set(c.clusters[0].members), Set(4...9))
        XCTAssertEqual(c.assignments, [1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
        // Members are sorted by cosine to the normalized member mean, computed here independently.
        for cl in c.clusters {
            let mean = Planted.normalize((0..<8).map { j in cl.members.reduce(0) { $0 + rows[$1][j] } })
            let sims = cl.members.map { cosine(rows[$0], mean) }
            XCTAssertEqual(sims, sims.sorted(by: >))
        }
    }

    func testKClampsToTheItemCount() {
        let v = Vectors(rows: [[1, 0], [0, 1], [0.7, 0.7]])
        XCTAssertEqual(Analysis.kmeans(v, k: 10, texts: []).k, 3)
        XCTAssertEqual(Analysis.kmeans(v, k: 0, texts: []).k, 1)
        XCTAssertEqual(Analysis.kmeans(Vectors(rows: []), k: 3, texts: []).k, 0)
    }

    func testAutoKFindsThePlantedK() {
        for (k, seed) in [(3, UInt64(20)), (6, 21)] {
            let (v, truth) = Planted.clusters(k, perCluster: 20, dim: 32, spread: 0.15, seed: seed)
            let c = Analysis.autoKMeans(v, texts: [], maxK: 10)
            XCTAssertEqual(c.k, k)
            XCTAssertTrue(Planted.samePartition(c.assignments, truth))
            XCTAssertNotNil(c.silhouette)
            XCTAssertGreaterThan(c.silhouette ?? 0, 0.5)
        }
    }

    func testSilhouetteOfAKnownConfiguration() {
        // Two tight pairs at right angles: a = 1 − cos within ≈ 0, b ≈ 1 → silhouette ≈ 1.
        let v = Vectors(rows: [[1, 0], [1, 0], [0, 1], [0, 1]])
        XCTAssertEqual(Analysis.silhouette(v, assignments: [0, 0, 1, 1]), 1, accuracy: 1e-6)
        // The crossed assignment: a = 1 (own cluster), b = 0.5 … s = (0.5 − 1)/1 = −0.5 for everyone.
        XCTAssertEqual(Analysis.silhouette(v, assignments: [0, 1, 0, 1]), -0.5, accuracy: 1e-6)
    }

    func testAgglomerativeRecoversPlantedGroups() {
        let (v, truth) = Planted.clusters(4, perCluster: 12, dim: 24, spread: 0.2, seed: 30)
        let c = Analysis.agglomerative(v, k: 4, texts: [])
        XCTAssertEqual(c.k, 4)
        XCTAssertTrue(Planted.samePartition(c.assignments, truth))
    }

    func testAgglomerativeAverageLinkOnAHandWorkedExample() {
        // Unit vectors at 0°, 10°, 20°, 80° and 95°. By hand (distance 1 − cos): 0°–10° and 10°–20°
        // at 0.015, then 80°–95° at 0.034, then 20° joins {0°, 10°} at (0.060 + 0.015) / 2 = 0.038;
        // so the 2-cut is {0°, 10°, 20°} | {80°, 95°} and the 3-cut splits off 20° or 0° (a tie).
        let rows = [0.0, 10, 20, 80, 95].map { d -> [Float] in let r = d * .pi / 180; return [Float(cos(r)), Float(sin(r))] }
        let c = Analysis.agglomerative(Vectors(rows: rows), k: 2, texts: [])
        XCTAssertEqual(c.assignments, [0, 0, 0, 1, 1])
        XCTAssertEqual(Analysis.agglomerative(Vectors(rows: rows), k: 5, texts: []).clusters.map(\.size), [1, 1, 1, 1, 1])
        XCTAssertEqual(Analysis.agglomerative(Vectors(rows: rows), k: 1, texts: []).clusters.map(\.size), [5])
    }

    func testLabelsComeFromDistinctiveWords() {
        let (v, truth) = Planted.clusters(2, perCluster: 6, dim: 16, spread: 0.1, seed: 40)
        let texts = truth.enumerated().map { i, t in
            t == 0 ? "The recipe needs flour and butter, batch \(i)" : "The train leaves the station on the railway line \(i)"
        }
        let c = Analysis.kmeans(v, k: 2, texts: texts)
        for cl in c.clusters {
            let words = Set(cl.label.components(separatedBy: ", "))
            let topic = truth[cl.members[0]]
            let expected: Set<String> = topic == 0 ? ["recipe", "needs", "flour", "butter", "batch"]
                                                   : ["train", "leaves", "station", "railway", "line"]
            XCTAssertEqual(words.count, 3, cl.label)
            XCTAssertTrue(words.isSubset(of: expected), cl.label)
        }
    }

    func testTokenizerIsMultilingual() {
        XCTAssertEqual(ClusterLabeler.tokenize("Der schnelle Zug fährt über die Brücke!"),
                       ["schnelle", "zug", "fährt", "über", "brücke"])
        XCTAssertEqual(ClusterLabeler.tokenize("Привет, мир 2024"), ["привет", "мир"])
        XCTAssertEqual(ClusterLabeler.tokenize("東京駅"), ["東京", "京駅"])
        XCTAssertEqual(ClusterLabeler.tokenize("a to the"), [])
    }
}
