import Corpus
import Evaluation
import Foundation

/// `loupe eval` (and, later, the explorer's Adapters view) on the session's engine: the grid of
/// `Evaluation` with every text embedded through the cache-backed Indexer, so a second run — another
/// `--k`, other dimensions, the explorer after the CLI — costs no encoder work.
extension Engine {
    /// What an evaluation cost the encoder: texts it embedded, texts found in the cache.
    public struct EvalCost: Sendable, Equatable {
        public var embedded: Int
        public var cached: Int
        public init(embedded: Int, cached: Int) { self.embedded = embedded; self.cached = cached }
    }

    /// The grid for this model from `--tasks` and `--dims` values (`all` or comma-separated lists;
    /// see `EvalTask.parse`, `EvalPlan.parseDimensions`) and the ranking cut-off `k`.
    public func evalPlan(tasks: String = "all", dims: String = "all", k: Int = 10) throws -> EvalPlan {
        EvalPlan(tasks: try EvalTask.parse(tasks, modelTasks: info.tasks),
                 dims: try EvalPlan.parseDimensions(dims, valid: info.dimensions, hidden: info.hiddenSize), k: k)
    }

    /// Runs `plan` over `dataset`. Texts go to the encoder at bulk priority (its progress is the
    /// encoder's), at full dimension, with the task prefixes unless the engine turned them off.
    public func evaluate(_ dataset: EvalDataset, plan: EvalPlan) async throws -> (report: EvalReport, cost: EvalCost) {
        let counter = CostCounter()
        let indexer = self.indexer, applyPrefix = self.applyPrefix
        let report = try await Evaluator.run(dataset, plan: plan) { texts, task, _ in
            let (vectors, cached) = try await indexer.embedCounting(texts: texts, task: task, applyPrefix: applyPrefix,
                                                                   priority: .bulk)
            counter.add(embedded: texts.count - cached, cached: cached)
            return vectors
        }
        return (report, counter.cost)
    }
}

private final class CostCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = Engine.EvalCost(embedded: 0, cached: 0)
    var cost: Engine.EvalCost { lock.withLock { value } }
    func add(embedded: Int, cached: Int) { lock.withLock { value.embedded += embedded; value.cached += cached } }
}
