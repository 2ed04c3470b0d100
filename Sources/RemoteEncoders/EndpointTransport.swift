import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One endpoint's HTTP: requests with a deadline over AsyncHTTPClient, the key only in its Authorization
/// header (redirects are not followed, so it never reaches another host), failures as `EndpointFailure`
/// with the key masked out of anything the server said.
struct EndpointTransport: Sendable {
    let address: EndpointAddress
    let key: APIKey?

    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// One client for the process: pools connections per endpoint and never needs shutting down.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(10)))
        configuration.httpVersion = .http1Only
        // A refused connection fails at once: the pool retries elsewhere and paces this endpoint itself
        // (EndpointHealth), instead of AsyncHTTPClient retrying it until the connect timeout (10 s per
        // request to a stopped server).
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// Largest answer read (a batch of 2,048 vectors of 4,096 floats as JSON is about 100 MB).
    static let maximumAnswerBytes = 256 << 20

    func get(_ path: String, timeout: Double) async throws -> Answer {
        try await send(.GET, path, body: nil, headers: [], timeout: timeout)
    }

    func post(_ path: String, json: [UInt8], headers: [(String, String)] = [], timeout: Double) async throws -> Answer {
        try await send(.POST, path, body: json, headers: headers, timeout: timeout)
    }

    private func send(_ method: HTTPMethod, _ path: String, body: [UInt8]?, headers: [(String, String)],
                      timeout: Double) async throws -> Answer {
        var request = HTTPClientRequest(url: address.url(path))
        request.method = method
        request.headers.add(name: "User-Agent", value: "loupe-remote/1")
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key.value)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let deadline = NIODeadline.now() + .nanoseconds(Int64(max(0.001, timeout) * 1e9))
            let response = try await Self.client.execute(request, deadline: deadline)
            let bytes = try await response.body.collect(upTo: Self.maximumAnswerBytes)
            return Answer(status: Int(response.status.code), headers: response.headers, body: Array(buffer: bytes))
        } catch {
            if Task.isCancelled || error is CancellationError { throw CancellationError() }
            if let e = error as? HTTPClientError, e == .cancelled { throw CancellationError() }
            throw failure(error, timeout: timeout)
        }
    }

    /// The body of a 2xx answer; anything else as the failure it is.
    func checked(_ answer: Answer) throws -> [UInt8] {
        guard (200..<300).contains(answer.status) else {
            let after = answer.headers.first(name: "Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            throw EndpointFailure.status(answer.status, message(answer.body), retryAfter: after.map { max(0, $0) })
        }
        return answer.body
    }

    /// What an error body says, short: OpenAI `{"error": {"message"}}`, `{"error": "…"}`, `{"message"}`, or text.
    private func message(_ body: [UInt8]) -> String {
        var text = String(decoding: body.prefix(4096), as: UTF8.self)
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            if let error = object["error"] as? [String: Any], let m = error["message"] as? String { text = m }
            else if let m = object["error"] as? String { text = m }
            else if let m = object["message"] as? String { text = m }
        }
        text = text.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        if text.count > 200 { text = String(text.prefix(200)) + "…" }
        return key?.mask(text) ?? text
    }

    private func failure(_ error: Error, timeout: Double) -> EndpointFailure {
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout: return .unreachable("connection timed out")
            case .readTimeout, .deadlineExceeded: return .timedOut(timeout)
            case .remoteConnectionClosed, .bodyLengthMismatch: return .unreachable("the server closed the connection")
            default: return .unreachable(key?.mask(String(describing: e)) ?? String(describing: e))
            }
        }
        if let e = error as? IOError { return .unreachable(String(cString: strerror(e.errnoCode)).lowercased()) }
        if error is NIOTooManyBytesError { return .malformed("answer larger than \(Self.maximumAnswerBytes >> 20) MB") }
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return .unreachable("connection refused") }
        return .unreachable(key?.mask(text) ?? text)
    }
}
