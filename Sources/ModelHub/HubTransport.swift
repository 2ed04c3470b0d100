import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// How hard to try: attempts per request (a download's count starts again whenever bytes arrive, as
/// huggingface_hub's does), exponential backoff between them, and timeouts.
public struct RetryPolicy: Sendable {
    public var attempts: Int
    public var firstDelay: Duration
    public var maxDelay: Duration
    public var connectTimeout: TimeAmount
    /// Longest silence while waiting for data.
    public var readTimeout: TimeAmount
    /// Longest wait for a response's status line and headers.
    public var headerTimeout: TimeAmount

    public init(attempts: Int = 5, firstDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(8),
                connectTimeout: TimeAmount = .seconds(10), readTimeout: TimeAmount = .seconds(60),
                headerTimeout: TimeAmount = .seconds(60)) {
        self.attempts = max(1, attempts); self.firstDelay = firstDelay; self.maxDelay = maxDelay
        self.connectTimeout = connectTimeout; self.readTimeout = readTimeout; self.headerTimeout = headerTimeout
    }

    /// 1 s, 2 s, 4 s, 8 s, 8 s … after the first, second … failure (with the defaults).
    func delay(afterFailure n: Int) -> Duration {
        min(maxDelay, firstDelay * (1 << min(max(0, n - 1), 16)))
    }
}

/// A failure worth retrying: the connection broke, timed out, or the server said 429 or 5xx.
struct TransientFailure: Error {
    var detail: String
    var retryAfter: Duration?
}

/// The HTTP side of talking to the Hub: one request at a time over AsyncHTTPClient, with the Hub's
/// redirect rules. The token goes only to the endpoint's own origin (scheme, host and port), so a redirect
/// to a CDN (whose signed URL needs no token) never carries it; huggingface_hub drops it the same way.
struct HubTransport {
    let client: HTTPClient
    let settings: HubSettings
    let policy: RetryPolicy

    enum Redirects {
        /// Follow redirects within the origin only (a renamed repository), and hand back one that leaves
        /// it (HEAD on /resolve: the Hub's 302 to its CDN carries the file's metadata).
        case sameOriginOnly
        case all
    }

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: HTTPClientResponse.Body
        /// The address that answered, after redirects.
        var url: URL
    }

    func send(_ method: HTTPMethod, _ url: URL, headers extra: [(String, String)] = [],
              redirects: Redirects) async throws -> Response {
        var current = url
        for _ in 0..<10 {
            var request = HTTPClientRequest(url: current.absoluteString)
            request.method = method
            request.headers.add(name: "User-Agent", value: "loupe-fetch/1")
            // The real bytes and the real size: no compression.
            request.headers.add(name: "Accept-Encoding", value: "identity")
            for (name, value) in extra { request.headers.add(name: name, value: value) }
            if let token = settings.token, sameOrigin(current, endpointURL) {
                request.headers.add(name: "Authorization", value: "Bearer \(token.value)")
            }
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, timeout: policy.headerTimeout)
            } catch {
                throw TransientFailure(detail: describe(error))
            }
            let status = Int(response.status.code)
            guard (300..<400).contains(status), status != 304,
                  let location = response.headers.first(name: "Location"),
                  let next = URL(string: location, relativeTo: current)?.absoluteURL else {
                return Response(status: status, headers: response.headers, body: response.body, url: current)
            }
            if case .sameOriginOnly = redirects, !sameOrigin(next, current) {
                return Response(status: status, headers: response.headers, body: response.body, url: current)
            }
            _ = try? await response.body.collect(upTo: 1 << 16)
            current = next
        }
        throw HubError.badResponse(host: hostName(url), detail: "more than 10 redirects")
    }

    /// Runs `operation` until it succeeds, a non-transient error comes, or the attempts are used up.
    func retrying<T>(host: String, _ operation: () async throws -> T) async throws -> T {
        var failures = 0
        while true {
            do {
                return try await operation()
            } catch let failure as TransientFailure {
                failures += 1
                try await pause(after: failures, failure, host: host)
            }
        }
    }

    /// Sleeps before the next attempt, or throws `HubError.network` when none is left.
    func pause(after failures: Int, _ failure: TransientFailure, host: String) async throws {
        guard failures < policy.attempts else {
            throw HubError.network(host: host, detail: failure.detail, attempts: failures)
        }
        let wait = failure.retryAfter.map { min($0, .seconds(60)) } ?? policy.delay(afterFailure: failures)
        try await Task.sleep(for: wait)
    }

    var endpointURL: URL { URL(string: settings.endpoint) ?? URL(fileURLWithPath: "/") }

    /// Passes 2xx and 3xx. Maps an error status to what it means on the Hub (X-Error-Code tells a
    /// missing revision from a missing repository); 429 and 5xx are transient.
    func check(_ response: Response, repo: String, revision: String, path: String? = nil) async throws {
        guard !(200..<400).contains(response.status) else { return }
        let code = response.headers.first(name: "X-Error-Code")
        let message = response.headers.first(name: "X-Error-Message") ?? ""
        _ = try? await response.body.collect(upTo: 1 << 16)
        let host = hostName(response.url), onHub = sameOrigin(response.url, endpointURL)
        switch response.status {
        case 429, 500...599:
            let after = response.headers.first(name: "Retry-After").flatMap(Int.init).map { Duration.seconds($0) }
            throw TransientFailure(detail: "\(host) answered \(response.status)", retryAfter: after)
        case 401 where onHub, 403 where onHub:
            throw HubError.unauthorized(repo: repo, status: response.status, gated: code == "GatedRepo",
                                        token: settings.token?.source, endpoint: settings.endpoint)
        case 404 where code == "RevisionNotFound":
            throw HubError.revisionNotFound(repo: repo, revision: revision)
        case 404 where code == "EntryNotFound" || (path != nil && code != "RepoNotFound"):
            throw HubError.fileNotFound(repo: repo, revision: revision, path: path ?? "?")
        case 404:
            throw HubError.repositoryNotFound(repo: repo, endpoint: settings.endpoint)
        default:
            throw HubError.unexpectedStatus(host: host, status: response.status, detail: message)
        }
    }
}

