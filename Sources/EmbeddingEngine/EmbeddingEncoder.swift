import Foundation
import Tokenizers

/// What a session needs from an encoder, whether it runs the model here (`EncoderService`) or sends the
/// work to remote endpoints (`RemoteEncoders.RemoteEncoderPool`): the Indexer, the Engine, the server
/// and the explorer reach the encoder only through this, so the two are interchangeable.
///
/// Every method may be called from any task concurrently. `embed` throws `CancellationError` when the
/// calling task is cancelled (or superseded) and a cancelled request never delivers.
public protocol EmbeddingEncoder: Sendable {
    var info: ModelInfo { get }
    /// The maximum tokens per input the encoder sees (longer inputs are truncated).
    var maxLength: Int { get }
    /// Progress of the bulk work, readable from any thread.
    var progressTracker: ProgressTracker { get }
    /// Queue depth and finished batches (server metrics, admission).
    var load: EncoderLoad { get }
    /// One pass over a window gives a vector per chunk (late chunking). When false the Indexer embeds
    /// each chunk as a text of its own.
    var supportsLateChunking: Bool { get }
    /// Token ids, token spans and counts are the model's own (false: an approximation, see `tokenSource`).
    var tokenSource: TokenSource { get }
    /// The endpoints doing the work, with their state and speed (empty for a local encoder).
    var endpoints: [EndpointStatus] { get }

    /// Per item, one full-size vector (L2-normalized unless `normalize` is false), or one normalized
    /// vector per chunk for a late-chunked item. `supersedingKey`: a later request with the same key
    /// cancels this one. `onBatch(indices, vectors)` hears the finished items of each batch as it arrives
    /// (before the call returns): the Indexer writes them to the cache at once.
    func embed(_ items: [EmbeddingItem], task: String?, applyPrefix: Bool, normalize: Bool, priority: RequestPriority,
               supersedingKey: String?, onBatch: (@Sendable (_ indices: [Int], _ vectors: [[[Float]]]) -> Void)?)
        async throws -> [[[Float]]]

    /// Cancels the request in flight under `supersedingKey`, if any.
    func cancelRequest(supersedingKey: String)

    /// Per text, the whole encoding of the task prefix + text, not truncated (what a server reports
    /// and counts; `encode([""], …)` counts the prefix and special tokens).
    func encode(_ texts: [String], task: String?, applyPrefix: Bool, addSpecialTokens: Bool) async throws -> [Encoding]

    /// Per text, the Unicode-scalar spans of its tokens (no prefix, no special tokens): what the chunker
    /// packs sentences with.
    func tokenSpans(_ texts: [String]) async throws -> [[Range<Int>]]

    /// Throws unless already-tokenized ids can be embedded as given.
    func check(ids: [Int32]) throws
}

extension EmbeddingEncoder {
    /// The latest progress snapshot (bulk work).
    public var progress: EncoderProgress { progressTracker.snapshot }

    /// Progress updates for the UI (newest only when the reader lags).
    public func progressUpdates() -> AsyncStream<EncoderProgress> { progressTracker.updates() }

    public func embed(_ items: [EmbeddingItem], task: String?, applyPrefix: Bool = true, normalize: Bool = true,
                      priority: RequestPriority) async throws -> [[[Float]]] {
        try await embed(items, task: task, applyPrefix: applyPrefix, normalize: normalize, priority: priority,
                        supersedingKey: nil, onBatch: nil)
    }

    /// Whole texts: one vector per text.
    public func embed(texts: [String], task: String?, applyPrefix: Bool = true,
                      priority: RequestPriority) async throws -> [[Float]] {
        try await embed(texts.map { EmbeddingItem(text: $0) }, task: task, applyPrefix: applyPrefix,
                        priority: priority).map { $0[0] }
    }
}

/// Where token ids and spans come from.
public enum TokenSource: Sendable, Equatable {
    /// The model's tokenizer, here.
    case local
    /// The tokenizer of the model behind an endpoint (`/tokenize` of a loupe or text-embeddings-inference server).
    case remote(endpoint: String)
    /// No tokenizer of the model is available: words and punctuation count as tokens (about right for
    /// English with WordPiece, an undercount for most others).
    case approximate

    public var isExact: Bool { self != .approximate }
}

/// One remote endpoint as the status bar and the notes show it.
public struct EndpointStatus: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// Taking work.
        case up
        /// Failed lately; retried after a pause (exponential backoff, or the server's Retry-After).
        case backingOff
        /// Failed again and again: no work until the pause is over, its batches go to the others.
        case setAside
        /// Refused us for good (e.g. the key was not accepted): no more work this session.
        case failed
    }

    /// `host:port` (or the URL when it has a path).
    public var name: String
    /// loupe, jina, openai or tei.
    public var kind: String
    public var state: State
    /// Batches sent and not answered yet.
    public var inFlight: Int
    /// Measured throughput while busy, tokens per second (0 before the first answer).
    public var tokensPerSecond: Double
    public var batchesDone: Int
    public var failures: Int
    /// The last failure (never a key or a header value).
    public var lastError: String?
    /// Seconds until a backing-off or set-aside endpoint is tried again.
    public var retryIn: Double?

    public init(name: String, kind: String, state: State, inFlight: Int = 0, tokensPerSecond: Double = 0,
                batchesDone: Int = 0, failures: Int = 0, lastError: String? = nil, retryIn: Double? = nil) {
        self.name = name; self.kind = kind; self.state = state; self.inFlight = inFlight
        self.tokensPerSecond = tokensPerSecond; self.batchesDone = batchesDone; self.failures = failures
        self.lastError = lastError; self.retryIn = retryIn
    }

    /// Taking work now or soon.
    public var isUsable: Bool { state == .up || state == .backingOff }
}
