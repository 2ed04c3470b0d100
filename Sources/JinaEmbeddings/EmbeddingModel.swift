import Foundation
import Tokenizers

/// What can go wrong loading or running a model. Messages name the file/tensor and say what to do.
public enum ModelError: Error, CustomStringConvertible {
    case missingFile(String)
    case invalidConfig(path: String, reason: String)
    case checkpoint(String)               // safetensors problems, already formatted with file + tensor
    case missingTensor(file: String, name: String)
    case wrongShape(file: String, name: String, expected: [Int], actual: [Int])
    case unknownTask(String, valid: [String])
    case noAdapters(model: String)
    case invalidDimension(Int, valid: [Int])
    case invalidInput(String)
    case cancelled

    public var description: String {
        switch self {
        case .missingFile(let p): return "model file not found: \(p)"
        case .invalidConfig(let p, let r): return "invalid model config \(p): \(r)"
        case .checkpoint(let m): return m
        case .missingTensor(let f, let n): return "\(f): tensor \(n) is missing (is this the right checkpoint?)"
        case .wrongShape(let f, let n, let e, let a): return "\(f): tensor \(n) has shape \(a), expected \(e)"
        case .unknownTask(let t, let v): return "unknown task '\(t)'; valid tasks: \(v.joined(separator: ", ")), none"
        case .noAdapters(let m): return "model \(m) has no task adapters; use --task none (or load jina-embeddings-v3 for adapters)"
        case .invalidDimension(let d, let v):
            if let lo = v.first, let hi = v.last, v.count == hi - lo + 1 {
                return "invalid dimension \(d); valid: \(lo)…\(hi)"
            }
            return "invalid dimension \(d); valid dimensions: \(v.map(String.init).joined(separator: ", "))"
        case .invalidInput(let m): return m
        case .cancelled: return "cancelled"
        }
    }
}

/// A sentence-embedding model: jina-embeddings-v3 (rotary, LoRA adapters) or a BERT / XLM-R checkpoint.
///
/// Thread-safety: a model is immutable after loading; `forward`/`embed` use per-call scratch
/// memory, so one model may serve several threads (the EncoderService uses one at a time).
public final class EmbeddingModel: @unchecked Sendable {
    /// A short display name ("jina-embeddings-v3", "all-MiniLM-L6-v2", "synthetic jina-v3").
    public let name: String
    public let config: ModelConfig
    public let tokenizer: Tokenizer?
    /// Hash of config.json and the safetensors header: identifies the weights for the cache.
    public let fingerprint: String
    /// The default maximum number of tokens per input (8194 for jina, 256/512 for sentence-transformers models).
    public let maxLength: Int
    let weights: ModelWeights
    /// How the Linear layers multiply (chosen at load; part of the fingerprint).
    public let precision: Precision

    init(name: String, config: ModelConfig, tokenizer: Tokenizer?, fingerprint: String, maxLength: Int,
         weights: ModelWeights, precision: Precision = .exact) {
        self.name = name; self.config = config; self.tokenizer = tokenizer
        self.fingerprint = fingerprint; self.maxLength = maxLength; self.weights = weights
        self.precision = precision
    }

    /// Task adapter names in adapter-index order (empty for models without adapters).
    public var tasks: [String] { config.loraAdaptations }
    public var hasAdapters: Bool { !config.loraAdaptations.isEmpty }
    public var hiddenSize: Int { config.hiddenSize }
    /// The valid output dimensions: the Matryoshka list for jina, 1…hidden otherwise.
    public var dimensions: [Int] { config.matryoshkaDimensions ?? Array(1...config.hiddenSize) }
    /// The task used when none is given: text-matching for jina, none otherwise.
    public var defaultTask: String? { hasAdapters ? (tasks.contains("text-matching") ? "text-matching" : tasks.first) : nil }
}
