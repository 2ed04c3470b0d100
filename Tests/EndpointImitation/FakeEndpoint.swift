import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// An embedding endpoint on 127.0.0.1 for the remote-encoder tests: it speaks the loupe (Jina) shape,
/// the OpenAI shape or text-embeddings-inference's, works one request at a time at a set speed (by
/// sleeping, so a busy machine does not change it much), records every request and its own busy time,
/// and misbehaves on demand (error statuses with Retry-After, slow answers, wrong sizes, garbage, a
/// dropped connection, dying).
///
/// Its vectors come from `FakeEndpoint.vector`, a function of the text and task that the tests call
/// themselves to know what the right answer is.
public final class FakeEndpoint: @unchecked Sendable {
    public enum Kind: String, Sendable { case loupe, openai, tei }

    public enum Fault: Sendable, Equatable {
        /// Behaves (to script "the first N requests are fine").
        case none
        case status(Int, retryAfter: Int? = nil)
        /// Answers correctly after this many seconds (on top of the work).
        case slow(Double)
        case wrongDimension
        case wrongCount
        case garbage
        /// Closes the connection in the middle of the answer.
        case drop
    }

    public struct Logged: Sendable {
        public var path: String
        public var inputs: [String]
        public var task: String?
        public var priority: String?
        public var authorization: String?
        public var received: Double
        public var answered: Double?
        public var fault: Fault?
    }

    public let kind: Kind
    public let model: String
    public let dimension: Int
    /// Tokens (words + 2 per input) per second of work.
    public let speed: Double
    public let tasks: [String]
    public let key: String?
    /// Another model under the same name: every vector changes.
    public let salt: String
    private let lock = NSLock()
    private var faults: [Fault] = []
    private var log: [Logged] = []
    private var busy = 0.0
    private var dead = false
    private var server: Task<Void, Error>?
    private let gate = Gate()
    public private(set) var port = 0

