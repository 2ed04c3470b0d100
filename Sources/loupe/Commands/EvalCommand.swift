import ArgumentParser
import Corpus
import Evaluation
import Foundation
import Session

/// `loupe eval DATASET`: quality of every task × dimension × storage on the user's labelled data.
/// Parsing and output only: the session's engine runs the grid (`Engine.evaluate`) through the cache.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure what each task adapter, dimension and storage does to quality on a labelled data set.",
        discussion: """
            DATASET is recognised from its layout: a BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv) \
            → nDCG@k, MRR@k, recall@k, recall@100, MAP@k (queries without a relevant document are skipped and \
            counted); a .jsonl/.csv/.tsv of sentence1, sentence2, score → Spearman and Pearson of cosine vs \
            score; a .jsonl/.csv/.tsv of text and a label → k-means V-measure (k = number of labels) and \
            leave-one-out 5-NN accuracy. The grid: each task of the model (retrieval = retrieval.query for \
            queries and retrieval.passage for documents; other tasks embed both sides alike; none = base \
            weights) × each dimension × float32, int8 (calibrated per dimension on the stored vectors) and \
            binary (Hamming search, the top 4 × depth rescored with the float query). Embeddings go through \
            the cache, so a second run costs no encoder work. --json prints one object per (task, dim, storage).
            """)

    @Argument(help: "A BEIR folder, or a .jsonl/.csv/.tsv file of pairs or labelled texts.")
    var dataset: String
    @Option(name: .long, help: "Rows of the grid: all, or a list such as retrieval,text-matching,none.")
    var tasks = "all"
    @Option(name: .long, help: "Columns: all (Matryoshka dimensions; other models: 64, 128, … and the full size) or a list.")
    var dims = "all"
    @Option(name: .long, help: "Cut-off of nDCG, MRR, recall and MAP (recall@100 is always reported).")
    var k = 10
    @Option(name: .long, help: "Label field of labelled texts.")
    var labelField = "label"
    @Option(name: .long, help: "Text field of labelled texts.")
    var field = "text"
    @Flag(name: .long, help: "Print one JSON object per (task, dim, storage) on stdout.")
    var json = false
    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        guard k > 0 else { throw ValidationError("--k must be at least 1") }
    }

    func run() async throws {
        let data = try cliErrors { try EvalDatasetLoader.load(path: dataset, textField: field, labelField: labelField) }
        let engine = try await modelOptions.openEngine()
        let plan = try cliErrors { try engine.evalPlan(tasks: tasks, dims: dims, k: k) }
        if !modelOptions.quiet {
            CLI.note("eval: \(data.summary); \(plan.tasks.count) task\(plan.tasks.count == 1 ? "" : "s") × "
                     + "\(plan.dims.count) dimension\(plan.dims.count == 1 ? "" : "s") × \(plan.storages.count) storages")
            if case .retrieval(let r) = data, r.missingDocumentRows + r.unknownQueryRows > 0 {
                CLI.note("eval: qrels: \(r.missingDocumentRows) judgment(s) of documents missing from corpus.jsonl "
                         + "(counted as relevant, never retrievable), \(r.unknownQueryRows) of unknown queries (ignored)")
            }
        }
        let started = Date()
        let (report, cost) = try await cliErrors {
            try await ProgressBar.run(encoder: engine.encoder, label: "embedding",
                                      enabled: !modelOptions.quiet && ProgressBar.stderrIsTerminal) {
                try await engine.evaluate(data, plan: plan)
            }
        }
        if !modelOptions.quiet {
            CLI.note("eval: \(cost.embedded) texts embedded, \(cost.cached) from the cache, "
                     + String(format: "%.1f s", Date().timeIntervalSince(started)))
        }
        if json { return EvalOutput.printJSON(report) }
        EvalOutput.printTables(report, dataset: dataset, model: engine.info.name)
        if isatty(STDOUT_FILENO) == 1 { EvalOutput.printChart(report) }
    }
}
