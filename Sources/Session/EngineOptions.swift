import Foundation
import JinaEmbeddings
import RemoteEncoders

/// How a front end asks for an engine: which model, how inputs are cut and prefixed, and where
/// vectors are cached. The CLI fills it from its flags, the explorer and the server likewise.
public struct EngineOptions: Sendable {
    /// `--model DIR` (nil: `$LOUPE_MODEL`, a jina-embeddings-v3 snapshot in the HF cache, the default MiniLM).
    public var model: String?
    /// `--synthetic NAME`: random weights of a known shape built in memory (benchmarks).
    public var synthetic: String?
    /// Maximum tokens per input (nil: the model's own).
    public var maxLength: Int?
    /// Prepend the task instruction prefix (retrieval.query / retrieval.passage).
    public var applyPrefix = true
    /// `--precision`: how the Linear layers multiply (nil: see `resolvedPrecision`).
    public var precision: Precision?
    /// `--lossy`: an alias of `precision = .bf16` (as is `LOUPE_LOSSY=1` in `environment`).
    public var lossy = false
    public var cache: CacheChoice = .standard
    /// `--endpoint URL …`: encode on these remote endpoints instead of a local model (`--model DIR` then
    /// only lends its tokenizer, for token spans).
    public var remote = RemoteOptions()
    public var environment: [String: String]

    /// Where embeddings are cached.
    public enum CacheChoice: Sendable, Equatable {
        /// `${LOUPE_HOME:-~/.cache/loupe}/cache.sqlite`.
        case standard
        case directory(URL)
        case off
    }

    public init(model: String? = nil, synthetic: String? = nil, maxLength: Int? = nil, applyPrefix: Bool = true,
                precision: Precision? = nil, lossy: Bool = false, cache: CacheChoice = .standard,
                remote: RemoteOptions = RemoteOptions(), environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.model = model; self.synthetic = synthetic; self.maxLength = maxLength; self.applyPrefix = applyPrefix
        self.precision = precision; self.lossy = lossy; self.cache = cache; self.remote = remote; self.environment = environment
    }

    /// The precision the model loads with: `precision` when given (`lossy` beside another one is an
    /// error), else bf16 for `lossy` or `LOUPE_LOSSY` set to 1/true/yes, else exact.
    public func resolvedPrecision() throws -> Precision {
        if let precision {
            guard !lossy || precision == .bf16 else {
                throw SessionError.options("--lossy means --precision bf16; drop one of them")
            }
            return precision
        }
        let lossyEnvironment = ["1", "true", "yes"].contains(environment["LOUPE_LOSSY"]?.lowercased() ?? "")
        return lossy || lossyEnvironment ? .bf16 : .exact
    }
}

/// Why a session could not be opened or a question not answered. Messages say what to do next.
/// (Model-level problems — unknown task, invalid dimension, a broken checkpoint — are `ModelError`s.)
public enum SessionError: Error, CustomStringConvertible, Equatable {
    case options(String)
    case notIndexed(task: String?)
    case documentOutOfRange(Int, count: Int)
    case emptyCorpus
    case encoder(String)

    public var description: String {
        switch self {
        case .options(let m), .encoder(let m): return m
        case .notIndexed(let t): return "the corpus is not indexed under \(t ?? "none") yet"
        case .documentOutOfRange(let i, let n):
            return "document \(i) is out of range: the corpus has \(n) documents (0…\(max(0, n - 1)))"
        case .emptyCorpus: return "the corpus produced no vectors (is it empty?)"
        }
    }
}
