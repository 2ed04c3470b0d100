import XCTest
import Foundation
import Analysis
import JinaEmbeddings
import TestSupport

/// The analyses on real embeddings: the default model (all-MiniLM-L6-v2) over the bundled samples.
/// Skipped only when the model file is absent (`make model`); a missing sample is a failure.
/// The bars are "sensible", not exact: paraphrases found and grouped, unrelated texts kept apart.
final class SampleCorpusTests: XCTestCase {
    nonisolated(unsafe) private static var cachedModel: EmbeddingModel?   // XCTest runs these serially

    private func model() throws -> EmbeddingModel {
        if let m = Self.cachedModel { return m }
        let m = try EmbeddingModel.load(directory: try Fixtures.defaultModelDirectory())
        Self.cachedModel = m
        return m
    }

    private func sample(_ name: String) throws -> URL {
        let url = Fixtures.repoRoot.appendingPathComponent("samples/\(name)")
        guard FileManager.default.fileExists(atPath: url.path) else {
            XCTFail("sample \(url.path) is missing")
            throw FixtureError.missing(url.path)
        }
        return url
    }

    private func jsonLines(_ name: String) throws -> [[String: Any]] {
        try String(contentsOf: sample(name), encoding: .utf8).split(whereSeparator: \.isNewline)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { line in
                guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw FixtureError.missing("\(name): a line that is not a JSON object")
                }
                return o
            }
    }

    private func embed(_ m: EmbeddingModel, _ texts: [String], task: String?) throws -> Vectors {
        let rows = try m.embed(texts: texts, task: m.hasAdapters ? task : nil)
        XCTAssertEqual(rows.count, texts.count)
        return Vectors(rows: rows)
    }

    /// Each FAQ query finds its expected answer line near the top.
    func testFAQQueriesFindTheirAnswers() throws {
        let m = try model()
        let faq = try String(contentsOf: sample("faq.txt"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let queries = try jsonLines("faq-queries.jsonl")
        XCTAssertGreaterThan(queries.count, 5)
        // expected = 0-based line index in faq.txt; keep blank lines out of the corpus but keep the numbering.
        let lines = faq.indices.filter { !faq[$0].trimmingCharacters(in: .whitespaces).isEmpty }
        let corpus = try embed(m, lines.map { faq[$0] }, task: "retrieval.passage")
        let qv = try embed(m, queries.map { $0["query"] as? String ?? "" }, task: "retrieval.query")
        var top1 = 0, top3 = 0
        for (qi, q) in queries.enumerated() {
            let expected = (q["expected"] as? NSNumber)?.intValue ?? -1
            let hits = Analysis.search(query: Array(qv.row(qi)), in: corpus, k: 3).map { lines[$0.index] }
            if hits.first == expected { top1 += 1 }
            if hits.contains(expected) { top3 += 1 }
        }
        let n = Double(queries.count)
        XCTAssertGreaterThanOrEqual(Double(top3) / n, 0.8, "top-3 \(top3)/\(queries.count), top-1 \(top1)")
        XCTAssertGreaterThanOrEqual(Double(top1) / n, 0.6, "top-1 \(top1)/\(queries.count)")
    }

    /// k-means with k = the number of topics gives mostly pure clusters, with non-empty labels.
    func testTopicsCluster() throws {
        let m = try model()
        let rows = try jsonLines("topics.jsonl")
        let texts = rows.map { $0["text"] as? String ?? "" }
        let topics = rows.map { "\($0["topic"] ?? "")" }
        let k = Set(topics).count
        XCTAssertGreaterThanOrEqual(k, 2)
        let v = try embed(m, texts, task: "separation")
        let c = Analysis.kmeans(v, k: k, texts: texts)
        XCTAssertEqual(c.k, k)
        // Purity: each cluster counted by its majority topic.
        var majority = 0
        for cl in c.clusters {
            var counts = [String: Int]()
            for i in cl.members { counts[topics[i], default: 0] += 1 }
            majority += counts.values.max() ?? 0
        }
        let purity = Double(majority) / Double(texts.count)
        XCTAssertGreaterThanOrEqual(purity, 0.75, "purity \(purity)")
        XCTAssertTrue(c.clusters.allSatisfy { !$0.label.isEmpty }, c.clusters.map(\.label).description)
        // Neighbours mostly share the topic.
        var same = 0, total = 0
        for i in stride(from: 0, to: texts.count, by: max(1, texts.count / 40)) {
            for h in Analysis.neighbours(of: i, in: v, k: 3) { total += 1; if topics[h.index] == topics[i] { same += 1 } }
        }
        XCTAssertGreaterThanOrEqual(Double(same) / Double(max(total, 1)), 0.75, "\(same)/\(total)")
    }

    /// Planted copies (exact, case, typos) are grouped, paraphrases sit next to their originals, and
    /// different groups are not merged.
    func testDuplicatesAreGrouped() throws {
        let m = try model()
        let rows = try jsonLines("duplicates.jsonl")
        let texts = rows.map { $0["text"] as? String ?? "" }
        // A missing, null or negative group, or kind "unique", means "no planted duplicate": a group of its own.
        let planted = rows.enumerated().map { i, r -> String in
            let unique = (r["kind"] as? String) == "unique" || r["group"] == nil || r["group"] is NSNull
                || ((r["group"] as? NSNumber)?.intValue ?? 0) < 0
            return unique ? "solo:\(i)" : "g:\(r["group"]!)"
        }
        let v = try embed(m, texts, task: "text-matching")
        let groups = Analysis.duplicates(v, texts: texts, threshold: 0.85)
        var found = [Int: Int]()
        for (gi, g) in groups.enumerated() { for i in g.members { found[i] = gi } }

        // Pair precision: found pairs that belong to the same planted group.
        var foundPairs = 0, correctPairs = 0
        for g in groups {
            for a in g.members { for b in g.members where a < b { foundPairs += 1; if planted[a] == planted[b] { correctPairs += 1 } } }
            XCTAssertEqual(g.members, g.members.sorted())
            XCTAssertGreaterThanOrEqual(g.members.count, 2)
        }
        XCTAssertGreaterThan(foundPairs, 0)
        XCTAssertGreaterThanOrEqual(Double(correctPairs) / Double(max(foundPairs, 1)), 0.9,
                                    "\(correctPairs)/\(foundPairs) found pairs are planted duplicates")
        // Recall of planted copies that differ only in case and spacing (or not at all); typos are
        // left out because the default model is very typo-sensitive (cosines 0.4–0.85 measured).
        let kinds = rows.map { $0["kind"] as? String ?? "" }
        let copyKinds: Set<String> = ["original", "exact", "case"]
        var plantedPairs = 0, recalled = 0
        for a in 0..<texts.count {
            for b in (a + 1)..<texts.count where planted[a] == planted[b] && copyKinds.contains(kinds[a]) && copyKinds.contains(kinds[b]) {
                plantedPairs += 1
                if let fa = found[a], found[b] == fa { recalled += 1 }
                if Analysis.normalizedText(texts[a]) == Analysis.normalizedText(texts[b]) {
                    XCTAssertNotNil(found[a]); XCTAssertEqual(found[a], found[b])
                }
            }
        }
        XCTAssertGreaterThan(plantedPairs, 0)
        XCTAssertGreaterThanOrEqual(Double(recalled) / Double(max(plantedPairs, 1)), 0.95,
                                    "\(recalled)/\(plantedPairs) planted copy pairs grouped")
        // Typos and paraphrases often fall below a duplicate threshold, but their nearest neighbour is in their group.
        let paraphrases = kinds.indices.filter { ["paraphrase", "typo"].contains(kinds[$0]) && planted[$0].hasPrefix("g:") }
        let near = paraphrases.filter { i in
            Analysis.neighbours(of: i, in: v, k: 1).first.map { planted[$0.index] == planted[i] } ?? false
        }
        XCTAssertGreaterThanOrEqual(Double(near.count) / Double(max(paraphrases.count, 1)), 0.8,
                                    "\(near.count)/\(paraphrases.count) typos and paraphrases have a same-group nearest neighbour")
        for g in groups where g.exact {
            XCTAssertEqual(Set(g.members.map { Analysis.normalizedText(texts[$0]) }).count, 1)
        }
    }
}
