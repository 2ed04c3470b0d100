import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// What every handler shares: the provider, the limits, the metrics, the shutdown state and the log.
final class ServerState: Sendable {
    let provider: any EmbeddingProvider
    let configuration: ServerConfiguration
    let metrics = ServerMetrics()
    let throughput = ThroughputMeter()
    let log: @Sendable (String) -> Void
    private let draining = ManagedFlag()

    init(provider: any EmbeddingProvider, configuration: ServerConfiguration, log: @escaping @Sendable (String) -> Void) {
        self.provider = provider
        self.configuration = configuration
        self.log = log
        let metrics = self.metrics, throughput = self.throughput
        provider.observeBatches { batch in
            metrics.batch(batch)
            throughput.record(tokens: batch.tokens, seconds: batch.seconds)
        }
    }

    var isDraining: Bool { draining.value }
    func startDraining() { draining.set() }

    var pipeline: EmbedPipeline {
        EmbedPipeline(provider: provider, configuration: configuration, throughput: throughput, log: log)
    }
}

/// A flag set once, read from any thread.
final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var isSet = false
    var value: Bool { lock.withLock { isSet } }
    func set() { lock.withLock { isSet = true } }
}

/// The route table (also what docs/openapi.yaml describes) and the handlers.
struct Routes: Sendable {
    static let table: [(method: HTTPRequest.Method, path: String)] = [
        (.post, "/v1/embeddings"), (.post, "/embed"), (.post, "/tokenize"), (.get, "/info"), (.get, "/health"),
        (.get, "/v1/models"), (.get, "/metrics"), (.get, "/openapi.yaml"),
    ]
    static let version = "loupe-0.1"
    /// `X-Loupe-Priority: interactive | bulk` chooses the encoder lane (default: by the request's size).
    static let priorityHeader = HTTPField.Name("X-Loupe-Priority")!

    let state: ServerState

    func register(on router: Router<ServerContext>) {
        router.post("/v1/embeddings") { request, context in try await embeddings(request, context) }
        router.post("/embed") { request, context in try await embed(request, context) }
        router.post("/tokenize") { request, context in try await tokenize(request, context) }
        router.get("/info") { _, _ in json(Responses.info(state.provider.model, state.configuration, version: Self.version)) }
        router.get("/health") { _, _ in json(Array("{\"status\":\"ok\"}".utf8)) }
        router.get("/v1/models") { _, _ in json(Responses.models(state.provider.model)) }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(bytes: state.metrics.render(load: state.provider.load))))
        }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"],
                     body: .init(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_yaml)))
        }
    }

    private func embeddings(_ request: Request, _ context: ServerContext) async throws -> Response {
        let object = try await readObject(request)
        let embed = try EmbedRequest.openAI(object, model: state.provider.model, maxInputs: state.configuration.maxInputs)
        let output = try await run(embed, request, context, inputParam: "input")
        return json(Responses.embeddings(output.vectors, tokens: output.tokens, request: embed, model: state.provider.model.name))
    }

    private func embed(_ request: Request, _ context: ServerContext) async throws -> Response {
        let object = try await readObject(request)
        let embed = try EmbedRequest.tei(object, model: state.provider.model, maxInputs: state.configuration.maxInputs)
        return json(Responses.floatArrays(try await run(embed, request, context, inputParam: "inputs").vectors))
    }

    private func run(_ embed: EmbedRequest, _ request: Request, _ context: ServerContext,
                     inputParam: String) async throws -> EmbedPipeline.Output {
        context.stats.items = embed.inputs.count
        let pipeline = state.pipeline
        // A loupe client sending bulk batches (indexing) says so, so they never go before a person's query.
        let lane = request.headers[Self.priorityHeader].flatMap { Lane(rawValue: $0.lowercased()) }
        let output = try await cancellingOnDisconnect(context.channel) {
            try await pipeline.run(embed, inputParam: inputParam, lane: lane)
        }
        context.stats.tokens = output.tokens
        state.metrics.served(inputs: output.vectors.count, tokens: output.tokens)
        return output
    }

    /// `/tokenize` (the body as `RequestDecoding.tokenize` reads it).
    private func tokenize(_ request: Request, _ context: ServerContext) async throws -> Response {
        let object = try await readObject(request)
        let model = state.provider.model
        let (texts, task, special) = try RequestDecoding.tokenize(object, model: model, maxInputs: state.configuration.maxInputs)
        guard model.canTokenize else {
            throw APIError.invalid("inputs", "model \(model.name) has no tokenizer, so it cannot tokenize text")
        }
        context.stats.items = texts.count
        let tokens: [[ServedToken]]
        do { tokens = try await state.provider.tokenize(texts, task: task, addSpecialTokens: special) } catch let error as CancellationError {
            throw error
        } catch {
            throw APIError.invalid("inputs", "cannot tokenize these inputs: \(error)", code: "tokenization_error")
        }
        context.stats.tokens = tokens.reduce(0) { $0 + $1.count }
        return json(Responses.tokens(tokens))
    }

    /// The body as a JSON object: 413 over the size limit (by Content-Length before reading, else while
    /// reading), 408 when it does not arrive in time, 400 when it is not UTF-8 JSON, 503 when the server
    /// started shutting down meanwhile.
    private func readObject(_ request: Request) async throws -> [String: JSONValue] {
        let limit = state.configuration.maxBodyBytes, timeout = state.configuration.bodyTimeout
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw APIError.bodyTooLarge(limit: limit)
        }
        let body: ByteBuffer
        do {
            body = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask { try await request.body.collect(upTo: limit) }
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let body = first else { throw APIError.bodyTimeout(timeout) }
                return body
            }
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: limit)
        }
        if state.isDraining { throw APIError.shuttingDown }
        return try JSONValue.parseObject(Array(buffer: body))
    }

    private func json(_ bytes: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
