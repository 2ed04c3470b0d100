import Foundation
import Numerics
import Tokenizers

extension EmbeddingModel {
    /// Rows are packed into forward passes of at most this many tokens (a longer row runs alone).
    /// The activations of a pass take ~40 KB per token for jina-v3 (the 4096-wide MLP buffer alone
    /// 16 KB), so 2048 bounds them at ~80 MB: the products are as fast at 2048 rows as at 8192.
    static let tokenBudget = 2048

    /// nil or "none" → nil (no LoRA); unknown task → error listing the valid ones;
    /// models without adapters reject any task.
    public func adapterIndex(for task: String?) throws -> Int? {
        guard let task, task != "none" else { return nil }
        guard hasAdapters else { throw ModelError.noAdapters(model: name) }
        guard let i = tasks.firstIndex(of: task) else { throw ModelError.unknownTask(task, valid: tasks) }
        return i
    }

    /// The instruction prefix for a task ("" when none).
    public func instruction(for task: String?) -> String {
        guard let task, task != "none" else { return "" }
        return config.taskInstructions[task] ?? ""
    }

    /// Throws unless `dimension` is a Matryoshka dimension (jina) or in 1…hidden (others).
    public func validate(dimension: Int) throws {
        guard dimensions.contains(dimension) else { throw ModelError.invalidDimension(dimension, valid: dimensions) }
    }

    /// Tokenizes `instruction(for: task) + text` (prefix unless `applyPrefix` is false), truncated to
    /// `maxLength` (default: the model's) keeping `<s>`/`</s>`; the prefix counts toward the limit.
    public func tokenize(_ text: String, task: String?, applyPrefix: Bool = true, maxLength: Int? = nil) throws -> Encoding {
        guard let tokenizer else {
            throw ModelError.invalidInput("model \(name) has no tokenizer.json; pass token ids instead (--input-ids)")
        }
        _ = try adapterIndex(for: task)
        let limit = maxLength ?? self.maxLength
        guard limit >= 2 else { throw ModelError.invalidInput("max length \(limit) is too small (at least 2)") }
        let prefix = applyPrefix ? instruction(for: task) : ""
        return tokenizer.encode(prefix + text, addSpecialTokens: true, maxLength: limit)
    }

    /// Checks ids against the vocabulary and the position limit.
    func checkRow(_ row: [Int32], index: Int?) throws {
        let what = index.map { "input \($0)" } ?? "the input"
        guard !row.isEmpty else { throw ModelError.invalidInput("\(what) has no token ids") }
        let vocab = config.vocabSize
        if let bad = row.first(where: { $0 < 0 || Int($0) >= vocab }) {
            throw ModelError.invalidInput("\(what): token id \(bad) is outside the vocabulary 0..<\(vocab)")
        }
        let limit = config.positions == .absolute ? maxLength : max(maxLength, config.maxPositionEmbeddings)
        guard row.count <= limit else {
            throw ModelError.invalidInput("\(what) has \(row.count) tokens; the model accepts at most \(limit)")
        }
    }

    /// Mean-pooled (and L2-normalized when `normalize`) embeddings of already-tokenized rows.
    /// `tasks[i]` is the task of row i (nil = none); a single task applies to every row.
    /// `shouldCancel` is polled between layers.
    public func embed(ids: [[Int32]], tasks: [String?], normalize: Bool = true,
                      shouldCancel: (() -> Bool)? = nil) throws -> [[Float]] {
        guard tasks.count == ids.count || tasks.count == 1 else {
            throw ModelError.invalidInput("\(ids.count) inputs but \(tasks.count) tasks")
        }
        let adapters = try tasks.map { try adapterIndex(for: $0) }
        for (i, row) in ids.enumerated() { try checkRow(row, index: i) }
        var out: [[Float]] = []
        out.reserveCapacity(ids.count)
        var start = 0
        while start < ids.count {
            var batch = PackedBatch()
            var end = start
            while end < ids.count, batch.tokens == 0 || batch.tokens + ids[end].count <= Self.tokenBudget {
                let s = batch.tokens
                batch.ids += ids[end]
                batch.rows.append(s..<batch.tokens)
                batch.adapters.append(adapters.count == 1 ? adapters[0] : adapters[end])
                end += 1
            }
            let states = try forward(batch, shouldCancel: shouldCancel)
            for var v in pool(states, rows: batch.rows) {
                if normalize { Kernels.l2Normalize(&v) }
                out.append(v)
            }
            start = end
        }
        return out
    }

    /// Last hidden states of one row, [tokens × hidden] flattened (for tests and inspection).
    public func tokenStates(ids: [Int32], task: String?) throws -> [Float] {
        try checkRow(ids, index: nil)
        let batch = PackedBatch(ids: ids, rows: [0..<ids.count], adapters: [try adapterIndex(for: task)])
        return try forward(batch)
    }

    /// Text in, embedding out: prefix (per task), tokenize, truncate, forward, pool, normalize.
    public func embed(texts: [String], task: String?, applyPrefix: Bool = true, maxLength: Int? = nil,
                      normalize: Bool = true) throws -> [[Float]] {
        let rows = try texts.map { try tokenize($0, task: task, applyPrefix: applyPrefix, maxLength: maxLength).ids }
        return try embed(ids: rows, tasks: [task], normalize: normalize)
    }

    /// Matryoshka: keep the first `dim` values, then L2-normalize.
    public static func truncate(_ v: [Float], to dim: Int) -> [Float] {
        var head = Array(v.prefix(dim))
        Kernels.l2Normalize(&head)
        return head
    }
}

extension EmbeddingModel {
    /// Throws when token ids cannot be embedded (empty, outside the vocabulary, too long).
    public func check(ids: [Int32]) throws { try checkRow(ids, index: nil) }
}

extension EmbeddingModel {
    /// Matrix work of one forward pass: 2 × tokens × non-embedding parameters (Linear layers,
    /// LoRA side products ignored) plus attention (QKᵀ and P·V: 4 × L² × hidden per layer per row).
    public func forwardFLOPs(rowLengths: [Int]) -> Double {
        let D = Double(config.hiddenSize), F = Double(config.intermediateSize), layers = Double(config.numLayers)
        let perToken = 2 * layers * (4 * D * D + 2 * D * F)
        let tokens = Double(rowLengths.reduce(0, +))
        let attention = rowLengths.reduce(0.0) { $0 + 4 * Double($1) * Double($1) * D * layers }
        return perToken * tokens + attention
    }
}
