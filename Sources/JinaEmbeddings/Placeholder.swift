import Foundation
import Tokenizers

// PLACEHOLDER — replaced by the encoder implementation. Public API the rest of loupe relies on:
//
//   ModelConfig (hiddenSize, loraAdaptations, matryoshkaDimensions, taskInstructions, ...)
//   EmbeddingModel.load(directory:) / .synthetic(_:seed:)
//   model.adapterIndex(for:) / instruction(for:) / validate(dimension:)
//   model.tokenize(_:task:applyPrefix:maxLength:) -> Encoding
//   model.embed(ids:tasks:normalize:shouldCancel:) -> [[Float]]         (full hidden size)
//   model.embed(texts:task:applyPrefix:maxLength:normalize:) -> [[Float]]
//   model.embedLateChunks(text:chunks:task:applyPrefix:) -> [[Float]]  (chunks in Unicode scalar offsets)
//   EmbeddingModel.truncate(_:to:) (Matryoshka: first k dims, then L2-normalize)
//   ModelLocator.resolve(explicit:environment:) -> ResolvedModel

public struct ModelConfig: Sendable {
    public var hiddenSize: Int = 0
    public var numLayers: Int = 0
    public var numHeads: Int = 0
    public var intermediateSize: Int = 0
    public var vocabSize: Int = 0
    public var loraAdaptations: [String] = []
    public var loraRank: Int = 0
    public var loraAlpha: Float = 1
    public var matryoshkaDimensions: [Int]? = nil
    public var taskInstructions: [String: String] = [:]
    public init() {}
}

struct ModelWeights {}

extension EmbeddingModel {
    public static func load(directory: URL) throws -> EmbeddingModel { throw ModelError.missingFile(directory.path) }
    public static func synthetic(_ name: String, seed: UInt64 = 0) throws -> EmbeddingModel {
        throw ModelError.invalidInput("unknown synthetic model \(name)")
    }
    /// nil task ("none") → nil; unknown task → error; models without adapters reject any task.
    public func adapterIndex(for task: String?) throws -> Int? { nil }
    /// The instruction prefix for a task ("" when none).
    public func instruction(for task: String?) -> String { "" }
    public func validate(dimension: Int) throws {}
    public func tokenize(_ text: String, task: String?, applyPrefix: Bool = true, maxLength: Int? = nil) throws -> Encoding {
        throw ModelError.invalidInput("not implemented")
    }
    /// Mean-pooled (and L2-normalized when `normalize`) embeddings of already-tokenized rows.
    /// `tasks[i]` is the task of row i (nil = none). `shouldCancel` is polled between layers.
    public func embed(ids: [[Int32]], tasks: [String?], normalize: Bool = true,
                      shouldCancel: (() -> Bool)? = nil) throws -> [[Float]] { [] }
    public func embed(texts: [String], task: String?, applyPrefix: Bool = true, maxLength: Int? = nil,
                      normalize: Bool = true) throws -> [[Float]] { [] }
    /// Late chunking: one pass over the document, mean-pool inside each chunk span
    /// (Unicode-scalar offsets into `text`), one normalized vector per chunk.
    public func embedLateChunks(text: String, chunks: [Range<Int>], task: String?, applyPrefix: Bool = true,
                                shouldCancel: (() -> Bool)? = nil) throws -> [[Float]] { [] }
    /// Matryoshka: keep the first `dim` values, then L2-normalize.
    public static func truncate(_ v: [Float], to dim: Int) -> [Float] {
        let head = Array(v.prefix(dim))
        var n: Float = 0
        for x in head { n += x * x }
        let s = 1 / max(n.squareRoot(), 1e-12)
        return head.map { $0 * s }
    }
}

/// Where the model came from and why it was chosen (printed on stderr).
public struct ResolvedModel: Sendable {
    public var directory: URL
    public var reason: String
    public init(directory: URL, reason: String) { self.directory = directory; self.reason = reason }
}

public enum ModelLocator {
    /// `--model DIR`, then `$LOUPE_MODEL`, then a jina-embeddings-v3 snapshot in the HF cache,
    /// then the default all-MiniLM-L6-v2 under `${LOUPE_HOME:-~/.cache/loupe}/models/`.
    public static func resolve(explicit: String?, environment: [String: String]) throws -> ResolvedModel {
        throw ModelError.missingFile("no model")
    }
}
