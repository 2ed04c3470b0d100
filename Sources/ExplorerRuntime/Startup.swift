import Corpus
import Explorer
import Foundation
import Session

/// Starts an explorer session: opens the engine off the input thread (the screen shows "loading the
/// model…" meanwhile; with --endpoint, connecting to the endpoints), checks the starting task and dimension
/// against the model, builds the workspace and tells the explorer, which then asks for the index. A failure
/// ends the explorer with its message.
public enum ExplorerStartup {
    public static func start(options: EngineOptions, corpus: LoadedCorpus, chunkTokens: Int?, task: String?, dim: Int?,
                             evaluation: EvalDataset? = nil, evaluationName: String = "", runner: EffectRunner) {
        let queue = runner.queue
        Task.detached(priority: .userInitiated) {
            do {
                // stderr belongs to the screen: warnings (the cache is off, a damaged cache was moved
                // aside) go to the status line; notices (which model, why) are not shown.
                let engine = try await Engine.open(options) { note in
                    if case .warning(let message) = note { queue.post(.failed(id: nil, message: message)) }
                }
                // Search is the first view, so models with adapters start with passages.
                let resolved = try engine.task(task, preferred: TaskDefaults.passages)
                try engine.validate(dimension: dim)
                runner.workspace = try Workspace(engine: engine, corpus: corpus, chunkTokens: chunkTokens,
                                                 evaluation: evaluation)
                var summary = ModelSummary(engine.info)
                summary.precision = engine.inexactPrecision
                queue.post(.modelLoaded(summary, task: resolved, dim: dim))
                if chunkTokens != nil, let note = engine.lateChunkingNote { queue.post(.failed(id: nil, message: note)) }
                if let evaluation {
                    let (queries, relevance) = searchable(evaluation, corpus: corpus)
                    queue.post(.evaluationLoaded(name: "\(evaluationName) — \(evaluation.summary)", queries: queries,
                                                 relevance: relevance))
                }
            } catch {
                runner.fatal = "\(error)"
            }
        }
    }
}

extension ExplorerStartup {
    /// A retrieval set's queries and, when the explorer's corpus is the set's own corpus (the same texts
    /// in the same order), its graded relevant documents per query text for the Search view.
    static func searchable(_ dataset: EvalDataset, corpus: LoadedCorpus) -> (queries: [String], relevance: [String: [Int: Int]]) {
        guard case .retrieval(let r) = dataset else { return ([], [:]) }
        guard r.documents.map(\.text) == corpus.documents.map(\.text) else { return (r.queries, [:]) }
        var relevance: [String: [Int: Int]] = [:]
        for query in Set(r.queries) {
            let relevant = r.relevantDocuments(forQuery: query)
            if !relevant.isEmpty { relevance[query] = Dictionary(uniqueKeysWithValues: relevant.map { ($0.document, $0.grade) }) }
        }
        return (r.queries, relevance)
    }
}
