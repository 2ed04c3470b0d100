import XCTest
import Foundation
@testable import Corpus
import TestSupport

final class LoaderTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try Fixtures.temporaryDirectory("loupe-corpus") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        return url.path
    }
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }

    func testTextFileIsOneDocumentPerNonEmptyLine() throws {
        let path = try write("a.txt", "first line\n\n   \nsecond line\r\nthird\n")
        let corpus = try CorpusLoader.load(paths: [path])
        XCTAssertEqual(corpus.documents.map(\.text), ["first line", "second line", "third"])
        XCTAssertEqual(corpus.documents.map(\.index), [0, 1, 2])
        XCTAssertEqual(corpus.documents.map(\.source), ["\(path):1", "\(path):4", "\(path):5"])
        XCTAssertEqual(corpus.repairedSequences, 0)
    }

    func testJSONLinesWithDefaultAndCustomField() throws {
        let path = try write("d.jsonl", """
            {"text": "hello \\"world\\"", "id": 1}

            {"text": "naïve café 日本語", "id": 2}
            """)
        XCTAssertEqual(try CorpusLoader.load(paths: [path]).documents.map(\.text), ["hello \"world\"", "naïve café 日本語"])
        let other = try write("e.jsonl", "{\"body\": \"x\"}\n{\"body\": \"y\"}\n")
        let corpus = try CorpusLoader.load(paths: [other], field: "body")
        XCTAssertEqual(corpus.documents.map(\.text), ["x", "y"])
        XCTAssertEqual(corpus.documents.map(\.source), ["\(other):1", "\(other):2"])
        XCTAssertThrowsError(try CorpusLoader.load(paths: [other])) { error in
            guard case CorpusError.missingField(_, "text", let available) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(available, ["body"])
            XCTAssertTrue("\(error)".contains("--field"))
        }
        let bad = try write("bad.jsonl", "{\"text\": \"ok\"}\n{not json\n")
        XCTAssertThrowsError(try CorpusLoader.load(paths: [bad])) { error in
            guard case CorpusError.malformed(_, 2, _) = error else { return XCTFail("\(error)") }
        }
    }

    func testCSVQuotingEmbeddedNewlinesDoubledQuotesAndHeader() throws {
        // RFC 4180: commas and newlines inside quotes, "" for a quote, CRLF records, an empty cell.
        let csv = "id,text,lang\r\n"
            + "1,\"Hello, world\",en\r\n"
            + "2,\"She said \"\"hi\"\"\nand left\",en\r\n"
            + "3,,en\r\n"
            + "4,plain text,fr"
        let path = try write("d.csv", csv)
        let corpus = try CorpusLoader.load(paths: [path])
        XCTAssertEqual(corpus.documents.map(\.text), ["Hello, world", "She said \"hi\"\nand left", "plain text"])
        XCTAssertEqual(corpus.documents.map(\.source), ["\(path):row 1", "\(path):row 2", "\(path):row 4"])
        let byLang = try CorpusLoader.load(paths: [path], field: "lang")
        XCTAssertEqual(byLang.documents.map(\.text), ["en", "en", "en", "fr"])
    }

    func testTSVAndMissingColumnAndUnterminatedQuote() throws {
        let tsv = try write("d.tsv", "title\tbody\nA\t\"tab\there\"\nB\tsecond\n")
        XCTAssertEqual(try CorpusLoader.load(paths: [tsv], field: "body").documents.map(\.text), ["tab\there", "second"])
        XCTAssertThrowsError(try CorpusLoader.load(paths: [tsv])) { error in
            guard case CorpusError.missingField(_, "text", let available) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(available, ["title", "body"])
        }
        let broken = try write("broken.csv", "text\nok\n\"never closed\nmore\n")
        XCTAssertThrowsError(try CorpusLoader.load(paths: [broken])) { error in
            guard case CorpusError.malformed(_, 3, _) = error else { return XCTFail("\(error)") }
        }
    }

    func testDirectoryOfTextAndMarkdownFilesInPathOrder() throws {
        try write("docs/b.md", "# Bee\n\nSecond file.\n")
        try write("docs/a.txt", "First file.")
        try write("docs/sub/c.txt", "Nested.")
        try write("docs/ignored.json", "{}")
        try write("docs/empty.txt", "  \n")
        let corpus = try CorpusLoader.load(paths: [dir.appendingPathComponent("docs").path])
        XCTAssertEqual(corpus.documents.map(\.text), ["First file.", "# Bee\n\nSecond file.", "Nested."])
        XCTAssertEqual(corpus.documents.map { URL(fileURLWithPath: $0.source).lastPathComponent }, ["a.txt", "b.md", "c.txt"])
        XCTAssertTrue(corpus.documents[2].source.hasSuffix("docs/sub/c.txt"))
    }

    func testStdinLinesAndStdinJSONLines() throws {
        let lines = try CorpusLoader.load(paths: ["-"], field: nil, stdin: { Data("one\n\ntwo\n".utf8) })
        XCTAssertEqual(lines.documents.map(\.text), ["one", "two"])
        XCTAssertEqual(lines.documents.map(\.source), ["stdin:1", "stdin:3"])
        let json = try CorpusLoader.load(paths: ["-"], field: nil, stdin: { Data("{\"text\":\"a\"}\n{\"text\":\"b\"}\n".utf8) })
        XCTAssertEqual(json.documents.map(\.text), ["a", "b"])
    }

    func testSeveralPathsAreNumberedInLoadOrder() throws {
        let a = try write("a.txt", "x\ny\n")
        let b = try write("b.jsonl", "{\"text\":\"z\"}\n")
        let corpus = try CorpusLoader.load(paths: [a, b])
        XCTAssertEqual(corpus.documents.map(\.index), [0, 1, 2])
        XCTAssertEqual(corpus.documents.map(\.text), ["x", "y", "z"])
        XCTAssertEqual(corpus.sources, [a, b])
    }

    func testInvalidUTF8IsRepairedAndCounted() throws {
        // 0xFF (never valid), a truncated 3-byte sequence (E2 82), an overlong "/" (C0 AF = 2 maximal
        // subparts per Unicode), and a genuine U+FFFD that must not be counted.
        var bytes = Array("good line\nbad ".utf8) + [0xFF] + Array(" and ".utf8) + [0xE2, 0x82]
        bytes += Array(" end\nover".utf8) + [0xC0, 0xAF] + Array(" \u{FFFD} real\n".utf8)
        let path = try write("bad.txt", bytes)
        let corpus = try CorpusLoader.load(paths: [path])
        XCTAssertEqual(corpus.documents.count, 3)
        XCTAssertEqual(corpus.documents[1].text, "bad \u{FFFD} and \u{FFFD} end")
        XCTAssertEqual(corpus.documents[2].text, "over\u{FFFD}\u{FFFD} \u{FFFD} real")
        XCTAssertEqual(corpus.repairedSequences, 4)
        // The same bytes in a CSV cell and a JSON string are repaired too (JSON would reject them otherwise).
        let csv = try write("bad.csv", Array("text\n\"a".utf8) + [0xFF] + Array("b\"\n".utf8))
        let csvCorpus = try CorpusLoader.load(paths: [csv])
        XCTAssertEqual(csvCorpus.documents.map(\.text), ["a\u{FFFD}b"])
        XCTAssertEqual(csvCorpus.repairedSequences, 1)
        let jsonl = try write("bad.jsonl", Array("{\"text\": \"x".utf8) + [0xFE] + Array("y\"}\n".utf8))
        let jsonCorpus = try CorpusLoader.load(paths: [jsonl])
        XCTAssertEqual(jsonCorpus.documents.map(\.text), ["x\u{FFFD}y"])
        XCTAssertEqual(jsonCorpus.repairedSequences, 1)
    }

    func testUTF8ByteOrderMarkIsDropped() throws {
        let path = try write("bom.csv", [0xEF, 0xBB, 0xBF] + Array("text\nhello\n".utf8))
        XCTAssertEqual(try CorpusLoader.load(paths: [path]).documents.map(\.text), ["hello"])
    }

    func testEmptyCorpusAndMissingFileAreClearErrors() throws {
        let empty = try write("empty.txt", "\n  \n\n")
        XCTAssertThrowsError(try CorpusLoader.load(paths: [empty])) { error in
            guard case CorpusError.empty(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains(empty) && message.contains("one document per non-empty line"), message)
        }
        XCTAssertThrowsError(try CorpusLoader.load(paths: [])) { error in
            guard case CorpusError.empty = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try CorpusLoader.load(paths: [dir.appendingPathComponent("nope.txt").path])) { error in
            guard case CorpusError.unreadable(_, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("no such file"))
        }
    }

    /// A single line costs time linear in its length: 5 MB takes about 10 times what 0.5 MB takes (a
    /// quadratic pass would take 100 times). A ratio, so it holds in debug, under sanitizers, on a busy machine.
    func testASingleLineLoadsInLinearTime() throws {
        let word = Array("lorem ipsum ".utf8)
        func line(_ size: Int) -> [UInt8] {
            var bytes = [UInt8]()
            bytes.reserveCapacity(size + 16)
            while bytes.count < size { bytes += word }
            return bytes
        }
        for format in ["txt", "csv"] {
            var seconds: [Int: Double] = [:]
            for size in [500_000, 5_000_000] {
                let bytes = line(size)
                let body = format == "csv" ? Array("text\n".utf8) + bytes : bytes
                let path = try write("big\(size).\(format)", body + [0x0A])
                var best = Double.infinity
                for _ in 0..<2 {
                    let start = Date()
                    let corpus = try CorpusLoader.load(paths: [path])
                    best = min(best, Date().timeIntervalSince(start))
                    XCTAssertEqual(corpus.documents.count, 1)
                    XCTAssertEqual(corpus.documents[0].text.utf8.count, bytes.count - 1)  // trailing space trimmed
                }
                seconds[size] = best
            }
            let (small, large) = (seconds[500_000]!, seconds[5_000_000]!)
            XCTAssertLessThan(large / small, 40, "\(format): 0.5 MB in \(small) s, 5 MB in \(large) s")
        }
    }
}
