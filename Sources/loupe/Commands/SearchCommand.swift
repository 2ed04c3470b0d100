import Analysis
import ArgumentParser
import Foundation

/// `loupe search`: exact top-k documents of a corpus for a query.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Top-k documents of a corpus for a query (exact cosine search).",
        discussion: """
        The corpus is embedded with retrieval.passage and the query with retrieval.query (jina models); \
        --task T uses T for both. A document split into chunks scores its best chunk. \
        Output: {"results": [{"index": i, "score": s, "text": "..."}]} with --json (index = 0-based position in load order).
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
        let (model, passageTask) = try AnalysisCLI.model(modelOptions, task: task, default: "retrieval.passage", dim: dim)
        let queryTask = try resolveTask(task, default: "retrieval.query", model: model)
        let session = try await AnalysisCLI.open(corpus, corpus: corpusOptions, model: modelOptions, loaded: model, task: passageTask)
        let (chunks, chunkDocs) = try AnalysisCLI.chunkVectors(session, dim: dim)
        let rows = try await session.indexer.embed(texts: [query], task: queryTask, applyPrefix: !modelOptions.noPrefix)
        guard let full = rows.first, full.count >= chunks.dim else { throw CLIError("the encoder returned no vector for the query") }
        let q = Analysis.truncate(Vectors(rows: [full]), to: chunks.dim).data
        let documents = session.indexed.corpus.documents
        let hits = Analysis.searchDocuments(query: q, chunks: chunks, chunkDocuments: chunkDocs,
                                            documentCount: documents.count, k: k)
        try AnalysisCLI.printResults(hits.map { .init(index: $0.index, score: $0.score, text: documents[$0.index].text) }, json: json)
    }
}
