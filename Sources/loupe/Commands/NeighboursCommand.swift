import ArgumentParser
import Foundation
import Session

/// `loupe neighbours`: the documents nearest to one document of the corpus.
struct NeighboursCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neighbours",
        abstract: "The k documents most similar to document --index (itself excluded).",
        discussion: """
        Default task: text-matching (jina models). With chunks (--chunk-tokens), a document is the normalized \
        mean of its chunk vectors. \
        Output: {"results": [{"index": i, "score": s, "text": "..."}]} with --json.
        """)

    @Argument(help: "Corpus files (.txt, .jsonl, .csv, .tsv), directories, or - for stdin.")
    var corpus: [String] = []
    @Option(name: .long, help: "0-based position of the document in the corpus (load order).")
    var index: Int
    @Option(name: .long, help: "Number of neighbours.")
    var k = 10
    @Option(name: .long, help: "Task adapter (default text-matching for jina models; 'none' for no adapter).")
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
        guard index >= 0 else { throw ValidationError("--index must be 0 or more") }
    }

    func run() async throws {
        let (workspace, task, _) = try await CLI.openWorkspace(corpus, corpus: corpusOptions, model: modelOptions,
                                                               task: task, preferred: TaskDefaults.matching, dim: dim)
        guard case .neighbours(let hits) = try await CLI.answer(.neighbours(document: index, k: k), workspace,
                                                                 task: task, dim: dim) else { throw CLIError.unexpectedAnswer }
        try AnalysisCLI.printResults(hits, documents: workspace.texts, json: json)
    }
}
