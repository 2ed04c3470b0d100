import Analysis
import Explorer
import Foundation
import Session

/// What the analysis subcommands share for input and output: stdin texts, JSON, result rows and tables.
enum AnalysisCLI {
    /// JSON Lines `{"text": ...}` from stdin, one text per non-empty line.
    static func readStdinTexts() throws -> [String] {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        let input = String(decoding: data, as: UTF8.self)
        var texts = [String]()
        for (n, line) in input.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let text = object["text"] as? String else {
                throw CLIError("stdin line \(n + 1): expected a JSON object with a \"text\" string, e.g. {\"text\": \"hello\"}")
            }
            texts.append(text)
        }
        if texts.isEmpty {
            throw CLIError("no texts on stdin: pipe JSON Lines such as {\"text\": \"a cat\"} (one per line)")
        }
        return texts
    }

    /// Prints an Encodable value as one JSON line on stdout.
    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// The `{"index", "score", "text"}` rows of search and neighbours (`chunk`: the best chunk's
    /// Unicode-scalar span `[start, end)` when a chunk, not the whole document, answered).
    struct Result: Encodable {
        var index: Int
        var score: Float
        var text: String
        var chunk: [Int]?
    }
    struct Results: Encodable { var results: [Result] }

    static func printResults(_ hits: [DocumentHit], documents: [String], json: Bool) throws {
        let results = hits.map {
            Result(index: $0.document, score: $0.score, text: documents[$0.document], chunk: $0.span.map { [$0.lowerBound, $0.upperBound] })
        }
        if json { return try printJSON(Results(results: results)) }
        if results.isEmpty { print("no results"); return }
        var t = TextTable(["#", "index", "score", "text"], rightAligned: [0, 1, 2])
        for (r, x) in results.enumerated() { t.add(["\(r + 1)", "\(x.index)", format(x.score), x.text]) }
        print(t.render(), terminator: "")
    }

    /// Three decimals; values that round to zero print as 0.000 (never -0.000).
    static func format(_ x: Float) -> String { abs(x) < 0.0005 ? "0.000" : String(format: "%.3f", Double(x)) }
}

/// A plain aligned text table; the last column is cut to the terminal width with an ellipsis. Widths
/// are the explorer's display widths (wide CJK and emoji count 2, combining marks 0), and truncation
/// never splits a grapheme.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []
    var rightAligned: Set<Int>
    init(_ header: [String], rightAligned: Set<Int> = []) { self.header = header; self.rightAligned = rightAligned }
    mutating func add(_ row: [String]) { rows.append(row) }

    func render(width: Int = TextTable.terminalWidth()) -> String {
        let all = ([header] + rows).map { $0.map(DisplayText.sanitize) }
        let columns = header.count
        var widths = [Int](repeating: 0, count: columns)
        for r in all { for (c, cell) in r.enumerated() where c < columns - 1 { widths[c] = max(widths[c], DisplayWidth.of(cell)) } }
        let used = widths.dropLast().reduce(0) { $0 + $1 + 2 }
        let lastWidth = max(width - used, 12)
        var out = ""
        for r in all {
            var line = ""
            for c in 0..<columns {
                let cell = c < r.count ? r[c] : ""
                if c == columns - 1 { line += DisplayText.truncate(cell, width: lastWidth); continue }
                let pad = String(repeating: " ", count: widths[c] - DisplayWidth.of(cell))
                line += (rightAligned.contains(c) ? pad + cell : cell + pad) + "  "
            }
            out += line + "\n"
        }
        return out
    }

    static func terminalWidth() -> Int {
        if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 20 { return c }
        return 100
    }
}
