import Foundation

/// The records of a JSON Lines, CSV or TSV file as field dictionaries, each with its 1-based line,
/// and typed accessors whose errors name the file and line (what the evaluation data sets need;
/// corpora go through `CorpusLoader`, which only wants one text field).
enum RecordReader {
    struct Record {
        var line: Int
        /// JSON values (String, NSNumber, NSNull, …) for JSON Lines; Strings for CSV / TSV.
        var fields: [String: Any]

        /// A string field (present; may be empty).
        func string(_ field: String, _ path: String) throws -> String {
            guard let value = fields[field] else {
                throw CorpusError.malformed(path: path, line: line, reason: "no field '\(field)' (fields: "
                                            + fields.keys.sorted().joined(separator: ", ") + ")")
            }
            guard let s = value as? String else {
                throw CorpusError.malformed(path: path, line: line, reason: "field '\(field)' is not a string")
            }
            return s
        }

        /// A string field that must not be empty after trimming.
        func text(_ field: String, _ path: String) throws -> String {
            let s = TextDecoding.trimmed(try string(field, path))
            guard !s.isEmpty else { throw CorpusError.malformed(path: path, line: line, reason: "field '\(field)' is empty") }
            return s
        }

        /// An id or label: a non-empty string, or a number written without a fraction when whole.
        func identifier(_ field: String, _ path: String) throws -> String {
            if let n = fields[field] as? NSNumber, !(fields[field] is String) {
                let d = n.doubleValue
                return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
            }
            return try text(field, path)
        }

        /// A finite number, given as a JSON number or a numeric string.
        func number(_ field: String, _ path: String) throws -> Double {
            let value: Double?
            if let s = fields[field] as? String { value = Double(TextDecoding.trimmed(s)) }
            else if let n = fields[field] as? NSNumber { value = n.doubleValue }
            else { _ = try string(field, path); value = nil }
            guard let value, value.isFinite else {
                throw CorpusError.malformed(path: path, line: line, reason: "field '\(field)' is not a number")
            }
            return value
        }
    }

    /// All records, and the field names (the CSV header, or the first JSON object's keys, sorted).
    static func read(_ path: String) throws -> (records: [Record], columns: [String]) {
        let body = TextDecoding.withoutBOM(try CorpusReader.readWhole(path))
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "csv": return try delimited(body, delimiter: 0x2C, path: path)
        case "tsv": return try delimited(body, delimiter: 0x09, path: path)
        default: return try jsonLines(body, path: path)
        }
    }

    static func jsonLines(_ body: ArraySlice<UInt8>, path: String) throws -> (records: [Record], columns: [String]) {
        var records = [Record]()
        for (index, line) in body.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let text = TextDecoding.decode(line.last == 0x0D ? line.dropLast() : line)
            if TextDecoding.trimmed(text).isEmpty { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw CorpusError.malformed(path: path, line: number, reason: "not a JSON object (each line must be one JSON object)")
            }
            records.append(Record(line: number, fields: object))
        }
        return (records, records.first?.fields.keys.sorted() ?? [])
    }

    static func delimited(_ body: ArraySlice<UInt8>, delimiter: UInt8, path: String) throws -> (records: [Record], columns: [String]) {
        var header: [String]?
        var records = [Record]()
        try CSVReader(delimiter: delimiter, path: path).read(body) { fields, line in
            let cells = fields.map { TextDecoding.decode($0) }
            guard let header else { header = cells.map(TextDecoding.trimmed); return }
            guard cells.count <= header.count else {
                throw CorpusError.malformed(path: path, line: line, reason: "\(cells.count) fields but the header names \(header.count)")
            }
            records.append(Record(line: line, fields: Dictionary(zip(header, cells), uniquingKeysWith: { a, _ in a })))
        }
        return (records, header ?? [])
    }
}
