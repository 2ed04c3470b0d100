import Foundation
import JinaEmbeddings
import Tokenizers

/// What the EncoderService needs from a model. `EmbeddingModel` conforms (below); tests use a fake
/// deterministic backend so the scheduling, cancellation and progress logic is testable without weights.
///
/// Every method is synchronous: the service calls them on its own background queue, one at a time.
public protocol EmbeddingBackend: Sendable {
    var info: ModelInfo { get }
    /// Maximum number of tokens per input (inputs are truncated to it).
    var maxLength: Int { get }
    /// Token ids of `text` as it will be embedded (task prefix and special tokens included, truncated
    /// to `maxLength`). Used for length-sorted batching and progress in tokens.
    func tokenIDs(_ text: String, task: String?, applyPrefix: Bool) throws -> [Int32]
    /// The whole encoding of the task prefix + `text`, not truncated: ids, token strings, offsets
    /// (Unicode scalars of prefix + text) and the special-token mask. What a server needs to report
    /// tokens and to say that an input is longer than `maxLength` instead of truncating it silently.
    func encode(_ text: String, task: String?, applyPrefix: Bool, addSpecialTokens: Bool) throws -> Encoding
    /// Unicode-scalar spans of the tokens of `text` (no prefix, no special tokens, not truncated):
    /// what the chunker packs sentences with.
    func tokenSpans(_ text: String) -> [Range<Int>]
    /// Throws unless already-tokenized ids can be embedded (vocabulary, length).
    func check(ids: [Int32]) throws
    /// Full-size mean-pooled embeddings of tokenized rows, L2-normalized when `normalize`; `tasks[i]`
    /// is row i's adapter (nil = none), so one forward pass may mix tasks.
    /// `shouldCancel` is polled at layer boundaries; when it returns true the call throws.
    func embed(ids: [[Int32]], tasks: [String?], normalize: Bool,
               shouldCancel: @escaping @Sendable () -> Bool) throws -> [[Float]]
    /// Late chunking: one pass over `text`, one normalized vector per chunk span (Unicode scalars).
    func embedLateChunks(text: String, chunks: [Range<Int>], task: String?, applyPrefix: Bool,
                         shouldCancel: @escaping @Sendable () -> Bool) throws -> [[Float]]
}

extension ModelInfo {
    public init(model: EmbeddingModel) {
        self.init(name: model.name, tasks: model.tasks, dimensions: model.dimensions,
                  hiddenSize: model.hiddenSize, defaultTask: model.defaultTask,
                  fingerprint: model.fingerprint, instructions: model.config.taskInstructions)
    }
}

/// The real model as a backend, with an optional maximum length (`--max-length`).
public struct ModelBackend: EmbeddingBackend {
    public let model: EmbeddingModel
    public let info: ModelInfo
    public let maxLength: Int

    public init(model: EmbeddingModel, maxLength: Int? = nil) {
        self.model = model
        self.info = ModelInfo(model: model)
        self.maxLength = max(1, min(maxLength ?? model.maxLength, model.maxLength))
    }

    public func tokenIDs(_ text: String, task: String?, applyPrefix: Bool) throws -> [Int32] {
        try model.tokenize(text, task: task, applyPrefix: applyPrefix, maxLength: maxLength).ids
    }

    public func encode(_ text: String, task: String?, applyPrefix: Bool, addSpecialTokens: Bool) throws -> Encoding {
        guard let tokenizer = model.tokenizer else {
            _ = try model.tokenize(text, task: task)  // throws why (no tokenizer.json, or why it failed to load)
            throw ModelError.invalidInput("model \(model.name) has no tokenizer")
        }
        _ = try model.adapterIndex(for: task)
        let prefix = applyPrefix ? model.instruction(for: task) : ""
        return tokenizer.encode(prefix + text, addSpecialTokens: addSpecialTokens, options: TruncationPadding())
    }

    public func check(ids: [Int32]) throws {
        try model.check(ids: ids)
        guard ids.count <= maxLength else {
            throw ModelError.invalidInput("\(ids.count) token ids exceed the maximum length \(maxLength)")
        }
    }

    public func tokenSpans(_ text: String) -> [Range<Int>] {
        guard let tokenizer = model.tokenizer else { return WordSpans.spans(text) }
        // Explicit options: no truncation or padding, whatever tokenizer.json says.
        let encoding = tokenizer.encode(text, addSpecialTokens: false, options: TruncationPadding())
        return encoding.offsets.filter { !$0.isEmpty }
    }

    public func embed(ids: [[Int32]], tasks: [String?], normalize: Bool,
                      shouldCancel: @escaping @Sendable () -> Bool) throws -> [[Float]] {
        try model.embed(ids: ids, tasks: tasks, normalize: normalize, shouldCancel: shouldCancel)
    }

    public func embedLateChunks(text: String, chunks: [Range<Int>], task: String?, applyPrefix: Bool,
                                shouldCancel: @escaping @Sendable () -> Bool) throws -> [[Float]] {
        try model.embedLateChunks(text: text, chunks: chunks, task: task, applyPrefix: applyPrefix,
                                  shouldCancel: shouldCancel)
    }
}

/// A tokenizer-free stand-in for token spans (synthetic models have no tokenizer):
/// every run of letters/digits is a token, every other non-space scalar is a token.
public enum WordSpans {
    public static func spans(_ text: String) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var start: Int? = nil
        var i = 0
        for scalar in text.unicodeScalars {
            let word = scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            if word {
                if start == nil { start = i }
            } else {
                if let s = start { spans.append(s..<i); start = nil }
                if !scalar.properties.isWhitespace { spans.append(i..<(i + 1)) }
            }
            i += 1
        }
        if let s = start { spans.append(s..<i) }
        return spans
    }
}