    public init(kind: Kind = .loupe, model: String = "fake-model", dimension: Int = 8, speed: Double = 1e6,
                tasks: [String] = ["retrieval.query", "retrieval.passage", "text-matching"], key: String? = nil,
                salt: String = "", port: Int = 0) {
        self.kind = kind; self.model = model; self.dimension = dimension; self.speed = speed; self.tasks = tasks
        self.key = key; self.salt = salt; self.port = port
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// The next embedding requests each get one of these (then the endpoint behaves again).
    public func inject(_ list: [Fault]) { lock.withLock { faults += list } }

    public var requests: [Logged] { lock.withLock { log } }
    public var embedRequests: [Logged] { requests.filter { $0.path == "/v1/embeddings" || $0.path == "/embed" } }
    /// Seconds spent working (sleeping for requests), over the endpoint's life.
    public var busySeconds: Double { lock.withLock { busy } }

    /// The vector this endpoint gives `text` under `task`: a unit vector from hashed words.
    public static func vector(_ text: String, task: String?, dimension: Int, salt: String = "") -> [Float] {
        var v = [Float](repeating: 0, count: dimension)
        for word in (text + " " + (task ?? "") + " " + salt).split(whereSeparator: { $0 == " " }) {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in word.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            for i in 0..<dimension {
                h = h &* 6364136223846793005 &+ 1442695040888963407
                v[i] += Float(Int64(bitPattern: h >> 11) % 1000) / 1000
            }
        }
        let norm = max(v.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
        return v.map { $0 / norm }
    }

    public static func tokens(_ text: String) -> Int { text.split(whereSeparator: { $0 == " " }).count + 2 }

    // MARK: - Life

    public func start() async throws {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "fake-endpoint")
        logger.logLevel = .critical
        let app = Application(router: router(), configuration: .init(address: .hostname("127.0.0.1", port: port)),
                              onServerRunning: { channel in
                                  continuation.yield(channel.localAddress?.port ?? 0)
                                  continuation.finish()
                              }, logger: logger)
        server = Task { try await app.run() }
        for await p in ports where p > 0 { port = p; return }
        throw FakeEndpointError("the fake endpoint did not start")
    }

    /// Stops listening (requests in flight are cut off).
    public func stop() async {
        server?.cancel()
        _ = await server?.result
        server = nil
    }

    /// Dies as a crashed server does: requests in flight lose their connection, new ones are refused.
    public func die() async {
        lock.withLock { dead = true }
        await stop()
    }

    // MARK: - Routes

    private func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/info") { _, _ in
            guard self.kind != .openai else { return Response(status: .notFound) }
            var info: [String: Any] = ["model_id": self.model, "max_input_length": 512, "max_client_batch_size": 64,
                                       "max_batch_tokens": 16384, "hidden_size": self.dimension]
            if self.kind == .loupe {
                info["version"] = "loupe-fake"
                info["tasks"] = self.tasks
                info["instructions"] = Dictionary(uniqueKeysWithValues: self.tasks.map { ($0, $0 == "retrieval.query" ? "Query: " : "") })
                info["dimensions"] = [self.dimension]
                info["applies_prefix"] = true
                info["late_chunking"] = false
            } else {
                info["version"] = "fake-tei"
            }
            return Self.json(info)
        }
        router.get("/v1/models") { _, _ in
            guard self.kind == .openai else { return Response(status: .notFound) }
            return Self.json(["object": "list", "data": [["id": self.model, "object": "model"]]])
        }
        router.post("/v1/embeddings") { request, _ in
            guard self.kind != .tei else { return Response(status: .notFound) }
            return try await self.embed(request, inputsKey: "input")
        }
        router.post("/embed") { request, _ in
            guard self.kind == .tei else { return Response(status: .notFound) }
            return try await self.embed(request, inputsKey: "inputs")
        }
        router.post("/tokenize") { request, _ in
            let body = try await request.body.collect(upTo: 64 << 20)
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
            let inputs = object["inputs"] as? [String] ?? []
            return Self.json(inputs.map { text -> [[String: Any]] in
                var tokens: [[String: Any]] = [], offset = 0
                for word in text.split(separator: " ", omittingEmptySubsequences: false) {
                    let n = word.utf8.count
                    if n > 0 { tokens.append(["id": 5, "text": String(word), "special": false, "start": offset, "stop": offset + n]) }
                    offset += n + 1
                }
                return tokens
            })
        }
        return router
    }

    private func embed(_ request: Request, inputsKey: String) async throws -> Response {
        let received = ProcessInfo.processInfo.systemUptime
        let body = try await request.body.collect(upTo: 64 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        let inputs = (object[inputsKey] as? [String]) ?? (object[inputsKey] as? String).map { [$0] } ?? []
        let task = (object["task"] ?? object["prompt_name"]) as? String
        let authorization = request.headers[.authorization]
        let (fault, index, isDead) = lock.withLock { () -> (Fault?, Int, Bool) in
            let f = faults.isEmpty ? nil : faults.removeFirst()
            log.append(Logged(path: request.uri.path, inputs: inputs, task: task,
                              priority: request.headers[HTTPField.Name("X-Loupe-Priority")!],
                              authorization: authorization, received: received, fault: f))
            return (f, log.count - 1, dead)
        }
        if isDead { return Self.dropped() }
        if let key, authorization != "Bearer \(key)" {
            return Self.json(["error": ["message": "invalid api key", "type": "invalid_request_error"]], status: .unauthorized)
        }
        // One request at a time, like an encoder that runs one batch after another.
        await gate.acquire()
        let started = ProcessInfo.processInfo.systemUptime
        let work = Double(inputs.reduce(0) { $0 + Self.tokens($1) }) / speed
        try? await Task.sleep(nanoseconds: UInt64(work * 1e9))
        let ended = ProcessInfo.processInfo.systemUptime
        let died = lock.withLock { () -> Bool in busy += ended - started; return dead }
        await gate.release()
        if died { return Self.dropped() }
        defer { lock.withLock { log[index].answered = ProcessInfo.processInfo.systemUptime } }
        var vectors = inputs.map { Self.vector($0, task: task, dimension: dimension, salt: salt) }
        switch fault {
        case .status(let code, let after)?:
            var headers: HTTPFields = [.contentType: "application/json"]
            if let after { headers[.retryAfter] = String(after) }
            let error = try JSONSerialization.data(withJSONObject: ["error": ["message": "injected \(code)", "type": "server_error"]])
            return Response(status: .init(code: code), headers: headers, body: .init(byteBuffer: ByteBuffer(data: error)))
        case .slow(let seconds)?:
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        case .wrongDimension?:
            vectors = vectors.map { $0 + [0.5] }
        case .wrongCount?:
            vectors.removeLast()
        case .garbage?:
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: "{\"data\": [{\"embedding\": [0.1, 0.2,")))
        case .drop?:
            return Self.dropped()
        case .none?, nil:
            break
        }
        if kind == .tei { return Self.json(vectors) }
        let base64 = (object["encoding_format"] ?? object["embedding_type"]) as? String == "base64"
        let data: [[String: Any]] = vectors.enumerated().map { i, v in
            let embedding: Any = base64 ? v.withUnsafeBufferPointer { Data(buffer: $0) }.base64EncodedString() : v
            return ["object": "embedding", "index": i, "embedding": embedding]
        }
        let tokens = inputs.reduce(0) { $0 + Self.tokens($1) }
        return Self.json(["object": "list", "model": model, "data": data,
                          "usage": ["prompt_tokens": tokens, "total_tokens": tokens]])
    }

    private static func json(_ value: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: value)) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    /// A response whose body is cut off: the connection closes mid-answer.
    private static func dropped() -> Response {
        Response(status: .ok, headers: [.contentType: "application/json", .contentLength: "1000"],
                 body: ResponseBody(contentLength: 1000) { writer in
                     try await writer.write(ByteBuffer(string: "{\"data\": ["))
                     throw CancellationError()
                 })
    }
}

/// One holder at a time, first come first served.
actor Gate {
    private var held = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !held { held = true; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { held = false } else { waiting.removeFirst().resume() }
    }
}

public struct FakeEndpointError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
