import ArgumentParser
import Foundation
import Session

/// `loupe search`: exact top-k documents of a corpus for a query.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Top-k documents of a corpus for a query (exact cosine search).",
        discussion: """
        The corpus is embedded with retrieval.passage and the query with retrieval.query (jina models); \
        --task T uses T for both. A document split into chunks (--chunk-tokens) scores its best chunk. \
        Output: {"results": [{"index": i, "score": s, "text": "...", "chunk": [start, end]}]} with --json \
        (index = 0-based position in load order; chunk = the best chunk's Unicode-scalar span, only when it \
        is not the whole document).
        """)

    @Argument(help: "Corpus files (.txt, .jsonl, .csv, .tsv), directories, or - for stdin.")
    var corpus: [String] = []
    @Option(name: .long, help: "The query text.")
    var query: String
    @Option(name: .long, help: "Number of results.")
    var k = 10
    @Option(name: .long, help: "Task for both sides (default: retrieval.passage / retrieval.query for jina models).")
    var task: String?
    @Option(name: .long, help: "Matryoshka dimension (truncate, then renormalize).")
    var dim: Int?
    @Flag(name: .long, help: "Print JSON on stdout.")
    var json = false
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var corpusOptions: CorpusOptions

    func validate() throws {
        guard !corpus.isEmpty else { throw ValidationError("give a corpus: one or more files, a directory, or - for stdin") }
        guard k > 0 else { throw ValidationError("--k must be at least 1") }
        guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("--query is empty") }
    }

    func run() async throws {
        let (workspace, corpusTask, _) = try await CLI.openWorkspace(corpus, corpus: corpusOptions, model: modelOptions,
                                                                     task: task, preferred: TaskDefaults.passages, dim: dim)
        let queryTask = workspace.engine.queryTask(forCorpusTask: corpusTask)
        guard case .search(let hits) = try await CLI.answer(.search(query: query, queryTask: queryTask, k: k), workspace,
                                                             task: corpusTask, dim: dim) else { throw CLIError.unexpectedAnswer }
        try AnalysisCLI.printResults(hits, documents: workspace.texts, json: json)
    }
}
