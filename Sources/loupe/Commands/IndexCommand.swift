import ArgumentParser
import Foundation
import Corpus
import Session

/// `loupe index CORPUS...`: embeds every document (or chunk) into the cache, so later commands and the
/// explorer open the corpus without encoder work.
struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Embed every document (or chunk) of a corpus into the embedding cache.",
        discussion: """
            CORPUS: .txt (one document per line), .jsonl (field "text" or --field), .csv/.tsv (header row; \
            column "text" or --field), a directory (every .txt/.md file) or - for stdin. Progress is shown \
            on stderr when it is a terminal. The cache lives in ${LOUPE_HOME:-~/.cache/loupe}/cache.sqlite.
            """)

    @Argument(help: "Corpus files, directories, or - for stdin.")
    var corpus: [String] = []

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: """
        Task adapter to embed under (none = no adapter; default: retrieval.passage for jina models, \
        what search and the explorer use).
        """)
    var task: String?

    @OptionGroup var corpusOptions: CorpusOptions

    @Flag(name: .long, help: "Print the summary as one JSON line on stdout.")
    var json = false

    func validate() throws {
        if corpus.isEmpty { throw ValidationError("give at least one corpus (a file, a directory, or - for stdin)") }
        if let n = corpusOptions.chunkTokens, n < 1 { throw ValidationError("--chunk-tokens must be at least 1") }
    }

    func run() async throws {
        let start = Date()
        // The corpus is read and embedded a block at a time (memory does not grow with its size); the
        // paths are checked before the model loads.
        let reader = try cliErrors { try CorpusReader(paths: corpus, field: corpusOptions.field) }
        let engine = try await modelOptions.openEngine()
        let task = try cliErrors { try engine.task(self.task, preferred: TaskDefaults.passages) }
        let progress = StreamProgress()
        let indexed = try await cliErrors {
            try await ProgressBar.run(encoder: engine.encoder, label: "indexing", stream: progress,
                                      enabled: !modelOptions.quiet && ProgressBar.stderrIsTerminal) {
                try await engine.indexer.indexStreaming(reader, task: task, applyPrefix: engine.applyPrefix,
                                                        chunkTokens: corpusOptions.chunkTokens, progress: progress)
            }
        }
        CLI.noteRepairs(reader.repairedSequences, sources: reader.sources)
        if !modelOptions.quiet { CLI.noteEndpoints(engine) }
        let seconds = Date().timeIntervalSince(start)
        let documents = indexed.documents
        if json {
            let rounded = (seconds * 1000).rounded() / 1000
            print("{\"documents\": \(documents), \"chunks\": \(indexed.chunks), \"embedded\": \(indexed.embedded), "
                  + "\"cached\": \(indexed.cached), \"seconds\": \(rounded)}")
        } else {
            let chunks = indexed.chunks == documents ? "" : " as \(indexed.chunks) chunks"
            print("indexed \(documents) document\(documents == 1 ? "" : "s")\(chunks) with \(engine.info.name) "
                  + "(task \(task ?? "none")): \(indexed.embedded) embedded, \(indexed.cached) from the cache, "
                  + String(format: "%.1f s", seconds))
        }
    }
}
