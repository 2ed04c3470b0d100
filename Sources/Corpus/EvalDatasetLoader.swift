import Foundation

/// Reads an `EvalDataset`, recognising its kind from the layout:
///
/// - a folder with `corpus.jsonl` (`_id`, `text`, optional `title`), `queries.jsonl` (`_id`,
///   `text`) and `qrels/test.tsv` (header row `query-id`, `corpus-id`, `score`; whole grades ≥ 0)
///   is a **retrieval** set (the BEIR layout MTEB uses); ids may be strings or integers;
/// - a `.jsonl`, `.csv` or `.tsv` file whose records have `sentence1` and `sentence2` is a
///   **similarity pairs** set (plus a numeric `score`);
/// - any other such file is **labelled texts**: `textField` (default `text`) and `labelField`
///   (default `label`; a string or a number).
///
/// Anything malformed throws a `CorpusError` naming the file and line.
public enum EvalDatasetLoader {
    public static func load(path: String, textField: String = "text", labelField: String = "label") throws -> EvalDataset {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CorpusError.unreadable(path: path, reason: "no such file or directory")
        }
        if isDirectory.boolValue { return .retrieval(try loadRetrieval(folder: path)) }
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard ["jsonl", "ndjson", "csv", "tsv"].contains(ext) else {
            throw CorpusError.notADataset(path: path, reason: "expected a BEIR folder (corpus.jsonl, queries.jsonl, "
                                          + "qrels/test.tsv) or a .jsonl, .csv or .tsv file of pairs or labelled texts")
        }
        let (records, columns) = try RecordReader.read(path)
        guard let first = records.first else { throw CorpusError.empty("\(path) has no records") }
        if first.fields["sentence1"] != nil || first.fields["sentence2"] != nil {
            return .pairs(try pairs(records, path: path))
        }
        guard columns.contains(textField) else {
            throw CorpusError.notADataset(path: path, reason: "its records have neither sentence1/sentence2 (similarity pairs) nor "
                                          + "'\(textField)' (labelled texts); fields: \(columns.joined(separator: ", "))")
        }
        return .labelled(try labelled(records, path: path, textField: textField, labelField: labelField, columns: columns))
    }

    // MARK: - Pairs and labelled texts

    static func pairs(_ records: [RecordReader.Record], path: String) throws -> PairDataset {
        var set = PairDataset(first: [], second: [], scores: [], source: path)
        for r in records {
            set.first.append(try r.text("sentence1", path))
            set.second.append(try r.text("sentence2", path))
            set.scores.append(try r.number("score", path))
        }
        guard set.scores.count >= 2 else { throw CorpusError.empty("\(path): a correlation needs at least 2 pairs") }
        return set
    }

    static func labelled(_ records: [RecordReader.Record], path: String, textField: String, labelField: String,
                         columns: [String]) throws -> LabelledDataset {
        var set = LabelledDataset(texts: [], labels: [], labelNames: [], source: path)
        var index = [String: Int]()
        for r in records {
            set.texts.append(try r.text(textField, path))
            guard r.fields[labelField] != nil else {
                throw CorpusError.malformed(path: path, line: r.line, reason: "no label field '\(labelField)' (fields: "
                                            + r.fields.keys.sorted().joined(separator: ", ") + "; use --label-field NAME)")
            }
            let name = try r.identifier(labelField, path)
            if index[name] == nil { index[name] = set.labelNames.count; set.labelNames.append(name) }
            set.labels.append(index[name]!)
        }
        guard set.labelNames.count >= 2 else {
            throw CorpusError.notADataset(path: path, reason: "every text has the label '\(set.labelNames.first ?? "")'; "
                                          + "clustering and k-NN need at least 2 labels")
        }
        return set
    }

    // MARK: - Retrieval (BEIR)

    static func loadRetrieval(folder: String) throws -> RetrievalDataset {
        let base = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        let corpusPath = base + "/corpus.jsonl", queriesPath = base + "/queries.jsonl", qrelsPath = base + "/qrels/test.tsv"
        let missing = [corpusPath, queriesPath, qrelsPath].filter { !FileManager.default.fileExists(atPath: $0) }
        guard missing.isEmpty else {
            throw CorpusError.notADataset(path: folder, reason: "a retrieval folder needs corpus.jsonl, queries.jsonl and "
                                          + "qrels/test.tsv (the BEIR layout); missing: "
                                          + missing.map { String($0.dropFirst(base.count + 1)) }.joined(separator: ", "))
        }
        var documents = [Document](), documentIDs = [String](), documentIndex = [String: Int]()
        for r in try RecordReader.read(corpusPath).records {
            let id = try r.identifier("_id", corpusPath)
            guard documentIndex[id] == nil else {
                throw CorpusError.malformed(path: corpusPath, line: r.line, reason: "duplicate _id '\(id)'")
            }
            let title = r.fields["title"] == nil || r.fields["title"] is NSNull ? "" : try r.string("title", corpusPath)
            let body = try r.string("text", corpusPath)
            let text = [title, body].map(TextDecoding.trimmed).filter { !$0.isEmpty }.joined(separator: " ")
            documentIndex[id] = documents.count
            documents.append(Document(index: documents.count, text: text, source: "\(corpusPath):\(r.line)"))
            documentIDs.append(id)
        }
        var queries = [String](), queryIDs = [String](), queryIndex = [String: Int]()
        for r in try RecordReader.read(queriesPath).records {
            let id = try r.identifier("_id", queriesPath)
            guard queryIndex[id] == nil else {
                throw CorpusError.malformed(path: queriesPath, line: r.line, reason: "duplicate _id '\(id)'")
            }
            queryIndex[id] = queries.count
            queries.append(try r.text("text", queriesPath))
            queryIDs.append(id)
        }
        guard !documents.isEmpty else { throw CorpusError.empty("\(corpusPath) has no documents") }
        guard !queries.isEmpty else { throw CorpusError.empty("\(queriesPath) has no queries") }

        var set = RetrievalDataset(documents: documents, documentIDs: documentIDs, queries: queries, queryIDs: queryIDs,
                                   judgments: Array(repeating: [:], count: queries.count), source: base)
        var absent = [String: Int]()   // corpus-ids judged but missing from the corpus → virtual indices
        var firstLine = [String: Int]()
        try readQrels(qrelsPath) { line, queryID, documentID, grade in
            guard let q = queryIndex[queryID] else { set.unknownQueryRows += 1; return }
            if let previous = firstLine["\(queryID)\t\(documentID)"] {
                throw CorpusError.malformed(path: qrelsPath, line: line, reason: "query '\(queryID)' and document "
                                            + "'\(documentID)' are judged twice (first on line \(previous))")
            }
            firstLine["\(queryID)\t\(documentID)"] = line
            let d: Int
            if let known = documentIndex[documentID] { d = known } else {
                set.missingDocumentRows += 1
                d = absent[documentID] ?? documents.count + absent.count
                absent[documentID] = d
            }
            set.judgments[q][d] = grade
        }
        return set
    }

    /// Calls `row(line, queryID, documentID, grade)` for each judgment of a qrels TSV.
    static func readQrels(_ path: String, row: (Int, String, String, Int) throws -> Void) throws {
        let body = TextDecoding.withoutBOM(try CorpusReader.readWhole(path))
        var columns: (query: Int, document: Int, score: Int)?
        var rows = 0
        try CSVReader(delimiter: 0x09, path: path).read(body) { fields, line in
            let cells = fields.map { TextDecoding.trimmed(TextDecoding.decode($0)) }
            guard let c = columns else {
                guard let q = cells.firstIndex(of: "query-id"), let d = cells.firstIndex(of: "corpus-id"),
                      let s = cells.firstIndex(of: "score") else {
                    throw CorpusError.malformed(path: path, line: line, reason: "expected the header row "
                                                + "'query-id<TAB>corpus-id<TAB>score' (found: \(cells.joined(separator: " | ")))")
                }
                columns = (q, d, s)
                return
            }
            guard max(c.query, c.document, c.score) < cells.count else {
                throw CorpusError.malformed(path: path, line: line, reason: "expected \(max(c.query, c.document, c.score) + 1) "
                                            + "tab-separated fields, found \(cells.count)")
            }
            guard let grade = Int(cells[c.score]), grade >= 0 else {
                throw CorpusError.malformed(path: path, line: line, reason: "score '\(cells[c.score])' is not a whole number ≥ 0")
            }
            rows += 1
            try row(line, cells[c.query], cells[c.document], grade)
        }
        guard rows > 0 else { throw CorpusError.empty("\(path) has no judgments (after the header row)") }
    }
}
