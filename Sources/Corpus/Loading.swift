import Foundation

public enum CorpusLoader {
    /// Loads `.txt` (a document per non-empty line), `.jsonl` (`field`, default "text"), `.csv` / `.tsv`
    /// (header row, column `field`), a directory (every .txt/.md file is one document) or "-" (stdin lines).
    ///
    /// Files with another extension are read as `.txt`. On stdin, lines that are JSON objects are read as
    /// JSON Lines. Documents are numbered in load order across all paths; each keeps its source
    /// ("file.txt:12", "data.csv:row 4", "dir/a.md", "stdin:3"). Invalid UTF-8 is replaced with U+FFFD and
    /// counted in `repairedSequences`. Throws `CorpusError.empty` when no document was found.
    public static func load(paths: [String], field: String? = nil) throws -> LoadedCorpus {
        try load(paths: paths, field: field, stdin: { FileHandle.standardInput.readDataToEndOfFile() })
    }

    /// As above with the standard input supplied by the caller (tests).
    public static func load(paths: [String], field: String?, stdin: () -> Data) throws -> LoadedCorpus {
        guard !paths.isEmpty else {
            throw CorpusError.empty("no corpus given; pass a .txt, .jsonl, .csv or .tsv file, a directory, or - for stdin")
        }
        var builder = Builder()
        for path in paths {
            if path == "-" {
                try loadStdin(stdin(), field: field, into: &builder)
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CorpusError.unreadable(path: path, reason: "no such file or directory")
            }
            if isDirectory.boolValue {
                try loadDirectory(path, into: &builder)
                continue
            }
            let bytes = try readBytes(path)
            switch URL(fileURLWithPath: path).pathExtension.lowercased() {
            case "jsonl", "ndjson": try loadJSONLines(bytes, path: path, field: field ?? "text", into: &builder)
            case "csv": try loadDelimited(bytes, delimiter: 0x2C, path: path, field: field ?? "text", into: &builder)
            case "tsv", "tab": try loadDelimited(bytes, delimiter: 0x09, path: path, field: field ?? "text", into: &builder)
            default: loadLines(bytes, label: path, into: &builder)
            }
        }
        guard !builder.documents.isEmpty else {
            let what = paths.map { $0 == "-" ? "stdin" : $0 }.joined(separator: ", ")
            throw CorpusError.empty("no documents found in \(what) (a .txt file or stdin needs one document per non-empty line; "
                                    + "a directory needs .txt or .md files; .jsonl/.csv/.tsv need a non-empty '\(field ?? "text")' field)")
        }
        return LoadedCorpus(documents: builder.documents, repairedSequences: builder.repaired,
                            sources: paths.map { $0 == "-" ? "stdin" : $0 })
    }

    struct Builder {
        var documents: [Document] = []
        var repaired = 0
        mutating func add(_ text: String, source: String) {
            let trimmed = TextDecoding.trimmed(text)
            guard !trimmed.isEmpty else { return }
            documents.append(Document(index: documents.count, text: trimmed, source: source))
        }
    }

    static func readBytes(_ path: String) throws -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw CorpusError.unreadable(path: path, reason: (error as NSError).localizedFailureReason ?? error.localizedDescription)
        }
    }

    // MARK: - Formats

    static func loadLines(_ bytes: [UInt8], label: String, into builder: inout Builder) {
        let body = TextDecoding.withoutBOM(bytes)
        builder.repaired += TextDecoding.invalidSequenceCount(body)
        for (number, line) in TextDecoding.lines(body) {
            builder.add(TextDecoding.decode(line), source: "\(label):\(number)")
        }
    }

    static func loadJSONLines(_ bytes: [UInt8], path: String, field: String, into builder: inout Builder) throws {
        let body = TextDecoding.withoutBOM(bytes)
        builder.repaired += TextDecoding.invalidSequenceCount(body)
        for (number, line) in TextDecoding.lines(body) {
            let text = TextDecoding.decode(line)  // repaired, so the JSON parser sees valid UTF-8
            if TextDecoding.trimmed(text).isEmpty { continue }
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            } catch {
                throw CorpusError.malformed(path: path, line: number, reason: "not valid JSON (each line must be one JSON object)")
            }
            guard let dict = object as? [String: Any] else {
                throw CorpusError.malformed(path: path, line: number, reason: "expected a JSON object like {\"\(field)\": \"...\"}")
            }
            guard let value = dict[field] else {
                throw CorpusError.missingField(path: "\(path):\(number)", field: field, available: dict.keys.sorted())
            }
            switch value {
            case let s as String: builder.add(s, source: "\(path):\(number)")
            case is NSNull: continue
            default:
                throw CorpusError.malformed(path: path, line: number, reason: "field '\(field)' is not a string")
            }
        }
    }

    static func loadDelimited(_ bytes: [UInt8], delimiter: UInt8, path: String, field: String,
                              into builder: inout Builder) throws {
        let body = TextDecoding.withoutBOM(bytes)
        builder.repaired += TextDecoding.invalidSequenceCount(body)
        var column: Int? = nil
        var row = 0
        try CSVReader(delimiter: delimiter, path: path).read(body) { fields, line in
            guard let column else {
                let header = fields.map { TextDecoding.trimmed(TextDecoding.decode($0)) }
                guard let index = header.firstIndex(of: field) else {
                    throw CorpusError.missingField(path: path, field: field, available: header.filter { !$0.isEmpty })
                }
                column = index
                return
            }
            row += 1
            // A short row simply has no text (treated as empty, like a blank cell).
            guard column < fields.count else { return }
            builder.add(TextDecoding.decode(fields[column]), source: "\(path):row \(row)")
        }
        if column == nil {
            throw CorpusError.empty("\(path) has no header row (the first row must name the columns, one of them '\(field)')")
        }
    }

    static func loadDirectory(_ path: String, into builder: inout Builder) throws {
        let root = URL(fileURLWithPath: path)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else {
            throw CorpusError.unreadable(path: path, reason: "cannot list the directory")
        }
        let rootPath = root.standardizedFileURL.path
        var files: [(relative: String, url: URL)] = []
        for case let url as URL in walker {
            let ext = url.pathExtension.lowercased()
            guard ext == "txt" || ext == "md" else { continue }
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            var relative = url.standardizedFileURL.path
            if relative.hasPrefix(rootPath + "/") { relative.removeFirst(rootPath.count + 1) }
            files.append((relative, url))
        }
        files.sort { $0.relative < $1.relative }  // deterministic order, independent of the file system
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        for file in files {
            let bytes = try readBytes(file.url.path)
            let body = TextDecoding.withoutBOM(bytes)
            builder.repaired += TextDecoding.invalidSequenceCount(body)
            builder.add(TextDecoding.decode(body), source: "\(base)/\(file.relative)")
        }
    }

    static func loadStdin(_ data: Data, field: String?, into builder: inout Builder) throws {
        let bytes = [UInt8](data)
        let firstLine = TextDecoding.lines(TextDecoding.withoutBOM(bytes))
            .first { !TextDecoding.trimmed(TextDecoding.decode($0.bytes)).isEmpty }
        let looksLikeJSON = firstLine.map { TextDecoding.trimmed(TextDecoding.decode($0.bytes)).hasPrefix("{") } ?? false
        if looksLikeJSON || field != nil {
            var sub = Builder()
            try loadJSONLines(bytes, path: "stdin", field: field ?? "text", into: &sub)
            for doc in sub.documents { builder.add(doc.text, source: doc.source) }
            builder.repaired += sub.repaired
        } else {
            loadLines(bytes, label: "stdin", into: &builder)
        }
    }
}
