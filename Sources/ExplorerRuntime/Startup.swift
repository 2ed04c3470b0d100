import Corpus
import Explorer
import Foundation
import Session

/// Starts an explorer session: opens the engine off the input thread (the screen shows "loading the
/// model…" meanwhile), checks the starting task and dimension against the model, builds the workspace
/// and tells the explorer, which then asks for the index. A failure ends the explorer with its message.
public enum ExplorerStartup {
    public static func start(options: EngineOptions, corpus: LoadedCorpus, chunkTokens: Int?, task: String?, dim: Int?,
                             runner: EffectRunner) {
        let queue = runner.queue
        Task.detached(priority: .userInitiated) {
            do {
                // stderr belongs to the screen: warnings (the cache is off, a damaged cache was moved
                // aside) go to the status line; notices (which model, why) are not shown.
                let engine = try Engine.open(options) { note in
                    if case .warning(let message) = note { queue.post(.failed(id: nil, message: message)) }
                }
                // Search is the first view, so models with adapters start with passages.
                let resolved = try engine.task(task, preferred: TaskDefaults.passages)
                try engine.validate(dimension: dim)
                runner.workspace = try Workspace(engine: engine, corpus: corpus, chunkTokens: chunkTokens)
                queue.post(.modelLoaded(ModelSummary(engine.info), task: resolved, dim: dim))
            } catch {
                runner.fatal = "\(error)"
            }
        }
    }
}
