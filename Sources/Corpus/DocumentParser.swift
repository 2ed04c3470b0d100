import Foundation

/// How the bytes of one corpus input are read.
public enum CorpusFormat: String, Sendable, CaseIterable {
    /// A document per non-empty line (`.txt` and any unknown extension).
    case lines
    /// A JSON object per line with the text in a field (`.jsonl`, `.ndjson`).
    case jsonLines
    /// A header row, then a record per row (`.csv`, `.tsv`).
    case csv, tsv
    /// Standard input: JSON Lines when the first non-blank line starts with `{` (or a field is given),
    /// else lines.
    case detect

    /// The format a file path is read in (a directory is handled by the reader).
    static func of(path: String) -> CorpusFormat {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "jsonl", "ndjson": return .jsonLines
        case "csv": return .csv
        case "tsv", "tab": return .tsv
        default: return .lines
        }
    }
}

/// Turns the bytes of one input, fed in pieces of any size, into documents (`emit(text, source)`), holding
/// only the line being read: a 2 GB file costs the documents, not the file. Lines are split on LF (a
/// trailing CR dropped); a leading UTF-8 byte order mark is dropped; invalid UTF-8 is replaced with U+FFFD
/// and counted in `repaired` (an LF always ends an invalid sequence, so counting per line is exact).
struct DocumentParser {
    private var format: CorpusFormat
    let label: String
    let field: String?
    private(set) var repaired = 0
    /// Bytes after the last complete line (the line being read).
    private var pending: [UInt8] = []
    private var bomChecked = false
    private var lineNumber = 0
    private var csv: CSVReader?
    private var column: Int?
    private var row = 0
    /// A line (or CSV record) longer than this is refused: memory holds the line being read.
    let maxLineBytes: Int

    init(format: CorpusFormat, label: String, field: String?, maxLineBytes: Int = CorpusReader.maxDocumentBytes) {
        self.format = format; self.label = label; self.field = field; self.maxLineBytes = maxLineBytes
        switch format {
        case .csv: csv = CSVReader(delimiter: 0x2C, path: label, maxRecordBytes: maxLineBytes)
        case .tsv: csv = CSVReader(delimiter: 0x09, path: label, maxRecordBytes: maxLineBytes)
        default: break
        }
    }

    typealias Emit = (_ text: String, _ source: String) throws -> Void

    mutating func feed<C: Collection>(_ bytes: C, emit: Emit) throws where C.Element == UInt8 {
        // `pending` holds no LF before the append: only the new bytes are searched (a 100 MB line is
        // fed in many pieces).
        var searchFrom = pending.count
        pending.append(contentsOf: bytes)
        if !bomChecked {
            guard pending.count >= 3 else { return }
            dropBOM()
            searchFrom = 0
        }
        guard let lastLF = pending[searchFrom...].lastIndex(of: 0x0A) else {
            if pending.count > maxLineBytes { throw tooLong(line: lineNumber + 1) }
            return
        }
        var start = 0
        while start <= lastLF {
            let end = pending[start...lastLF].firstIndex(of: 0x0A)!
            try line(pending[start..<end], terminated: true, emit: emit)
            start = end + 1
        }
        pending.removeSubrange(0..<start)
        if pending.count > maxLineBytes { throw tooLong(line: lineNumber + 1) }
    }

    private func tooLong(line: Int) -> CorpusError {
        .malformed(path: label, line: line, reason: "a line longer than \(CorpusReader.describe(bytes: maxLineBytes)); "
                   + "loupe reads documents of at most that size (split the line into several documents)")
    }

    /// The end of the input: the last line (without a final LF) and the format's final checks.
    mutating func finish(emit: Emit) throws {
        if !bomChecked { dropBOM() }
        if !pending.isEmpty { try line(pending[...], terminated: false, emit: emit) }
        pending = []
        guard var reader = csv else { return }
        csv = nil
        try reader.finish { fields, _ in try record(fields, emit: emit) }
        if column == nil {
            throw CorpusError.empty("\(label) has no header row (the first row must name the columns, one of them '\(field ?? "text")')")
        }
    }

    private mutating func dropBOM() {
        bomChecked = true
        if pending.count >= 3 && pending[0] == 0xEF && pending[1] == 0xBB && pending[2] == 0xBF { pending.removeFirst(3) }
    }

    private mutating func line(_ bytes: ArraySlice<UInt8>, terminated: Bool, emit: Emit) throws {
        lineNumber += 1
        repaired += TextDecoding.invalidSequenceCount(bytes)
        if format == .detect {
            // Standard input: the first non-blank line decides.
            let first = TextDecoding.trimmed(TextDecoding.decode(bytes))
            guard !first.isEmpty || field != nil else { return }
            format = first.hasPrefix("{") || field != nil ? .jsonLines : .lines
        }
        var text = bytes
        if text.last == 0x0D { text = text.dropLast() }
        switch format {
        case .lines, .detect:
            try emit(TextDecoding.decode(text), "\(label):\(lineNumber)")
        case .jsonLines:
            try jsonLine(TextDecoding.decode(text), emit: emit)
        case .csv, .tsv:
            guard var reader = csv else { return }
            csv = nil  // (not held twice while the closure mutates self)
            defer { csv = reader }
            try reader.feed(bytes) { fields, _ in try record(fields, emit: emit) }
            if terminated { try reader.feed(CollectionOfOne(0x0A)) { fields, _ in try record(fields, emit: emit) } }
        }
    }

    private func jsonLine(_ text: String, emit: Emit) throws {
        let name = field ?? "text"
        if TextDecoding.trimmed(text).isEmpty { return }
        let object: Any
        do {
            // Repaired text, so the JSON parser sees valid UTF-8.
            object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw CorpusError.malformed(path: label, line: lineNumber, reason: "not valid JSON (each line must be one JSON object)")
        }
        guard let dict = object as? [String: Any] else {
            throw CorpusError.malformed(path: label, line: lineNumber, reason: "expected a JSON object like {\"\(name)\": \"...\"}")
        }
        guard let value = dict[name] else {
            throw CorpusError.missingField(path: "\(label):\(lineNumber)", field: name, available: dict.keys.sorted())
        }
        switch value {
        case let s as String: try emit(s, "\(label):\(lineNumber)")
        case is NSNull: return
        default: throw CorpusError.malformed(path: label, line: lineNumber, reason: "field '\(name)' is not a string")
        }
    }

    private mutating func record(_ fields: [[UInt8]], emit: Emit) throws {
        let name = field ?? "text"
        guard let column else {
            let header = fields.map { TextDecoding.trimmed(TextDecoding.decode($0)) }
            guard let index = header.firstIndex(of: name) else {
                throw CorpusError.missingField(path: label, field: name, available: header.filter { !$0.isEmpty })
            }
            column = index
            return
        }
        row += 1
        // A short row simply has no text (treated as empty, like a blank cell).
        guard column < fields.count else { return }
        try emit(TextDecoding.decode(fields[column]), "\(label):row \(row)")
    }
}
