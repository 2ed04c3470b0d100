import Foundation

/// How tasks reach the model behind an endpoint.
public enum TaskMode: String, Sendable {
    /// The endpoint applies the task adapter itself (loupe, the Jina API; `prompt_name` on a loupe server's `/embed`).
    case adapters
    /// The endpoint takes raw text: the client adds the task's instruction prefix, the adapter is not applied.
    case prefixOnly = "prefix-only"
    /// A model without tasks.
    case none
}

/// What probing an endpoint found out: its dialect, the model behind it and what that model can do, and
/// the vector of a fixed probe text (which names the model: see `RemoteIdentity`).
public struct EndpointDescription: Sendable {
    public var kind: EndpointKind
    /// The model id the endpoint reports (or the one asked for).
    public var model: String
    /// Tokens per input (nil: the endpoint does not say).
    public var maxLength: Int?
    /// The probe vector's length: the full dimension.
    public var hiddenSize: Int
    /// Sizes a vector may be truncated to (Matryoshka dimensions, or 1…hiddenSize).
    public var dimensions: [Int]
    public var tasks: [String]
    public var instructions: [String: String]
    public var defaultTask: String?
    public var taskMode: TaskMode
    /// The endpoint adds the task's instruction prefix itself (loupe unless started with --no-prefix, Jina).
    public var appliesPrefix: Bool
    public var lateChunking: Bool
    /// Can return vectors that are not normalized (loupe, TEI).
    public var unnormalized: Bool
    /// Answers `/tokenize` (loupe, TEI).
    public var tokenizes: Bool
    public var maxBatchInputs: Int?
    public var maxBatchTokens: Int?
    /// The weights fingerprint a loupe server reports (config + safetensors header), if any.
    public var weightsFingerprint: String?
    /// Precision a loupe server reports (e.g. "float32", "bfloat16 (lossy)").
    public var precision: String?
    /// The probe text's vector, no task, normalized.
    public var probe: [Float]

    /// Two endpoints can share work: the same model the same way (probe vectors agree to `tolerance`).
    func disagreement(with other: EndpointDescription, tolerance: Float) -> String? {
        if model != other.model { return "model \(model) vs \(other.model)" }
        if hiddenSize != other.hiddenSize { return "\(hiddenSize) vs \(other.hiddenSize) dimensions" }
        if taskMode != other.taskMode { return "tasks \(taskMode.rawValue) vs \(other.taskMode.rawValue)" }
        if appliesPrefix != other.appliesPrefix { return "one adds task prefixes, the other does not" }
        if lateChunking != other.lateChunking { return "one late-chunks, the other does not" }
        if let a = maxLength, let b = other.maxLength, a != b { return "max length \(a) vs \(b)" }
        let diff = RemoteIdentity.maxDifference(probe, other.probe)
        if diff > tolerance { return String(format: "their vectors of the same text differ by up to %.2g", diff) }
        return nil
    }
}

/// Facts about models whose endpoints do not report them (OpenAI-compatible servers, the Jina API):
/// jina-embeddings-v3's tasks, instruction prefixes and Matryoshka dimensions (its config.json).
enum KnownModels {
    struct Facts {
        var tasks: [String]
        var instructions: [String: String]
        var dimensions: [Int]
        var maxLength: Int
        var defaultTask: String?
    }

    static let jinaV3 = Facts(
        tasks: ["retrieval.query", "retrieval.passage", "separation", "classification", "text-matching"],
        instructions: ["retrieval.query": "Represent the query for retrieving evidence documents: ",
                       "retrieval.passage": "Represent the document for retrieval: ",
                       "separation": "", "classification": "", "text-matching": ""],
        dimensions: [32, 64, 128, 256, 512, 768, 1024], maxLength: 8194, defaultTask: "text-matching")

    /// "jina-embeddings-v3", "jinaai/jina-embeddings-v3", "jina-embeddings-v3-q8" …
    static func facts(model: String) -> Facts? {
        let name = model.split(separator: "/").last.map { $0.lowercased() } ?? ""
        return name.hasPrefix("jina-embeddings-v3") ? jinaV3 : nil
    }
}
