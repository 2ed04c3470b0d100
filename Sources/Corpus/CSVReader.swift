/// An RFC 4180 reader over bytes fed in pieces of any size: fields separated by `delimiter`, records by
/// LF, CR or CRLF; a field in double quotes may contain delimiters, newlines and doubled quotes
/// (`""` → `"`). Lenient where the RFC is strict (a quote inside an unquoted field is kept literally),
/// strict where data would be lost: an unterminated quoted field is an error naming the line where it
/// opened. Linear in the input; holds only the record being read.
struct CSVReader {
    let delimiter: UInt8
    let path: String
    private var fields: [[UInt8]] = []
    private var field: [UInt8] = []
    private var inQuotes = false
    /// A quote was seen inside quotes: the next byte decides between `""` and the closing quote.
    private var quoteInQuotes = false
    private var quotedField = false  // the current field began with a quote (so "" is a real empty field)
    /// The last record ended with CR: an LF right after it belongs to the same line break.
    private var afterCR = false
    private var line = 1, recordLine = 1, quoteLine = 1
    /// Bytes held for the record being read.
    private var recordBytes = 0
    let maxRecordBytes: Int

    init(delimiter: UInt8, path: String, maxRecordBytes: Int = .max) {
        self.delimiter = delimiter; self.path = path; self.maxRecordBytes = maxRecordBytes
    }

    /// Calls `record(fields, line)` for every record completed by `bytes`, `line` being the 1-based line
    /// where it starts. Blank lines are skipped.
    mutating func feed<C: Collection>(_ bytes: C, record: ([[UInt8]], Int) throws -> Void) throws where C.Element == UInt8 {
        let quote: UInt8 = 0x22, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        for b in bytes {
            recordBytes += 1
            if recordBytes > maxRecordBytes {
                throw CorpusError.malformed(path: path, line: recordLine, reason: "a record longer than "
                    + "\(CorpusReader.describe(bytes: maxRecordBytes)) (an unclosed quote?); loupe reads documents of at most that size")
            }
            if afterCR {
                afterCR = false
                if b == lf { continue }
            }
            if quoteInQuotes {
                quoteInQuotes = false
                if b == quote { field.append(quote); continue }
                inQuotes = false  // that quote closed the field; `b` is read as outside quotes
            }
            if inQuotes {
                if b == quote {
                    quoteInQuotes = true
                } else {
                    if b == lf { line += 1 }
                    field.append(b)
                }
            } else if b == quote && field.isEmpty && !quotedField {
                inQuotes = true; quotedField = true; quoteLine = line
            } else if b == delimiter {
                fields.append(field); field = []; quotedField = false
            } else if b == lf || b == cr {
                afterCR = b == cr
                let blank = fields.isEmpty && field.isEmpty && !quotedField
                if !blank {
                    fields.append(field)
                    try record(fields, recordLine)
                }
                fields = []; field = []; quotedField = false; recordBytes = 0
                line += 1; recordLine = line
            } else {
                field.append(b)
            }
        }
    }

    /// The end of the input: the last record (without a final line break), or the unclosed-quote error.
    mutating func finish(record: ([[UInt8]], Int) throws -> Void) throws {
        if quoteInQuotes { quoteInQuotes = false; inQuotes = false }
        if inQuotes {
            throw CorpusError.malformed(path: path, line: quoteLine,
                                        reason: "a quoted field opened on this line is never closed (missing \")")
        }
        if !fields.isEmpty || !field.isEmpty || quotedField {
            fields.append(field)
            try record(fields, recordLine)
        }
        fields = []; field = []; quotedField = false
    }
}

extension CSVReader {
    /// Every record of a whole body held in memory (the evaluation files; corpora are streamed).
    func read<C: Collection>(_ body: C, record: ([[UInt8]], Int) throws -> Void) throws where C.Element == UInt8 {
        var reader = self
        try reader.feed(body, record: record)
        try reader.finish(record: record)
    }
}
