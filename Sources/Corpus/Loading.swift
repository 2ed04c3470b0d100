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
        try collect(CorpusReader(paths: paths, field: field))
    }

    /// As above with the standard input supplied by the caller (tests).
    public static func load(paths: [String], field: String?, stdin: @escaping () -> Data) throws -> LoadedCorpus {
        try collect(CorpusReader(paths: paths, field: field, stdin: stdin))
    }

    /// Every document of a reader, in memory.
    public static func collect(_ reader: CorpusReader) throws -> LoadedCorpus {
        var documents: [Document] = []
        while true {
            let block = try reader.next(limit: 4096)
            if block.isEmpty { break }
            documents += block
        }
        return LoadedCorpus(documents: documents, repairedSequences: reader.repairedSequences, sources: reader.sources)
    }
}
