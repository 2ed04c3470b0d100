import Analysis
import Corpus
import Foundation

/// Runs the evaluation grid: every task of the plan embeds the data set once at full dimension
/// (through `embed`, which the caller routes through the embedding cache), then every dimension
/// truncates + renormalizes those vectors and every storage scores them (`Scoring`).
public enum Evaluator {
    /// Full-dimension, L2-normalized vectors of `texts` under `task` (nil = no task) for `role`,
    /// one row per text in order.
    public typealias Embed = @Sendable (_ texts: [String], _ task: String?, _ role: EvalRole) async throws -> [[Float]]

    public static func run(_ dataset: EvalDataset, plan: EvalPlan, embed: Embed) async throws -> EvalReport {
        guard plan.k > 0 else { throw EvalError.encoder("--k must be at least 1") }
        var cells = [EvalCell]()
        let kind: EvalDatasetKind, evaluated: Int, skipped: Int
        switch dataset {
        case .retrieval(let r):
            let queries = r.evaluatedQueries
            guard !queries.isEmpty else {
                throw EvalError.encoder("\(r.source): no query has a relevant document (a qrels score ≥ 1); nothing to evaluate")
            }
            kind = .retrieval; evaluated = queries.count; skipped = r.queries.count - queries.count
            let judgments = queries.map { r.judgments[$0] }
            for task in plan.tasks {
                let docs = try await vectors(r.documents.map(\.text), task.documentTask, .document, plan, embed)
                let asked = try await vectors(queries.map { r.queries[$0] }, task.queryTask, .query, plan, embed)
                try grid(task, plan, &cells) { dim, storage in
                    Scoring.retrieval(queries: Analysis.truncate(asked, to: dim), documents: Analysis.truncate(docs, to: dim),
                                      judgments: judgments, storage: storage, k: plan.k)
                }
            }
        case .pairs(let p):
            kind = .pairs; evaluated = p.scores.count; skipped = 0
            for task in plan.tasks {
                let a = try await vectors(p.first, task.queryTask, .query, plan, embed)
                let b = try await vectors(p.second, task.documentTask, .document, plan, embed)
                try grid(task, plan, &cells) { dim, storage in
                    Scoring.pairs(first: Analysis.truncate(a, to: dim), second: Analysis.truncate(b, to: dim),
                                  gold: p.scores, storage: storage)
                }
            }
        case .labelled(let l):
            kind = .labelled; evaluated = l.texts.count; skipped = 0
            for task in plan.tasks {
                let v = try await vectors(l.texts, task.documentTask, .document, plan, embed)
                try grid(task, plan, &cells) { dim, storage in
                    Scoring.labelled(Analysis.truncate(v, to: dim), labels: l.labels, labelCount: l.labelNames.count,
                                     storage: storage)
                }
            }
        }
        return EvalReport(kind: kind, metrics: EvalMetrics.names(for: kind, k: plan.k), tasks: plan.tasks.map(\.name),
                          dims: plan.dims, storages: plan.storages, cells: cells, evaluated: evaluated, skipped: skipped)
    }

    /// One cell per (dimension, storage) of `task`.
    static func grid(_ task: EvalTask, _ plan: EvalPlan, _ cells: inout [EvalCell],
                     _ score: (Int, EvalStorage) -> [String: Double]) throws {
        for dim in plan.dims {
            for storage in plan.storages {
                try Task.checkCancellation()
                cells.append(EvalCell(task: task.name, dim: dim, storage: storage, metrics: score(dim, storage)))
            }
        }
    }

    /// The texts embedded and checked: one row per text, every row as wide as the largest dimension.
    static func vectors(_ texts: [String], _ task: String?, _ role: EvalRole, _ plan: EvalPlan,
                        _ embed: Embed) async throws -> Vectors {
        let rows = try await embed(texts, task, role)
        let need = plan.dims.max() ?? 1
        guard rows.count == texts.count, let width = rows.first?.count, width >= need,
              rows.allSatisfy({ $0.count == width }) else {
            throw EvalError.encoder("the encoder returned \(rows.count) vectors of width \(rows.first?.count ?? 0) "
                                    + "for \(texts.count) texts (need \(need) dimensions)")
        }
        return Vectors(data: rows.flatMap { $0 }, count: rows.count, dim: width)
    }
}
