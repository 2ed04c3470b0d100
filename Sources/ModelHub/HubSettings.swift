import Foundation
import JinaEmbeddings

/// An access token. It is sent in the Authorization header to the Hub's own host and nowhere else, and
/// it never appears in output: printing it (or an error that holds it) shows a placeholder.
public struct HubToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String
    /// Where it came from ("HF_TOKEN", or the token file's path), for messages.
    public let source: String

    public init(_ value: String, source: String) { self.value = value; self.source = source }

    public var description: String { "<token from \(source)>" }
    public var debugDescription: String { description }
    /// `dump` shows no value either.
    public var customMirror: Mirror { Mirror(self, children: ["source": source]) }
}

/// What the environment says about the Hub, read the way huggingface_hub reads it.
public struct HubSettings: Sendable {
    /// `$HF_ENDPOINT` (a mirror or a test server) or the Hub itself, without a trailing slash.
    public var endpoint: String
    public var token: HubToken?
    public var cache: HubCache

    public static let defaultEndpoint = "https://huggingface.co"

    public init(endpoint: String = HubSettings.defaultEndpoint, token: HubToken? = nil, cache: HubCache) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.token = token
        self.cache = cache
    }

    /// The token is `$HF_TOKEN`, else the legacy `$HUGGING_FACE_HUB_TOKEN`, else the file
    /// `${HF_TOKEN_PATH:-$HF_HOME/token}` that `hf auth login` writes.
    public static func from(environment: [String: String]) -> HubSettings {
        func clean(_ s: String?) -> String? {
            s.map { $0.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: "")
                .trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        var token: HubToken?
        if let t = clean(environment["HF_TOKEN"]) {
            token = HubToken(t, source: "HF_TOKEN")
        } else if let t = clean(environment["HUGGING_FACE_HUB_TOKEN"]) {
            token = HubToken(t, source: "HUGGING_FACE_HUB_TOKEN")
        } else {
            let path = clean(environment["HF_TOKEN_PATH"]).map { ($0 as NSString).expandingTildeInPath }
                ?? HubCache.home(environment: environment).appendingPathComponent("token").path
            if let t = clean(try? String(contentsOfFile: path, encoding: .utf8)) { token = HubToken(t, source: path) }
        }
        let endpoint = clean(environment["HF_ENDPOINT"]) ?? defaultEndpoint
        return HubSettings(endpoint: endpoint, token: token, cache: HubCache(environment: environment))
    }
}
