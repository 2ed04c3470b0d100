import XCTest
import Foundation
@testable import Corpus
import TestSupport

/// `loupe eval` data sets: the kind from the layout, and errors that name the file and line.
final class EvalDatasetTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try Fixtures.temporaryDirectory("loupe-evalset") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    private func beir(qrels: String = "query-id\tcorpus-id\tscore\nq1\td2\t2\nq1\t7\t1\nq2\td1\t0\nq9\td1\t1\nq1\tgone\t1\n") throws -> String {
        try write("set/corpus.jsonl", """
            {"_id": "d1", "title": "Refunds", "text": "Money back within 30 days."}
            {"_id": "d2", "title": "", "text": "Reset your password from the login page."}
            {"_id": 7, "text": "Two-factor sign-in."}
            """)
        try write("set/queries.jsonl", "{\"_id\": \"q1\", \"text\": \"forgot password\"}\n{\"_id\": \"q2\", \"text\": \"refund?\"}\n")
        try write("set/qrels/test.tsv", qrels)
        return dir.appendingPathComponent("set").path
    }

    func testBEIRFolderIsRetrieval() throws {
        guard case .retrieval(let r) = try EvalDatasetLoader.load(path: try beir()) else { return XCTFail("not retrieval") }
        XCTAssertEqual(r.documents.map(\.text), ["Refunds Money back within 30 days.", "Reset your password from the login page.",
                                                 "Two-factor sign-in."], "title + space + text; an empty title adds nothing")
        XCTAssertEqual(r.documentIDs, ["d1", "d2", "7"], "a numeric _id is read as its digits")
        XCTAssertEqual(r.queries, ["forgot password", "refund?"])
        // q1: d2 → 2, 7 → 1, and 'gone' (not in the corpus) → a virtual index 3 that counts as relevant.
        XCTAssertEqual(r.judgments[0], [1: 2, 2: 1, 3: 1])
        XCTAssertEqual(r.judgments[1], [0: 0])
        XCTAssertEqual(r.missingDocumentRows, 1)
        XCTAssertEqual(r.unknownQueryRows, 1, "q9 is not in queries.jsonl")
        XCTAssertEqual(r.evaluatedQueries, [0], "q2 has only a grade-0 judgment: skipped")
        XCTAssertEqual(r.relevantDocuments(forQuery: " forgot password ").map(\.document), [1, 2], "grade first; never a virtual index")
        XCTAssertEqual(r.relevantDocuments(forQuery: "refund?").count, 0)
        XCTAssertEqual(r.corpus.documents.count, 3)
        XCTAssertTrue(r.documents[0].source.hasSuffix("corpus.jsonl:1"))
    }

    func testBadQrelsNameTheFileAndLine() throws {
        let cases: [(String, String)] = [
            ("q1\td2\t1\n", "expected the header row"),
            ("query-id\tcorpus-id\tscore\nq1\td2\tmany\n", "is not a whole number"),
            ("query-id\tcorpus-id\tscore\nq1\td2\t-1\n", "is not a whole number"),
            ("query-id\tcorpus-id\tscore\nq1\td2\n", "expected 3 tab-separated fields"),
            ("query-id\tcorpus-id\tscore\nq1\td2\t1\nq1\td2\t2\n", "judged twice (first on line 2)"),
        ]
        for (qrels, message) in cases {
            let path = try beir(qrels: qrels)
            XCTAssertThrowsError(try EvalDatasetLoader.load(path: path), message) { error in
                XCTAssertTrue("\(error)".contains("qrels/test.tsv:"), "\(error)")
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
        XCTAssertThrowsError(try EvalDatasetLoader.load(path: try beir(qrels: "query-id\tcorpus-id\tscore\n"))) {
            XCTAssertTrue("\($0)".contains("no judgments"), "\($0)")
        }
    }

    func testIncompleteFolderSaysWhatIsMissing() throws {
        try write("half/corpus.jsonl", "{\"_id\": \"a\", \"text\": \"x\"}\n")
        XCTAssertThrowsError(try EvalDatasetLoader.load(path: dir.appendingPathComponent("half").path)) { error in
            XCTAssertTrue("\(error)".contains("missing: queries.jsonl, qrels/test.tsv"), "\(error)")
        }
        try write("dup/corpus.jsonl", "{\"_id\": \"a\", \"text\": \"x\"}\n{\"_id\": \"a\", \"text\": \"y\"}\n")
        try write("dup/queries.jsonl", "{\"_id\": \"q\", \"text\": \"x\"}\n")
        try write("dup/qrels/test.tsv", "query-id\tcorpus-id\tscore\nq\ta\t1\n")
        XCTAssertThrowsError(try EvalDatasetLoader.load(path: dir.appendingPathComponent("dup").path)) { error in
            XCTAssertTrue("\(error)".hasSuffix("corpus.jsonl:2: duplicate _id 'a'"), "\(error)")
        }
    }

    func testPairsFromEachFormat() throws {
        let tsv = try write("p.tsv", "sentence1\tsentence2\tscore\nA cat.\tA kitten.\t4.5\nA car.\t\"Une voiture.\"\t5\n")
        let csv = try write("p.csv", "score,sentence1,sentence2\n1,\"Hi, there\",Hello\n0,x,y\n")
        let jsonl = try write("p.jsonl", "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"score\": 2}\n{\"sentence1\": \"c\", \"sentence2\": \"d\", \"score\": \"0.5\"}\n")
        guard case .pairs(let t) = try EvalDatasetLoader.load(path: tsv), case .pairs(let c) = try EvalDatasetLoader.load(path: csv),
              case .pairs(let j) = try EvalDatasetLoader.load(path: jsonl) else { return XCTFail("not pairs") }
        XCTAssertEqual(t.second, ["A kitten.", "Une voiture."])
        XCTAssertEqual(t.scores, [4.5, 5])
        XCTAssertEqual(c.first, ["Hi, there", "x"])
        XCTAssertEqual(j.scores, [2, 0.5])
    }

    func testBadPairsNameTheLine() throws {
        let noScore = try write("a.jsonl", "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"score\": 1}\n{\"sentence1\": \"a\", \"sentence2\": \"b\"}\n")
        XCTAssertThrowsError(try EvalDatasetLoader.load(path: noScore)) { XCTAssertTrue("\($0)".hasSuffix("a.jsonl:2: no field 'score' (fields: sentence1, sentence2)"), "\($0)") }
        let text = try write("b.tsv", "sentence1\tsentence2\tscore\na\tb\thigh\nc\td\t1\n")
        XCTAssertThrowsError(try EvalDatasetLoader.load(path: text)) { XCTAssertTrue("\($0)".hasSuffix("b.tsv:2: field 'score' is not a number"), "\($0)") }
        let empty = try write("c.csv", "sentence1,sentence2,score\na,,1\nc,d,1\n")
        XCTAssertThrowsError(try EvalDatasetLoader.load(path: empty)) { XCTAssertTrue("\($0)".hasSuffix("c.csv:2: field 'sentence2' is empty"), "\($0)") }
        let json = try write("d.jsonl", "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"score\": 1}\n[1, 2]\n")
        XCTAssertThrowsError(try EvalDatasetLoader.load(path: json)) { XCTAssertTrue("\($0)".contains("d.jsonl:2: not a JSON object"), "\($0)") }
    }

    func testLabelledTexts() throws {
        let path = try write("l.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"label\": 3}\n{\"text\": \"c\", \"label\": \"x\"}\n")
        guard case .labelled(let l) = try EvalDatasetLoader.load(path: path) else { return XCTFail("not labelled") }
        XCTAssertEqual(l.labels, [0, 1, 0])
        XCTAssertEqual(l.labelNames, ["x", "3"])
        let topic = try write("t.csv", "body,topic\nsun,astro\npie,food\n")
        guard case .labelled(let t) = try EvalDatasetLoader.load(path: topic, textField: "body", labelField: "topic") else { return XCTFail() }
        XCTAssertEqual(t.texts, ["sun", "pie"])
        XCTAssertThrowsError(try EvalDatasetLoader.load(path: topic, textField: "body")) {
            XCTAssertTrue("\($0)".hasSuffix("t.csv:2: no label field 'label' (fields: body, topic; use --label-field NAME)"), "\($0)")
        }
        XCTAssertThrowsError(try EvalDatasetLoader.load(path: topic)) {
            XCTAssertTrue("\($0)".contains("neither sentence1/sentence2 (similarity pairs) nor 'text'"), "\($0)")
        }
        let one = try write("one.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"label\": \"x\"}\n")
        XCTAssertThrowsError(try EvalDatasetLoader.load(path: one)) { XCTAssertTrue("\($0)".contains("at least 2 labels"), "\($0)") }
        let txt = try write("plain.txt", "a\nb\n")
        XCTAssertThrowsError(try EvalDatasetLoader.load(path: txt)) { XCTAssertTrue("\($0)".contains("is not an evaluation data set"), "\($0)") }
        XCTAssertThrowsError(try EvalDatasetLoader.load(path: dir.appendingPathComponent("nope.tsv").path)) {
            XCTAssertTrue("\($0)".contains("no such file"), "\($0)")
        }
    }
}
