import Foundation
import Corpus
import EmbeddingEngine
import JinaEmbeddings
import RemoteEncoders
import Session

/// The one place the server meets the engine: `EmbeddingProvider` on top of the session's Engine — its
/// encoder (the local EncoderService, which merges the rows of concurrent requests into shared forward
/// passes, interactive lane first; or a pool of remote endpoints, `loupe serve --endpoint`) and its
/// `Indexer` over the embedding cache (a text seen before under the same model, task and prefix costs no
/// encoder work). Token-id inputs, unnormalized vectors and late chunking bypass the cache, which holds
/// normalized vectors of texts.
public struct EngineProvider: EmbeddingProvider {
    public let engine: Engine
    public let model: ServedModel
    var encoder: any EmbeddingEncoder { engine.encoder }
    var indexer: Indexer { engine.indexer }
    /// False with `--no-prefix`: texts are embedded without the task's instruction prefix.
    var applyPrefix: Bool { engine.applyPrefix }

    /// The engine's cache is the server's (`EngineOptions.cache = .off` for `--no-cache`).
    public init(engine: Engine) {
        self.engine = engine
        let info = engine.info
        let precision = engine.model?.precision ?? .exact
        let dtype = switch precision {
        case .exact: "float32"
        case .bf16: "bfloat16"
        case .int8: "int8"
        }
        let local = engine.service != nil
        var model = ServedModel(name: info.name, tasks: info.tasks, dimensions: info.dimensions, hiddenSize: info.hiddenSize,
                                maxLength: engine.maxLength, canTokenize: engine.model.map { $0.tokenizer != nil } ?? true,
                                dtype: local ? dtype : "remote", precision: local ? precision.rawValue : "remote")
        model.instructions = info.instructions
        model.defaultTask = info.defaultTask
        model.fingerprint = info.fingerprint
        model.appliesPrefix = engine.applyPrefix
        model.lateChunking = engine.encoder.supportsLateChunking
        self.model = model
    }

    public func tokenize(_ texts: [String], task: String?, addSpecialTokens: Bool) async throws -> [[ServedToken]] {
        // Approximate counts serve the length limits; as token ids they would be made up.
        guard encoder.tokenSource.isExact else {
            throw RemoteError.configuration("the endpoints' tokenizer is not here (token counts are approximate): start "
                                            + "loupe serve with --model DIR holding its tokenizer.json as well")
        }
        let encodings = try await encoder.encode(texts, task: task, applyPrefix: applyPrefix, addSpecialTokens: addSpecialTokens)
        let prefix = applyPrefix ? (task.flatMap { encoder.info.instructions[$0] } ?? "") : ""
        return zip(texts, encodings).map { text, enc in
            let utf8 = Array((prefix + text).utf8)
            return enc.ids.indices.map { i in
                let special = i < enc.specialTokensMask.count && enc.specialTokensMask[i] == 1
                let span = i < enc.byteOffsets.count ? enc.byteOffsets[i] : 0..<0
                guard !special, span.upperBound <= utf8.count else {
                    return ServedToken(id: enc.ids[i], text: enc.tokens[i], special: special, start: nil, stop: nil)
                }
                return ServedToken(id: enc.ids[i], text: String(decoding: utf8[span], as: UTF8.self), special: false,
                                   start: span.lowerBound, stop: span.upperBound)
            }
        }
    }

    public func countTokens(_ texts: [String], task: String?) async throws -> [Int] {
        try await encoder.encode(texts, task: task, applyPrefix: applyPrefix, addSpecialTokens: true).map(\.count)
    }

    public func check(ids: [Int32]) throws { try encoder.check(ids: ids) }

    public func embed(texts: [String], task: String?, normalize: Bool, lane: Lane) async throws -> [[Float]] {
        if normalize {
            return try await indexer.embed(texts: texts, task: task, applyPrefix: applyPrefix, priority: priority(lane))
        }
        return try await encoder.embed(texts.map { EmbeddingItem(text: $0) }, task: task, applyPrefix: applyPrefix,
                                       normalize: false, priority: priority(lane)).map { $0[0] }
    }

    public func embed(ids: [[Int32]], task: String?, normalize: Bool, lane: Lane) async throws -> [[Float]] {
        try await encoder.embed(ids.map { EmbeddingItem(ids: $0) }, task: task, normalize: normalize,
                                priority: priority(lane)).map { $0[0] }
    }

    public func embedLateChunks(_ chunks: [String], task: String?, lane: Lane) async throws -> [[Float]] {
        // Each chunk's span starts at its separator, so a token that begins there (SentencePiece's "▁word")
        // is pooled into the chunk it opens.
        var spans: [Range<Int>] = [], start = 0
        let gap = lateChunkSeparator.unicodeScalars.count
        for (i, chunk) in chunks.enumerated() {
            let from = i == 0 ? 0 : start - gap
            start += chunk.unicodeScalars.count
            spans.append(from..<start)
            start += gap
        }
        let document = EmbeddingItem(text: chunks.joined(separator: lateChunkSeparator), chunks: spans)
        let vectors = try await encoder.embed([document], task: task, applyPrefix: applyPrefix, priority: priority(lane))
        return vectors.first ?? []
    }

    public var load: ProviderLoad {
        ProviderLoad(queuedRows: encoder.load.queuedRows, queuedTokens: encoder.load.queuedTokens,
                     requestsInFlight: encoder.load.requestsInFlight)
    }

    public func observeBatches(_ observer: @escaping @Sendable (ProviderBatch) -> Void) {
        encoder.load.addObserver { batch in
            observer(ProviderBatch(rows: batch.rows, tokens: batch.tokens, requests: batch.requests,
                                   lane: batch.lane == .interactive ? .interactive : .bulk, seconds: batch.seconds))
        }
    }

    private func priority(_ lane: Lane) -> RequestPriority { lane == .interactive ? .interactive : .bulk }
}
