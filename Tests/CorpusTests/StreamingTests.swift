import XCTest
import Foundation
@testable import Corpus
import EmbeddingEngine
import TestSupport

/// The limits of issue 14, scaled down: a corpus is read and indexed a block at a time, so memory does
/// not grow with its size (the full-size runs — 2 GB file, 100 MB line, a million lines — are in
/// BENCHMARKS.md).
final class StreamingTests: XCTestCase {
    /// Lines generated on the fly, never held whole: `lines` lines of about 40 bytes.
    final class GeneratedLines: ByteSource {
        let lines: Int
        private(set) var produced = 0
        init(lines: Int) { self.lines = lines }
        func read(max: Int) throws -> [UInt8] {
            var out: [UInt8] = []
            while produced < lines && out.count + 64 <= max {
                out += Array("line \(produced) of a corpus far too big to hold\n".utf8)
                produced += 1
            }
            return out
        }
    }

    func testReaderHoldsOneBlockNotTheInput() throws {
        // 50 million lines (~2.4 GB) would take minutes to generate: only the first blocks are read.
        let source = GeneratedLines(lines: 50_000_000)
        let reader = CorpusReader(inputs: [.bytes({ source }, format: .lines, label: "gen")], sources: ["gen"], field: nil,
                                  totalBytes: 0)
        let first = try reader.next(limit: 1000)
        XCTAssertEqual(first.map(\.index), Array(0..<1000))
        XCTAssertEqual(first[999].text, "line 999 of a corpus far too big to hold")
        // One piece (1 MB) was enough; nothing beyond it was generated or buffered.
        XCTAssertLessThanOrEqual(reader.bytesRead, Int64(CorpusReader.pieceSize))
        XCTAssertLessThan(source.produced, 30_000)
        let second = try reader.next(limit: 1000)
        XCTAssertEqual(second.first?.source, "gen:1001")
    }

    func testPiecesNeverChangeTheDocuments() throws {
        let body = Data(("text,n\n\"a, \"\"quoted\"\"\r\nfield\",1\r\n\r\nplain,2\n" + String(repeating: "x,3\n", count: 50)
                         + "\u{FEFF}bom in the middle,4\n\"unterminated\n").utf8)
        for format in CorpusFormat.allCases {
            let whole = outcome(CorpusReader(bytes: body, format: format, label: "f"))
            for sizes in [[1], [2, 3], [7, 1, 64]] {
                XCTAssertEqual(outcome(CorpusReader(bytes: body, format: format, label: "f", pieceSizes: sizes)), whole,
                               "\(format) in pieces of \(sizes)")
            }
        }
    }

    private func outcome(_ reader: CorpusReader) -> String {
        do { return try CorpusLoader.collect(reader).documents.map { "\($0.source)=\($0.text)" }.joined(separator: "|") } catch {
            return "error: \(error)"
        }
    }

    /// The longest document is bounded (1 GB; 64 bytes here): a longer line or CSV record is a clear error
    /// naming where it starts, found without holding more than that.
    func testALineLongerThanTheLimitIsAClearError() throws {
        for (format, body) in [(CorpusFormat.lines, "short\n" + String(repeating: "x", count: 500)),
                               (.csv, "text\nok\n\"" + String(repeating: "y\n", count: 100))] {
            var parser = DocumentParser(format: format, label: "big", field: nil, maxLineBytes: 64)
            var documents: [String] = []
            XCTAssertThrowsError(try {
                for chunk in Array(body.utf8).chunked(16) { try parser.feed(chunk) { text, _ in documents.append(text) } }
                try parser.finish { text, _ in documents.append(text) }
            }()) { error in
                XCTAssertTrue("\(error)".contains("big:") && "\(error)".contains("longer than 64 bytes"), "\(error)")
            }
            XCTAssertEqual(documents, format == .lines ? ["short"] : ["ok"])
        }
    }

    func testStreamedIndexEmbedsEverythingOnceABlockAtATime() async throws {
        let dir = try Fixtures.temporaryDirectory("loupe-stream")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("c.txt")
        let texts = (0..<500).map { "document \($0 % 450) about topic \($0 % 450 % 7)" }  // 50 repeats across blocks
        try Data(texts.joined(separator: "\n").utf8).write(to: file)
        let backend = HashingBackend()
        let indexer = Indexer(encoder: EncoderService(backend: backend), cache: try EmbeddingCache.open(directory: dir, log: { _ in }))
        let progress = StreamProgress()
        let summary = try await indexer.indexStreaming(try CorpusReader(paths: [file.path]), task: "text-matching",
                                                       blockDocuments: 64, progress: progress)
        XCTAssertEqual(summary.documents, 500)
        XCTAssertEqual(summary.chunks, 500)
        XCTAssertEqual(summary.embedded + summary.cached, 500)
        XCTAssertEqual(backend.stats.textsEmbedded, 450, "each distinct text embedded once; repeats come from the cache")
        XCTAssertEqual(progress.snapshot, summary)
        XCTAssertEqual(summary.bytesRead, summary.totalBytes)
        // The same vectors as indexing the whole corpus in memory, which now finds all of them cached.
        let whole = try await indexer.index(try CorpusLoader.load(paths: [file.path]), task: "text-matching")
        XCTAssertEqual(whole.cached, 500)
        XCTAssertEqual(backend.stats.textsEmbedded, 450)
    }
}

private extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
