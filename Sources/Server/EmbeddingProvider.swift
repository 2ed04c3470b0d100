/// Everything the HTTP server needs from the engine, and nothing more. The server never touches the
/// model, the encoder service or the cache directly: one adapter (`EngineProvider`) implements this
/// on top of them, and tests can drive the server through it with any engine configuration.
///
/// Vectors are full size (Matryoshka truncation is the server's job); all methods may be called from
/// any task concurrently; the `async` ones throw `CancellationError` when the calling task is cancelled.
public protocol EmbeddingProvider: Sendable {
    var model: ServedModel { get }

    /// Per text, the tokens of `task`'s instruction prefix + text, not truncated (what the length limits
    /// and the `/tokenize` route see). Throws for an unknown task or a model that cannot tokenize text.
    func tokenize(_ texts: [String], task: String?, addSpecialTokens: Bool) async throws -> [[ServedToken]]

    /// Per text, the number of tokens `tokenize(…, addSpecialTokens: true)` gives.
    func countTokens(_ texts: [String], task: String?) async throws -> [Int]

    /// Throws (with a message for the client) unless the token ids can be embedded as given.
    func check(ids: [Int32]) throws

    /// One vector per text (prefix added, truncated to `model.maxLength`), through the cache when
    /// `normalize` (the cache holds normalized vectors).
    func embed(texts: [String], task: String?, normalize: Bool, lane: Lane) async throws -> [[Float]]

    /// One vector per row of token ids, embedded as given (no prefix, no cache).
    func embed(ids: [[Int32]], task: String?, normalize: Bool, lane: Lane) async throws -> [[Float]]

    /// Late chunking: the chunks are one document, joined by `lateChunkSeparator`, embedded in one
    /// pass; one normalized vector per chunk, pooled over the tokens that start inside it.
    func embedLateChunks(_ chunks: [String], task: String?, lane: Lane) async throws -> [[Float]]

    /// How much work waits for the encoder (for 429 and metrics), readable at any time.
    var load: ProviderLoad { get }

    /// Calls `observer` after every forward pass (from the encoder's thread; keep it short).
    func observeBatches(_ observer: @escaping @Sendable (ProviderBatch) -> Void)
}

/// What the chunks of a late-chunking request are joined with to form the document.
public let lateChunkSeparator = " "

/// Which encoder lane a request waits in: interactive work goes before bulk work.
public enum Lane: String, Sendable {
    case interactive, bulk
}

/// The loaded model as clients see it.
public struct ServedModel: Sendable, Equatable {
    public var name: String
    /// Adapter names (empty for models without adapters).
    public var tasks: [String]
    /// Sizes a vector may be truncated to (Matryoshka dimensions, or 1…hidden).
    public var dimensions: [Int]
    public var hiddenSize: Int
    /// Maximum tokens per input (special tokens and prefix included).
    public var maxLength: Int
    /// False for a model without tokenizer.json (e.g. `--synthetic`): only token-id inputs work.
    public var canTokenize: Bool
    /// The type the Linear products multiply in (`/info` model_dtype): "float32", "bfloat16" or "int8";
    /// "remote" when the server fronts other endpoints.
    public var dtype: String
    /// `--precision` the model was loaded with: "exact", "bf16" or "int8" (`/info` precision); "remote" as above.
    public var precision: String
    /// Each task's instruction prefix (what `/info` tells a client that adds prefixes itself).
    public var instructions: [String: String] = [:]
    public var defaultTask: String?
    /// Names the model and its arithmetic: the weights fingerprint of a local model, or the remote
    /// identity of the endpoints behind this server (see RemoteEncoders' `RemoteIdentity`).
    public var fingerprint = ""
    /// The server adds task prefixes itself (false with `--no-prefix`).
    public var appliesPrefix = true
    /// `late_chunking` works (false when the encoders behind the server cannot late-chunk).
    public var lateChunking = true

    public init(name: String, tasks: [String], dimensions: [Int], hiddenSize: Int, maxLength: Int,
                canTokenize: Bool, dtype: String, precision: String) {
        self.name = name; self.tasks = tasks; self.dimensions = dimensions; self.hiddenSize = hiddenSize
        self.maxLength = maxLength; self.canTokenize = canTokenize; self.dtype = dtype; self.precision = precision
    }
}

/// One token of `/tokenize`: `start`/`stop` are UTF-8 byte offsets into the tokenized string
/// (prefix + text); nil for special tokens.
public struct ServedToken: Sendable, Equatable {
    public var id: Int32
    public var text: String
    public var special: Bool
    public var start: Int?
    public var stop: Int?
    public init(id: Int32, text: String, special: Bool, start: Int?, stop: Int?) {
        self.id = id; self.text = text; self.special = special; self.start = start; self.stop = stop
    }
}

public struct ProviderLoad: Sendable, Equatable {
    public var queuedRows: Int
    public var queuedTokens: Int
    public var requestsInFlight: Int
    public init(queuedRows: Int, queuedTokens: Int, requestsInFlight: Int) {
        self.queuedRows = queuedRows; self.queuedTokens = queuedTokens; self.requestsInFlight = requestsInFlight
    }
}

/// One finished forward pass.
public struct ProviderBatch: Sendable, Equatable {
    public var rows: Int
    public var tokens: Int
    /// Requests whose rows shared the pass.
    public var requests: Int
    public var lane: Lane
    public var seconds: Double
    public init(rows: Int, tokens: Int, requests: Int, lane: Lane, seconds: Double) {
        self.rows = rows; self.tokens = tokens; self.requests = requests; self.lane = lane; self.seconds = seconds
    }
}
