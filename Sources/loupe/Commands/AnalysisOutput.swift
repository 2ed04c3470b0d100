import Analysis
import Corpus
import EmbeddingEngine
import Foundation
import JinaEmbeddings

/// What the analysis subcommands share: model + task resolution, the corpus as vectors at the
/// chosen dimension, stdin texts, JSON and table output.
enum AnalysisCLI {
    /// Loads the model, resolves `--task` (nil → `fallback` for adapter models) and checks `--dim`.
    static func model(_ options: ModelOptions, task: String?, default fallback: String?, dim: Int?) throws
        -> (EmbeddingModel, String?) {
        let model = try options.loadModel()
        let resolved = try resolveTask(task, default: fallback, model: model)
        try validate(dim, model)
        return (model, resolved)
    }

    static func validate(_ dim: Int?, _ model: EmbeddingModel) throws {
        guard let dim else { return }
        do { try model.validate(dimension: dim) } catch { throw CLIError("--dim \(dim): \(error)") }
    }

    /// Opens (and indexes, through the cache) the corpus under the resolved `task`, reusing the
    /// already-loaded model.
    static func open(_ paths: [String], corpus: CorpusOptions, model: ModelOptions, loaded: EmbeddingModel,
                     task: String?) async throws -> CorpusSession {
        guard !paths.isEmpty else { throw CLIError("no corpus given: pass one or more files, a directory, or - for stdin") }
        return try await CorpusSession.open(paths: paths, corpus: corpus, model: model, loadedModel: loaded,
                                            task: .resolved(task))
    }

    /// One vector per chunk at `dim` (nil = full), and the document of each chunk.
    static func chunkVectors(_ s: CorpusSession, dim: Int?) throws -> (Vectors, [Int]) {
        let rows = s.indexed.vectors
        guard let width = rows.first?.count, rows.allSatisfy({ $0.count == width }) else {
            throw CLIError("the corpus produced no vectors (is it empty?)")
        }
        var v = Vectors(data: rows.flatMap { $0 }, count: rows.count, dim: width)
        if let dim, dim != width { v = Analysis.truncate(v, to: dim) }
        return (v, s.indexed.chunks.map(\.document))
    }

    /// One vector per document: the normalized mean of its chunks (a one-chunk document is itself).
    static func documentVectors(_ s: CorpusSession, dim: Int?) throws -> Vectors {
        let (v, docs) = try chunkVectors(s, dim: dim)
        let n = s.indexed.corpus.documents.count
        if docs == Array(0..<n) { return v }
        return Analysis.groupMeans(v, groups: docs, groupCount: n)
    }

    /// Embeds free texts through the cache-backed indexer (interactive priority).
    static func embed(_ texts: [String], model: EmbeddingModel, options: ModelOptions, task: String?, dim: Int?) async throws -> Vectors {
        let (_, indexer) = CorpusSession.makeIndexer(model: model, options: options)
        let rows = try await indexer.embed(texts: texts, task: task, applyPrefix: !options.noPrefix)
        guard rows.count == texts.count, let width = rows.first?.count, rows.allSatisfy({ $0.count == width }) else {
            throw CLIError("the encoder returned \(rows.count) vectors for \(texts.count) texts")
        }
        let v = Vectors(data: rows.flatMap { $0 }, count: rows.count, dim: width)
        return dim.map { Analysis.truncate(v, to: $0) } ?? v
    }

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

    /// The `{"index", "score", "text"}` rows of search and neighbours.
    struct Result: Encodable { var index: Int; var score: Float; var text: String }
    struct Results: Encodable { var results: [Result] }

    static func printResults(_ results: [Result], json: Bool) throws {
        if json { return try printJSON(Results(results: results)) }
        if results.isEmpty { print("no results"); return }
        var t = TextTable(["#", "index", "score", "text"], rightAligned: [0, 1, 2])
        for (r, x) in results.enumerated() { t.add(["\(r + 1)", "\(x.index)", format(x.score), x.text]) }
        print(t.render(), terminator: "")
    }

    /// Three decimals; values that round to zero print as 0.000 (never -0.000).
    static func format(_ x: Float) -> String { abs(x) < 0.0005 ? "0.000" : String(format: "%.3f", Double(x)) }
}

/// A plain aligned text table; the last column is cut to the terminal width with an ellipsis.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []
    var rightAligned: Set<Int>
    init(_ header: [String], rightAligned: Set<Int> = []) { self.header = header; self.rightAligned = rightAligned }
    mutating func add(_ row: [String]) { rows.append(row) }

    func render(width: Int = TextTable.terminalWidth()) -> String {
        let all = [header] + rows
        let columns = header.count
        var widths = [Int](repeating: 0, count: columns)
        for r in all { for (c, cell) in r.enumerated() where c < columns - 1 { widths[c] = max(widths[c], displayWidth(oneLine(cell))) } }
        let used = widths.dropLast().reduce(0) { $0 + $1 + 2 }
        let lastWidth = max(width - used, 12)
        var out = ""
        for r in all {
            var line = ""
            for c in 0..<columns {
                let cell = oneLine(c < r.count ? r[c] : "")
                if c == columns - 1 { line += truncate(cell, to: lastWidth); continue }
                let pad = String(repeating: " ", count: widths[c] - displayWidth(cell))
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

    private func oneLine(_ s: String) -> String {
        s.split(whereSeparator: { $0.isNewline || $0 == "\t" }).joined(separator: " ")
    }

    private func truncate(_ s: String, to width: Int) -> String {
        guard displayWidth(s) > width else { return s }
        var out = "", w = 0
        for ch in s {
            let cw = charWidth(ch)
            if w + cw > width - 1 { break }
            out.append(ch); w += cw
        }
        return out + "…"
    }
}

/// Terminal columns of a string: East Asian wide characters and emoji count 2, marks 0.
func displayWidth(_ s: String) -> Int { s.reduce(0) { $0 + charWidth($1) } }

func charWidth(_ ch: Character) -> Int {
    guard let v = ch.unicodeScalars.first?.value else { return 0 }
    if ch.unicodeScalars.first?.properties.generalCategory == .nonspacingMark { return 0 }
    let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
        || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
        || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
    return wide ? 2 : 1
}