func sameOrigin(_ a: URL, _ b: URL) -> Bool {
    func port(_ u: URL) -> Int? { u.port ?? (u.scheme == "https" ? 443 : u.scheme == "http" ? 80 : nil) }
    return a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased()
        && port(a) == port(b)
}

/// `host` or `host:port` for messages.
func hostName(_ url: URL) -> String {
    (url.host ?? url.absoluteString) + (url.port.map { ":\($0)" } ?? "")
}

/// A short, token-free description of a transport error.
func describe(_ error: Error) -> String {
    if let e = error as? HTTPClientError {
        switch e {
        case .connectTimeout: return "connection timed out"
        case .readTimeout: return "no data for too long (read timeout)"
        case .deadlineExceeded: return "no answer in time"
        case .remoteConnectionClosed: return "the server closed the connection"
        default: return String(describing: e)
        }
    }
    if let e = error as? IOError { return String(cString: strerror(e.errnoCode)).lowercased() }
    return String(describing: error)
}


/// What HEAD `/{repo}/resolve/{commit}/{path}` says of a file (huggingface_hub's `get_hf_file_metadata`).
/// For an LFS file the Hub answers 302 to its CDN, with the content's sha256 in `X-Linked-Etag` and its
/// size in `X-Linked-Size` (the plain `ETag` and `Content-Length` there describe the redirect);
/// for a file in git it answers 200 with the git blob id as `ETag`.
struct FileMetadata: Equatable {
    var etag: String
    var size: Int64
    var commit: String
    /// Where to GET the bytes: the CDN address, or /resolve itself.
    var location: URL

    init(_ head: HubTransport.Response, host: String, expectedCommit: String, path: String) throws {
        let headers = head.headers
        let redirected = (300..<400).contains(head.status)
        func bad(_ detail: String) -> HubError { .badResponse(host: host, detail: "\(path): \(detail)") }
        guard let commit = headers.first(name: "X-Repo-Commit") else {
            throw bad("no X-Repo-Commit header (a proxy or firewall in between, or HF_ENDPOINT is not a Hub)")
        }
        guard commit == expectedCommit else { throw bad("the file is at commit \(commit), the listing at \(expectedCommit)") }
        guard let etag = Self.normalize(headers.first(name: "X-Linked-Etag") ?? headers.first(name: "ETag")), !etag.isEmpty,
              !etag.contains("/"), etag != ".", etag != ".." else {
            throw bad("no usable ETag")
        }
        let sizeText = headers.first(name: "X-Linked-Size") ?? (redirected ? nil : headers.first(name: "Content-Length"))
        guard let size = sizeText.flatMap({ Int64($0) }), size >= 0 else { throw bad("no size (X-Linked-Size or Content-Length)") }
        var location = head.url
        if redirected {
            guard let target = headers.first(name: "Location").flatMap({ URL(string: $0, relativeTo: head.url)?.absoluteURL }) else {
                throw bad("a redirect without a Location")
            }
            location = target
        }
        self.etag = etag; self.size = size; self.commit = commit; self.location = location
    }

    /// `W/"abc"` and `"abc"` → `abc` (huggingface_hub's `_normalize_etag`).
    static func normalize(_ etag: String?) -> String? {
        guard var e = etag else { return nil }
        if e.hasPrefix("W/") { e.removeFirst(2) }
        return e.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
}
