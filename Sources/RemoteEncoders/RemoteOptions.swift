import Foundation

/// What a front end asks for with `--endpoint URL` (repeatable), `--endpoint-protocol`, `--endpoint-model`
/// and `--api-key-env`.
public struct RemoteOptions: Sendable {
    /// Base URLs (`http://host:port`, optionally with a path prefix; `/v1`, `/v1/embeddings` and `/embed`
    /// at the end are dropped).
    public var endpoints: [String]
    /// nil: probe each endpoint (`/info`, then `/v1/models`).
    public var kind: EndpointKind?
    /// The model to ask OpenAI-compatible and Jina endpoints for (nil: the one the endpoint lists, or
    /// jina-embeddings-v3 for the Jina API).
    public var model: String?
    /// The environment variable holding the API key (nil: JINA_API_KEY for the Jina API, OPENAI_API_KEY
    /// for OpenAI-compatible servers when set, none for loupe and text-embeddings-inference).
    public var apiKeyVariable: String?
    public var pool: PoolOptions

    public init(endpoints: [String] = [], kind: EndpointKind? = nil, model: String? = nil, apiKeyVariable: String? = nil,
                pool: PoolOptions = PoolOptions()) {
        self.endpoints = endpoints; self.kind = kind; self.model = model; self.apiKeyVariable = apiKeyVariable
        self.pool = pool
    }
}

/// The HTTP dialects loupe speaks as a client (see ../shared/CONTRACTS.md).
public enum EndpointKind: String, Sendable, CaseIterable {
    /// `loupe serve`: Jina's `/v1/embeddings` (task, late_chunking) plus `/info` and `/tokenize`.
    case loupe
    /// The Jina Embeddings API: `task`, `dimensions`, `late_chunking`.
    case jina
    /// OpenAI-compatible servers (vLLM, llama.cpp, Ollama, OpenAI): raw text only.
    case openai
    /// text-embeddings-inference: `/embed` with `inputs` and `prompt_name`, `/tokenize`, `/info`.
    case tei

    public static func parse(_ value: String) throws -> EndpointKind {
        guard let kind = EndpointKind(rawValue: value.lowercased()) else {
            throw RemoteError.configuration("--endpoint-protocol \(value): use one of "
                                            + allCases.map(\.rawValue).joined(separator: ", "))
        }
        return kind
    }
}

/// How the pool batches, paces and gives up. The defaults suit real servers; tests shrink the times.
public struct PoolOptions: Sendable {
    /// A bulk batch is sized to take about this long on the endpoint it goes to (from its measured speed).
    public var targetBatchSeconds = 1.0
    /// Bulk batches kept in flight per endpoint (one more slot is kept for interactive requests).
    public var pipelineDepth = 2
    /// The first batch to an endpoint (its speed is not known yet), and the smallest batch.
    public var minimumBatchTokens = 64
    public var maximumBatchTokens = 16_384
    public var maximumBatchInputs = 256
    /// Backoff after a failure: first, doubling to at most `maximumBackoff` seconds, with jitter.
    public var firstBackoff = 0.25
    public var maximumBackoff = 8.0
    /// Consecutive failures after which an endpoint is set aside for `setAsideSeconds` (doubling up to
    /// `maximumSetAside` each time it fails again); it is probed again before it gets work.
    public var failuresBeforeSetAside = 4
    public var setAsideSeconds = 15.0
    public var maximumSetAside = 300.0
    /// A batch not answered within this many seconds is given to another endpoint (nil: ten times what
    /// the endpoint's measured speed predicts, at least `minimumTimeout`).
    public var requestTimeout: Double?
    public var minimumTimeout = 60.0
    /// Connecting and probing an endpoint.
    public var probeTimeout = 30.0
    /// A batch that failed this many times fails its request (a poison input, not a dead endpoint).
    public var maximumAttempts = 12

    public init() {}
}

/// The API key, read from the environment only. Its description never shows the value.
public struct APIKey: Sendable, CustomStringConvertible {
    let value: String
    public let variable: String

    public var description: String { "the key in $\(variable)" }

    /// The key for an endpoint of `kind`: `variable` when named (it must be set), else the kind's default
    /// variable when set. The Jina API cannot be used without one.
    static func resolve(kind: EndpointKind, variable: String?, environment: [String: String]) throws -> APIKey? {
        if let variable {
            guard let value = environment[variable], !value.isEmpty else {
                throw RemoteError.configuration("--api-key-env \(variable): $\(variable) is not set (or empty); "
                                                + "export the key in it, never on the command line")
            }
            return APIKey(value: value, variable: variable)
        }
        let fallback: String? = switch kind {
        case .jina: "JINA_API_KEY"
        case .openai: "OPENAI_API_KEY"
        case .loupe, .tei: nil
        }
        guard let fallback else { return nil }
        if let value = environment[fallback], !value.isEmpty { return APIKey(value: value, variable: fallback) }
        if kind == .jina {
            throw RemoteError.configuration("the Jina API needs a key: export JINA_API_KEY "
                                            + "(or name another variable with --api-key-env)")
        }
        return nil
    }

    /// `text` with every occurrence of the key masked (a server may echo what it was sent).
    func mask(_ text: String) -> String {
        value.count < 4 ? text : text.replacingOccurrences(of: value, with: "***")
    }
}

/// An endpoint's base URL, normalized, and the short name messages use.
public struct EndpointAddress: Sendable, Equatable {
    public let base: URL
    public let name: String

    public init(_ text: String) throws {
        var s = text.trimmingCharacters(in: .whitespaces)
        if !s.contains("://") { s = "http://" + s }
        guard let url = URL(string: s), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            throw RemoteError.configuration("--endpoint \(text): not an http(s) URL (e.g. http://gpu-box:8080)")
        }
        guard url.user == nil, url.password == nil, url.query == nil else {
            throw RemoteError.configuration("--endpoint \(text): put no credentials or query in the URL; "
                                            + "keys come from the environment (--api-key-env)")
        }
        var path = url.path
        while path.hasSuffix("/") { path.removeLast() }
        for suffix in ["/v1/embeddings", "/embed", "/v1"] where path.hasSuffix(suffix) {
            path.removeLast(suffix.count)
            break
        }
        var components = URLComponents()
        components.scheme = scheme; components.host = host; components.port = url.port; components.path = path
        guard let base = components.url else { throw RemoteError.configuration("--endpoint \(text): not a usable URL") }
        self.base = base
        self.name = host + (url.port.map { ":\($0)" } ?? "") + path
    }

    /// `base` + `path` (which starts with "/").
    func url(_ path: String) -> String { base.absoluteString + path }
}
