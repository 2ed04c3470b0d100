import Analysis
import ArgumentParser
import Foundation

/// `loupe neighbours`: the documents nearest to one document of the corpus.
struct NeighboursCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neighbours",
        abstract: "The k documents most similar to document --index (itself excluded).",
        discussion: """
        Default task: text-matching (jina models). With chunks, two documents score their best pair of chunks. \
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
        let (model, task) = try AnalysisCLI.model(modelOptions, task: task, default: "text-matching", dim: dim)
        let session = try await AnalysisCLI.open(corpus, corpus: corpusOptions, model: modelOptions, loaded: model, task: task)
        let documents = session.indexed.corpus.documents
        guard index < documents.count else {
            throw CLIError("--index \(index) is out of range: the corpus has \(documents.count) documents (0…\(documents.count - 1))")
        }
        let (chunks, chunkDocs) = try AnalysisCLI.chunkVectors(session, dim: dim)
        // A document's score is its best chunk pair with the focus document.
        let hits = Analysis.documentNeighbours(of: index, chunks: chunks, chunkDocuments: chunkDocs,
                                               documentCount: documents.count, k: k)
        try AnalysisCLI.printResults(hits.map { .init(index: $0.index, score: $0.score, text: documents[$0.index].text) }, json: json)
    }
}
