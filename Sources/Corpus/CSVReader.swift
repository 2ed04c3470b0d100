/// An RFC 4180 reader over bytes: fields separated by `delimiter`, records by LF or CRLF; a field in
/// double quotes may contain delimiters, newlines and doubled quotes (`""` → `"`). Lenient where the RFC
/// is strict (a quote inside an unquoted field is kept literally), strict where data would be lost:
/// an unterminated quoted field is an error naming the line where it opened. Linear in the input.
struct CSVReader {
    let delimiter: UInt8
    let path: String

    /// Calls `record(fields, line)` for every record, `line` being the 1-based line where it starts.
    /// Blank lines are skipped.
    func read(_ bytes: ArraySlice<UInt8>, record: ([[UInt8]], Int) throws -> Void) throws {
        let quote: UInt8 = 0x22, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var inQuotes = false
        var quotedField = false  // the current field began with a quote (so "" is a real empty field)
        var line = 1, recordLine = 1, quoteLine = 1

        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if inQuotes {
                if b == quote {
                    if i + 1 < bytes.endIndex && bytes[i + 1] == quote {
                        field.append(quote); i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if b == lf { line += 1 }
                    field.append(b)
                }
            } else if b == quote && field.isEmpty && !quotedField {
                inQuotes = true; quotedField = true; quoteLine = line
            } else if b == delimiter {
                fields.append(field); field = []; quotedField = false
            } else if b == lf || b == cr {
                if b == cr && i + 1 < bytes.endIndex && bytes[i + 1] == lf { i += 1 }
                let blank = fields.isEmpty && field.isEmpty && !quotedField
                if !blank {
                    fields.append(field)
                    try record(fields, recordLine)
                }
                fields = []; field = []; quotedField = false
                line += 1; recordLine = line
            } else {
                field.append(b)
            }
            i += 1
        }
        if inQuotes {
            throw CorpusError.malformed(path: path, line: quoteLine,
                                        reason: "a quoted field opened on this line is never closed (missing \")")
        }
        if !fields.isEmpty || !field.isEmpty || quotedField {
            fields.append(field)
            try record(fields, recordLine)
        }
    }
}
