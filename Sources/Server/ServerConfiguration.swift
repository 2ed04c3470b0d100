import Foundation

/// How `loupe serve` listens and what it accepts. Every limit answers with a JSON error (see `APIError`).
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 = an ephemeral port (the bound one is reported by `onListening`).
    public var port = 8080
    /// When set, every route but `/health` needs `Authorization: Bearer <key>`.
    public var apiKey: String?
    /// Larger bodies are refused (413) before they are parsed (by Content-Length when sent, else while reading).
    public var maxBodyBytes = 16 << 20
    /// More inputs in one request: 413 (the OpenAI and Jina APIs' limit).
    public var maxInputs = 2048
    /// More tokens in one request, all inputs together: 413.
    public var maxRequestTokens = 1 << 20
    /// A request that would make more tokens wait for the encoder than this: 429 with Retry-After.
    public var maxQueuedTokens = 4 << 20
    /// Requests with at most this many inputs and `interactiveMaxTokens` tokens go to the interactive
    /// lane (before bulk work); larger ones to the bulk lane.
    public var interactiveMaxInputs = 32
    public var interactiveMaxTokens = 8192
    /// A connection with nothing read or written for this long is closed (idle keep-alive, slow headers).
    public var idleTimeout: Double = 30
    /// A request body not fully received within this many seconds: 408.
    public var bodyTimeout: Double = 30
    /// On SIGTERM / SIGINT, requests in flight get this long to finish before they are cancelled.
    public var shutdownGrace: Double = 30

    public init() {}

    /// Reads an API key file: the first line, trimmed; an empty key is an error (it would accept anything).
    public static func readAPIKey(path: String) throws -> String {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ConfigurationError("cannot read the API key file \(path): \(error.localizedDescription)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let key = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !key.isEmpty else { throw ConfigurationError("the API key file \(path) is empty; put the key on its first line") }
        return key
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
